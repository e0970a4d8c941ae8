"""The engine's evaluation of submitted versions under the ranking's programme-file version.

A submission carries its evaluation under the version it was written under. When the office saves
a new version (scheme or parameters), the ranking needs each application's evaluation under the new
one: re-scored from the stored evaluation when only the scheme's numbers changed (exact, see
``zgcfund.core.scheme.rescore``; microseconds), evaluated afresh otherwise. Results are kept in
``RankingEvaluation`` (one per submission and version), so this happens once per version.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from zgcfund.applications.domain.document import accepted_credit_codes
from zgcfund.applications.models import Submission
from zgcfund.core.engine import evaluate, number
from zgcfund.core.errors import InvalidDocument
from zgcfund.core.programme import Programme
from zgcfund.core.scheme import rescore, scoring_only_change
from zgcfund.programmes.domain.loading import parsed
from zgcfund.programmes.models import ProgrammeYear
from zgcfund.review.models import RankingEvaluation


@dataclass(frozen=True)
class Compact:
    """What the ranking needs of an evaluation."""

    eligible: bool
    problems: list[dict]
    k_total: Decimal
    p_total: Decimal
    total: Decimal
    clauses_met: int
    source: str


def _dec(value: Any) -> Decimal:
    return Decimal(str(value or 0))


def compact(evaluation: dict, source: str) -> Compact:
    score = evaluation.get("score") or {}
    return Compact(bool(evaluation.get("eligible")), list(evaluation.get("problems") or []),
                   _dec(score.get("K")), _dec(score.get("P")), _dec(score.get("total")),
                   sum(1 for c in (evaluation.get("clauses") or {}).values() if c.get("status") == "met"), source)


def not_evaluable(programme: Programme, problems: list) -> dict:
    """The stand-in evaluation of a document the version cannot read (e.g. a field it now requires)."""
    detail = "；".join(str(p) for p in problems[:3])
    return {"eligible": False, "score": {f: 0 for f in programme.families} | {"total": 0},
            "problems": [{"rule": "VERSION",
                          "message": gettext("按本版本项目文件无法评估该申报：%(detail)s") % {"detail": detail}}],
            "programme_sha256": programme.sha256, "scoring_version": programme.scoring["version"]}


def evaluation_under(submission: Submission, programme: Programme, *, own: Programme | None = None,
                     scoring_only: bool | None = None) -> tuple[dict, str]:
    """(evaluation, source) of ``submission`` under ``programme``; ``own`` is the programme the
    submission was evaluated under (looked up when not given); ``scoring_only`` is
    ``scoring_only_change(own, programme)`` when the caller already knows it (the comparison deep-copies
    both programmes: tens of milliseconds, so a batch decides it once per version, not per submission)."""
    if submission.programme_sha256 == programme.sha256:
        return submission.evaluation_prior, "submission"
    if own is None:
        row = ProgrammeYear.objects.filter(sha256=submission.programme_sha256).first()
        own = parsed(row) if row is not None else None
    if scoring_only is None:
        scoring_only = own is not None and scoring_only_change(own, programme)
    if scoring_only:
        return rescore(submission.evaluation_prior, programme), "rescored"
    try:
        return evaluate(submission.document, programme, "prior", accepted_credit_codes(submission.application)), "evaluated"
    except InvalidDocument as exc:
        return not_evaluable(programme, list(exc.problems)), "evaluated"


class _NotPlain(Exception):
    pass


def _plain_json(value: Any) -> Any:
    """A copy of ``value`` built of dicts with str keys, lists, str, int, bool, None, finite floats and
    Decimals (as ``number``); raises _NotPlain on anything else, whose JSON round trip may change it."""
    kind = type(value)
    if kind is dict:
        out = {}
        for key, item in value.items():
            if type(key) is not str:
                raise _NotPlain
            out[key] = _plain_json(item)
        return out
    if kind is list:
        return [_plain_json(item) for item in value]
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is float:
        if not math.isfinite(value):
            raise _NotPlain
        return value
    if kind is Decimal:
        return _plain_json(number(value))
    raise _NotPlain


def _json_safe(evaluation: dict) -> dict:
    """Exact Decimals as JSON numbers (a fractional scheme number gives Decimal values in a trace): the
    JSON round trip of the evaluation. An evaluation of plain JSON types is copied directly (the same
    result, about twice as fast: this runs for every submission when the version changes)."""
    try:
        return _plain_json(evaluation)
    except _NotPlain:
        return json.loads(json.dumps(evaluation, default=lambda v: number(v) if isinstance(v, Decimal) else str(v)))


def _own_programmes(shas: set[str]) -> dict[str, Programme]:
    return {row.sha256: parsed(row) for row in ProgrammeYear.objects.filter(sha256__in=shas)}


def evaluations_for(submission_ids: list[int], programme: Programme,
                    programme_year: ProgrammeYear | None) -> dict[int, Compact]:
    """Compact evaluations of the given submissions under ``programme``, by submission id. With a
    stored ``programme_year`` (``programme`` is its parsed text) results are kept and reused; for a
    draft programme (what-if) they are computed and thrown away."""
    out: dict[int, Compact] = {}
    if programme_year is not None:
        for sid, source, eligible, problems, k, p, total, met in (
                RankingEvaluation.objects.filter(programme_year=programme_year, submission_id__in=submission_ids)
                .values_list("submission_id", "source", "eligible", "problems", "k_total", "p_total", "total", "clauses_met")
                .iterator(chunk_size=2000)):
            out[sid] = Compact(eligible, problems, k, p, total, met, source)
    missing = [sid for sid in submission_ids if sid not in out]
    if not missing:
        return out
    rows = []
    shas = set(Submission.objects.filter(pk__in=missing).values_list("programme_sha256", flat=True).distinct())
    own = _own_programmes(shas - {programme.sha256})
    # the stored evaluation answers for the same version and (re-scored) for a scheme-only change:
    # those need no document
    light = {programme.sha256} | {sha for sha, prog in own.items() if scoring_only_change(prog, programme)}
    for start in range(0, len(missing), 500):
        chunk = missing[start:start + 500]
        subs = Submission.objects.filter(pk__in=chunk)
        for query in (subs.filter(programme_sha256__in=light).defer("document", "evaluation_projected"),
                      subs.exclude(programme_sha256__in=light).select_related("application__organization")
                      .defer("evaluation_prior", "evaluation_projected")):
            for sub in query.iterator(chunk_size=500):
                evaluation, source = evaluation_under(sub, programme, own=own.get(sub.programme_sha256),
                                                      scoring_only=sub.programme_sha256 in light)
                c = out[sub.pk] = compact(evaluation, source)
                if programme_year is not None:
                    rows.append(RankingEvaluation(
                        submission_id=sub.pk, programme_year=programme_year, source=source, eligible=c.eligible,
                        problems=c.problems, k_total=c.k_total, p_total=c.p_total, total=c.total,
                        clauses_met=c.clauses_met,
                        # kept only when costly to redo: the submission's own and a re-scoring are rebuilt
                        # on demand in microseconds (stored_evaluation)
                        evaluation=_json_safe(evaluation) if source == "evaluated" else None))
    if rows:
        try:
            with transaction.atomic():
                RankingEvaluation.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
        except IntegrityError:  # a concurrent request stored them first: theirs are the same
            pass
    return out


def stored_evaluation(submission: Submission, programme_year: ProgrammeYear) -> dict:
    """The full evaluation of ``submission`` under ``programme_year`` (the review report, exports)."""
    row = RankingEvaluation.objects.filter(submission=submission, programme_year=programme_year).first()
    if row is not None and row.evaluation is not None:
        return row.evaluation
    return evaluation_under(submission, parsed(programme_year))[0]
