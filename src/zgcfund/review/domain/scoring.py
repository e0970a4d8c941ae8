"""Expert scoring: an expert verifies each record, scores each clause within the scheme's range and
submits, which locks their review. No anchoring: an expert sees other experts' scores only after
submitting their own."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zgcfund.applications.domain.document import Assessment, assess
from zgcfund.applications.models import Application
from zgcfund.audit.domain import record_event
from zgcfund.audit.models import Visibility
from zgcfund.core import bounds
from zgcfund.core.numbers import display_number
from zgcfund.core.programme import Programme
from zgcfund.programmes.domain.loading import current_version, parsed
from zgcfund.programmes.models import ProgrammeYear
from zgcfund.review.domain.assignment import ReviewInvalid, ReviewRefused, expert_name
from zgcfund.review.models import Assignment, ClauseScore, RecordVerdict

__all__ = ["SCORE_LIMIT", "UNSCORED_STATUSES", "ReviewInput", "ReviewInvalid", "ReviewRefused", "all_reviews",
           "clauses_to_score", "expert_assessment", "expert_document", "parse_score", "review_programme",
           "save_review", "scores_of", "verdicts_of", "visible_others"]

# clauses an expert need not score: the engine found nothing declared to score
UNSCORED_STATUSES = frozenset({"not_declared", "not_chosen", "not_applicable"})
SCORE_LIMIT = Decimal("99999.99")  # the column's range (max_digits=7, decimal_places=2)


# --- the expert's review -----------------------------------------------------------------------

def verdicts_of(assignment: Assignment) -> dict[str, RecordVerdict]:
    return {v.record_key: v for v in assignment.verdicts.all()}


def scores_of(assignment: Assignment) -> dict[str, ClauseScore]:
    return {s.clause: s for s in assignment.scores.all()}


def expert_document(assignment: Assignment, verdicts: dict[str, RecordVerdict] | None = None) -> dict:
    """The submitted document as this expert verified it: rejected records are ``verified: false``."""
    verdicts = verdicts_of(assignment) if verdicts is None else verdicts
    doc = copy.deepcopy(assignment.submission.document)
    for rec in doc["records"]:
        v = verdicts.get(rec["id"])
        if v is not None:
            rec["verified"] = bool(v.accepted)
    return doc


def expert_assessment(assignment: Assignment, verdicts: dict[str, RecordVerdict] | None = None) -> Assessment:
    """The engine's evaluation for this expert's view (their rejected records drop out), under the
    programme version the review runs under (:func:`review_programme`)."""
    return assess(assignment.application, expert_document(assignment, verdicts),
                  programme=review_programme(assignment.application)[1])


def review_programme(application: Application) -> tuple[ProgrammeYear, Programme]:
    """The programme-file version experts score under: the current one of the application's programme
    (the office may have changed the scheme since the application was written)."""
    row = current_version(application.programme_code) or application.programme_year
    return row, parsed(row)


def clauses_to_score(programme: Programme, evaluation: dict | None) -> list[str]:
    """Clauses the expert must score: everything the engine did not find undeclared/unchosen/not applicable."""
    if evaluation is None:
        return list(programme.clauses)
    return [cid for cid in programme.clauses if evaluation["clauses"][cid]["status"] not in UNSCORED_STATUSES]


def parse_score(text: str, maximum: Decimal | None) -> Decimal:
    """A score as typed: a number 0..maximum with at most two decimal places (raises ValueError with the reason)."""
    text = (text or "").strip().replace("，", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(_("“%(text)s”不是数字") % {"text": text}) from None
    if not value.is_finite():
        raise ValueError(_("“%(text)s”不是数字") % {"text": text})
    upper = maximum if maximum is not None else SCORE_LIMIT
    if value < 0 or value > upper:
        raise ValueError(_("分数须在 0 至 %(max)s 之间") % {"max": _plain(upper)})
    if value != value.quantize(Decimal("0.01")):
        raise ValueError(_("最多保留两位小数"))
    return value.quantize(Decimal("0.01"))


def _plain(value: Decimal) -> str:
    return display_number(value)


@dataclass
class ReviewInput:
    """The expert's input (``interfaces.forms.review_input`` reads it from the form): verdicts by record id
    ("accept"/"reject"/""), reasons, scores as typed and comments by clause."""

    verdicts: dict[str, str] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)
    scores: dict[str, str] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)


def _locked(assignment: Assignment) -> None:
    if assignment.is_submitted:
        raise ReviewRefused(_("您已于 %(at)s 提交评审意见，不能再修改。")
                            % {"at": timezone.localtime(assignment.submitted_at).strftime("%Y-%m-%d %H:%M")})


def save_review(assignment: Assignment, expert, data: ReviewInput, *, submit: bool = False) -> Assignment:
    """Save the expert's verdicts and scores (a draft, as often as they like); ``submit`` also checks
    completeness and locks the review. All or nothing: on any error nothing is written."""
    if assignment.expert_id != expert.pk:
        raise ReviewRefused(_("这不是您的评审任务。"))
    programme_year, programme = review_programme(assignment.application)
    records = {r["id"]: r for r in assignment.submission.document["records"]}
    errors: dict[str, str] = {}
    verdicts: dict[str, tuple[bool, str]] = {}
    for key, choice in data.verdicts.items():
        if key not in records or choice not in ("accept", "reject"):
            continue
        reason = (data.reasons.get(key) or "").strip()
        if choice == "reject" and not reason:
            errors[f"reason-{key}"] = _("记录 %(key)s：不认可时请填写理由。") % {"key": key}
        elif choice == "reject" and len(reason) > bounds.limit("reason"):
            errors[f"reason-{key}"] = _("记录 %(key)s：%(problem)s。") % {
                "key": key, "problem": bounds.length_problem(_("不认可理由"), reason, "reason")}
        verdicts[key] = (choice == "accept", reason if choice == "reject" else "")
    scores: dict[str, tuple[Decimal, str]] = {}
    for cid in programme.clauses:
        text = (data.scores.get(cid) or "").strip()
        comment = (data.comments.get(cid) or "").strip()
        too_long = bounds.length_problem(_("评语"), comment, "comment")
        if too_long:
            errors[f"comment-{cid}"] = _("%(clause)s：%(problem)s。") % {"clause": cid, "problem": too_long}
        if not text:
            if comment:
                errors[f"score-{cid}"] = _("%(clause)s：填写评语时请同时填写分数。") % {"clause": cid}
            continue
        try:
            scores[cid] = (parse_score(text, programme.max_score(cid)), comment)
        except ValueError as exc:
            errors[f"score-{cid}"] = _("%(clause)s 分数：%(reason)s。") % {"clause": cid, "reason": exc}
    with transaction.atomic():
        current = Assignment.objects.select_for_update().select_related("submission", "application").get(pk=assignment.pk)
        _locked(current)
        if submit and not errors:
            final = {k: RecordVerdict(assignment=current, record_key=k, accepted=a, reason=r)
                     for k, (a, r) in verdicts.items()}
            evaluation = expert_assessment(current, final).prior
            required = clauses_to_score(programme, evaluation)
            for cid in required:
                if cid not in scores:
                    errors[f"score-{cid}"] = _("%(clause)s：提交前请为该条款评分。") % {"clause": cid}
            for cid in scores:
                if cid not in required:
                    errors[f"score-{cid}"] = (_("%(clause)s：按您核实后的评估该条款未申报或不适用，不应评分，请清空。")
                                              % {"clause": cid})
        if errors:
            raise ReviewInvalid(errors)
        before = {"verdicts": {v.record_key: [v.accepted, v.reason] for v in current.verdicts.all()},
                  "scores": {s.clause: [str(s.score), s.comment] for s in current.scores.all()}}
        if submit:
            for key in records:  # unmarked records are recorded as accepted
                verdicts.setdefault(key, (True, ""))
        current.verdicts.exclude(record_key__in=verdicts).delete()
        for key, (accepted, reason) in verdicts.items():
            RecordVerdict.objects.update_or_create(assignment=current, record_key=key,
                                                   defaults={"accepted": accepted, "reason": reason})
        current.scores.exclude(clause__in=scores).delete()
        for cid, (score, comment) in scores.items():
            ClauseScore.objects.update_or_create(assignment=current, clause=cid,
                                                 defaults={"score": score, "comment": comment,
                                                           "max_score": programme.max_score(cid)})
        if current.scored_under_id != programme_year.pk:
            current.scored_under = programme_year
            current.save(update_fields=["scored_under"])
        after = {"verdicts": {k: [a, r] for k, (a, r) in sorted(verdicts.items())},
                 "scores": {c: [str(s), m] for c, (s, m) in sorted(scores.items())}}
        if submit:
            current.submitted_at = timezone.now()
            current.save(update_fields=["submitted_at"])
            record_event("review.submit", _("评审专家%(expert)s提交评审意见") % {"expert": expert_name(expert)},
                         actor=expert, application=current.application, obj=current, changes={"before": before, "after": after},
                         visibility=Visibility.OFFICE)
        elif before != after:
            record_event("review.save", _("评审专家%(expert)s保存评审草稿") % {"expert": expert_name(expert)},
                         actor=expert, application=current.application, obj=current, changes={"before": before, "after": after},
                         visibility=Visibility.OFFICE)
    assignment.refresh_from_db()
    return assignment


# --- who sees whose scores ---------------------------------------------------------------------

def visible_others(assignment: Assignment) -> list[Assignment]:
    """Other experts' submitted reviews of the same application, only once this expert has submitted."""
    if not assignment.is_submitted:
        return []
    return list(Assignment.objects.filter(application=assignment.application, submitted_at__isnull=False)
                .exclude(pk=assignment.pk).select_related("expert").prefetch_related("scores", "verdicts")
                .order_by("submitted_at"))


def all_reviews(application: Application) -> list[Assignment]:
    """Every expert's review of an application (the office's view), submitted or not."""
    return list(application.assignments.select_related("expert", "submission", "assigned_by")
                .prefetch_related("scores", "verdicts").order_by("assigned_at", "pk"))
