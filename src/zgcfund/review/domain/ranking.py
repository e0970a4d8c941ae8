"""The ranking of one programme's applications, built from the database for the core
(``zgcfund.core.ranking``): the experts' aggregate from submitted ``ClauseScore`` rows, eligibility
and the engine's score from the latest ``Submission``'s ``evaluation_prior``, the first submission
time; then core ``rank``.

A fixed number of queries whatever the number of applications (one for the applications with their
first submission time, one for the submitted experts' scores, one for the latest submissions).

Settings (:data:`DEFAULT_SETTINGS`, documented defaults of docs/ranking.md; the office passes its own):

* ``method`` "mean" | "trimmed_mean", ``trim_min_experts`` 5, ``min_experts`` 3,
  ``clause_spread_threshold`` "5", ``total_spread_threshold`` "15" — core ``AggregationConfig``.
* ``missing`` "zero": a clause a submitted expert left unscored counts 0 for that expert. The expert
  review form only asks for the clauses the expert's own view of the evaluation leaves something to
  score (``expert.clauses_to_score``) and submitting requires all of those, so an unscored clause
  means "nothing to score" for that expert, not an unfinished review; "incomplete" would drop every
  application where experts disagreed on a record's verification out of the ranking. Too few
  submitted experts still makes the aggregate incomplete (not ranked).
* ``tie_keys``: the declared ranking keys (default core ``DEFAULT_TIE_KEYS``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db.models import Count, Exists, F, Max, Min, OuterRef, Sum
from django.db.models.lookups import IsNull
from django.utils.translation import gettext, gettext_noop

from zgcfund.applications.domain import workflow
from zgcfund.applications.models import Application, Submission
from zgcfund.audit.models import AuditEvent
from zgcfund.core.programme import Programme
from zgcfund.core.ranking import (
    AggregationConfig,
    ApplicationAggregate,
    ClauseScale,
    ExpertScores,
    GateProblem,
    Ranking,
    RankingInputError,
    RankingRow,
    aggregate,
    clause_scales,
    rank,
    row_from_review,
    tie_keys,
)
from zgcfund.programmes.domain.loading import current_version, parsed
from zgcfund.programmes.models import ProgrammeYear
from zgcfund.review.domain.rescoring import evaluations_for
from zgcfund.review.models import Assignment, ClauseScore, SelectionPlan

CENT = Decimal("0.01")

DEFAULT_SETTINGS: dict[str, Any] = {
    "method": "mean",
    "trim_min_experts": 5,
    "min_experts": 3,
    "clause_spread_threshold": "5",
    "total_spread_threshold": "15",
    "missing": "zero",
    "tie_keys": None,
}

# the core's default ranking keys' labels, for the catalogue (the ranking page translates them)
TIE_KEY_LABELS = (gettext_noop("总分高者在前"), gettext_noop("科技重点工作得分高者在前"),
                  gettext_noop("专业服务能力得分高者在前"), gettext_noop("满足基本条件的条款多者在前"),
                  gettext_noop("首次提交时间早者在前"))

#: Phases whose applications are ranked (declared in the workflow table).
RANKED_PHASES: tuple[str, ...] = workflow.RANKED_PHASES


@dataclass(frozen=True)
class Detail:
    """What the ranking page shows beside the core row."""

    application_id: int
    organization_name: str
    aggregate: ApplicationAggregate | None
    engine_total: Decimal | None
    experts_submitted: int
    experts_assigned: int
    flagged: bool
    gate_rules: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProgrammeRanking:
    code: str
    programme_year: ProgrammeYear
    ranking: Ranking
    details: dict[int, Detail] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    programme: Programme | None = None  # what it was computed under (a draft's for a what-if)


def settings_with(overrides: dict[str, Any] | None) -> dict[str, Any]:
    merged = dict(DEFAULT_SETTINGS)
    unknown = sorted(set(overrides or {}) - set(DEFAULT_SETTINGS))
    if unknown:
        raise RankingInputError([f"排序设置：未知的键 {', '.join(unknown)}"])
    merged.update(overrides or {})
    return merged


def office_settings(code: str) -> dict[str, Any]:
    """The ranking settings the office saved for ``code`` (SelectionPlan), over the defaults."""
    stored = SelectionPlan.objects.filter(code=code).values_list("ranking_settings", flat=True).first() or {}
    return settings_with({k: v for k, v in stored.items() if k in DEFAULT_SETTINGS})


def _decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def rescaled(score: Decimal, given_max: Decimal | None, scale: ClauseScale | None) -> Decimal:
    """An expert's clause score given out of ``given_max``, on the current scheme's range: scaled by
    new maximum / old maximum (two decimals, half up) when the scheme changed the maximum."""
    if scale is None or scale.high is None or given_max is None or given_max == scale.high or not given_max:
        return score
    return (score * scale.high / given_max).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ExpertReview:
    """The experts' scores on one application and their aggregate, as the ranking computes them."""

    sheets: tuple[ExpertScores, ...]  # every assigned expert (drafts too), scores on the current scale
    aggregate: ApplicationAggregate | None  # None when the core refused the scores (``reasons``)
    reasons: tuple[str, ...] = ()

    @property
    def submitted(self) -> int:
        return sum(1 for s in self.sheets if s.submitted)


@dataclass(frozen=True)
class ExpertAggregation:
    """How experts' scores are aggregated under one programme version and the office's settings: the
    one place the ranking, the per-clause export and the review report get expert scores from.
    Scores are rescaled to the version's clause maxima (:func:`rescaled`), then aggregated per clause
    by core ``aggregate`` (mean or trimmed mean per the selection plan, quantized once, half up)."""

    scales: dict[str, ClauseScale]
    config: AggregationConfig
    missing: str

    @classmethod
    def of(cls, programme: Programme, settings: dict[str, Any]) -> ExpertAggregation:
        config = AggregationConfig.from_dict({k: settings[k] for k in ("method", "trim_min_experts", "min_experts",
                                                                        "clause_spread_threshold",
                                                                        "total_spread_threshold")})
        return cls(clause_scales(programme), config, settings["missing"])

    def load(self, assignments) -> dict[int, tuple[ExpertScores, ...]]:
        """application pk -> every assigned expert's scores (drafts flagged ``submitted=False``), on
        this version's scale, from a queryset of ``Assignment`` (one query, a LEFT JOIN on the scores)."""
        sheets: dict[int, dict[int, dict[str, Decimal]]] = defaultdict(dict)
        submitted_flag: dict[tuple[int, int], bool] = {}
        # "submitted" as a boolean from the database: a row per score, and a datetime conversion each adds up
        for app_id, expert_id, submitted, clause, score, given_max in (
                assignments.annotate(submitted=IsNull(F("submitted_at"), False))
                .values_list("application_id", "expert_id", "submitted", "scores__clause", "scores__score",
                             "scores__max_score")):
            if (app_id, expert_id) not in submitted_flag:
                submitted_flag[(app_id, expert_id)] = bool(submitted)
                sheets[app_id][expert_id] = {}
            if clause is not None:
                sheets[app_id][expert_id][clause] = rescaled(score, given_max, self.scales.get(clause))
        return {app_id: tuple(ExpertScores(expert, scores, submitted_flag[(app_id, expert)])
                              for expert, scores in by_expert.items())
                for app_id, by_expert in sheets.items()}

    def run(self, application_id: int, sheets) -> ExpertReview:
        sheets = tuple(sheets)
        try:
            return ExpertReview(sheets, aggregate(application_id, sheets, self.scales, self.config,
                                                  missing=self.missing))
        except RankingInputError as exc:
            return ExpertReview(sheets, None, tuple(exc.problems))


def expert_reviews(code: str, programme_year: ProgrammeYear, *,
                   application_ids: list[int] | None = None) -> dict[int, ExpertReview]:
    """application pk -> the experts' aggregate of every application of ``code`` (or only
    ``application_ids``) that has an expert assigned, under ``programme_year`` and the office's
    settings: the numbers of the ranking, for the exports and the review report."""
    aggregation = ExpertAggregation.of(parsed(programme_year), office_settings(code))
    assignments = Assignment.objects.filter(application__programme_code=code)
    if application_ids is not None:
        assignments = assignments.filter(application_id__in=application_ids)
    return {app_id: aggregation.run(app_id, sheets) for app_id, sheets in aggregation.load(assignments).items()}


def build_ranking(code: str, settings: dict[str, Any] | None = None, *,
                  programme_year: ProgrammeYear | None = None,
                  programme: Programme | None = None) -> ProgrammeRanking | None:
    """The ranking of programme ``code`` under its current programme-file version (or the given
    stored ``programme_year``, or an unsaved draft ``programme`` for a what-if); None when no such
    programme is loaded. ``settings`` default to the office's (:func:`office_settings`)."""
    settings = office_settings(code) if settings is None else settings_with(settings)
    row = programme_year or current_version(code)
    if row is None:
        return None
    stored = programme is None
    programme = parsed(row) if programme is None else programme
    keys = tie_keys(settings["tie_keys"])

    apps = list(Application.objects.filter(programme_code=code, status__in=RANKED_PHASES)
                .annotate(first_submitted=Min("submissions__submitted_at"))
                .values_list("pk", "organization_id", "organization__name", "first_submitted"))

    aggregation = ExpertAggregation.of(programme, settings)
    reviews = aggregation.load(Assignment.objects.filter(application__programme_code=code,
                                                         application__status__in=RANKED_PHASES))

    # the latest submission of each application (one query), its evaluation under this version
    newer = Submission.objects.filter(application=OuterRef("application"), number__gt=OuterRef("number"))
    latest = dict(Submission.objects.filter(application__programme_code=code, application__status__in=RANKED_PHASES)
                  .filter(~Exists(newer)).values_list("application_id", "pk"))
    evaluations = evaluations_for(list(latest.values()), programme, row if stored else None)

    rows: list[RankingRow] = []
    details: dict[int, Detail] = {}
    for app_id, org_id, org_name, first_submitted in apps:
        engine = evaluations.get(latest.get(app_id))
        evaluation = ({"eligible": engine.eligible, "problems": engine.problems} if engine is not None
                      else {"eligible": False, "problems": [{"rule": "—", "message": gettext("没有提交记录")}]})
        review = aggregation.run(app_id, reviews.get(app_id, ()))
        agg, reasons = review.aggregate, review.reasons
        if agg is not None:
            ranking_row = row_from_review(app_id, org_name, agg, organization_id=org_id, evaluation=evaluation,
                                          first_submitted_at=first_submitted)
            if engine is not None:
                ranking_row = replace(ranking_row, clauses_met=engine.clauses_met)
        else:
            problems = tuple(GateProblem(p.get("rule", ""), p.get("message", "")) for p in evaluation["problems"])
            ranking_row = RankingRow(app_id, org_name, Decimal(0), organization_id=org_id,
                                     eligible=bool(evaluation["eligible"]), problems=problems,
                                     first_submitted_at=first_submitted, complete=False, incomplete_reasons=reasons)
        rows.append(ranking_row)
        details[app_id] = Detail(app_id, org_name, agg, engine.total if engine else None, review.submitted,
                                 len(review.sheets), bool(agg and agg.flagged),
                                 tuple(p.rule for p in ranking_row.problems))
    return ProgrammeRanking(code, row, rank(rows, keys), details, settings, programme)


# --- a built ranking reused between page views --------------------------------------------------

_CACHE: dict[str, tuple[tuple, ProgrammeRanking]] = {}


def ranking_fingerprint(code: str) -> tuple:
    """What the ranking of ``code`` is built from, in a few aggregate queries: the current version,
    the office's settings, every audited decision (the last event), and the scores, assignments,
    submissions and ranked applications themselves (counts, last keys, score sum), so a change made
    outside the audited services is seen too."""
    row = current_version(code)
    plan = SelectionPlan.objects.filter(code=code).values_list("updated_at", flat=True).first()
    last_event = AuditEvent.objects.aggregate(m=Max("pk"))["m"]
    scores = ClauseScore.objects.filter(assignment__application__programme_code=code).aggregate(
        n=Count("pk"), m=Max("pk"), s=Sum("score"))
    assignments = Assignment.objects.filter(application__programme_code=code).aggregate(
        n=Count("pk"), m=Max("pk"), s=Max("submitted_at"), c=Count("submitted_at"))
    submissions = Submission.objects.filter(application__programme_code=code).aggregate(n=Count("pk"), m=Max("pk"))
    ranked = Application.objects.filter(programme_code=code, status__in=RANKED_PHASES).aggregate(n=Count("pk"), m=Max("pk"))
    return (row.pk if row else None, plan, last_event, tuple(scores.values()), tuple(assignments.values()),
            tuple(submissions.values()), tuple(ranked.values()))


def current_ranking(code: str) -> ProgrammeRanking | None:
    """:func:`build_ranking` with the office's settings, reused while :func:`ranking_fingerprint`
    is unchanged (the ranking page and exports; a selection's confirmation always builds afresh)."""
    fingerprint = ranking_fingerprint(code)
    cached = _CACHE.get(code)
    if cached is not None and cached[0] == fingerprint:
        return cached[1]
    built = build_ranking(code)
    if built is not None:
        _CACHE[code] = (fingerprint, built)
    return built
