"""Expert review: the office assigns experts to applications that passed formal review (by hand or in
bulk, conflicts of interest block); an expert verifies each record, scores each clause within the
scheme's range and submits, which locks their review. No anchoring: an expert sees other experts'
scores only after submitting their own."""

from __future__ import annotations

import copy
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from zgcfund.accounts.models import Organization, User
from zgcfund.accounts.models.user import Role
from zgcfund.applications.domain import workflow
from zgcfund.applications.domain.document import Assessment, assess
from zgcfund.applications.models import Application
from zgcfund.audit.domain import record_event
from zgcfund.audit.models import Visibility
from zgcfund.core import bounds
from zgcfund.core.programme import Programme
from zgcfund.programmes.domain.loading import current_version, parsed
from zgcfund.programmes.models import ProgrammeYear
from zgcfund.review.models import Assignment, ClauseScore, ConflictOfInterest, RecordVerdict

# clauses an expert need not score: the engine found nothing declared to score
UNSCORED_STATUSES = frozenset({"not_declared", "not_chosen", "not_applicable"})
SCORE_LIMIT = Decimal("99999.99")  # the column's range (max_digits=7, decimal_places=2)
DEFAULT_PER_APPLICATION = 3


class ReviewRefused(Exception):
    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


class ReviewInvalid(Exception):
    """Input errors keyed by form field name (``verdict-<record>``, ``reason-<record>``, ``score-<clause>``)."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


# --- who and what ------------------------------------------------------------------------------

def experts() -> QuerySet[User]:
    return User.objects.filter(role=Role.EXPERT, is_active=True).order_by("full_name", "pk")


def is_expert(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.role == Role.EXPERT)


def awaiting_review(programme_code: str) -> QuerySet[Application]:
    """Applications of a programme in expert review (passed formal review; experts assignable)."""
    return (workflow.in_expert_review().filter(programme_code=programme_code)
            .select_related("organization").order_by("organization__name", "pk"))


def organizations_under_review() -> QuerySet[Organization]:
    return (Organization.objects.filter(applications__status__in=workflow.EXPERT_REVIEW_PHASES).distinct()
            .order_by("name"))


def latest_submission(application: Application):
    return application.submissions.order_by("-number").first()


def _expert_name(expert) -> str:
    return expert.get_full_name()


# --- assignment (office) -----------------------------------------------------------------------

def _check_assignable(application: Application, expert) -> None:
    if not is_expert(expert):
        raise ReviewRefused(_("“%(name)s”不是评审专家账号，不能分配评审任务。") % {"name": _expert_name(expert)})
    if not application.phase.expert_review:
        raise ReviewRefused(_("“%(org)s”的申报书当前状态为“%(phase)s”，不在待专家评审阶段。")
                            % {"org": application.organization.name, "phase": application.phase.staff_name})
    conflict = ConflictOfInterest.objects.filter(expert=expert, organization=application.organization_id).first()
    if conflict is not None:
        raise ReviewRefused(_("专家%(expert)s已声明与“%(org)s”存在利益冲突（%(reason)s），不能分配该申报书。")
                            % {"expert": _expert_name(expert), "org": application.organization.name,
                               "reason": conflict.reason})
    if Assignment.objects.filter(application=application, expert=expert).exists():
        raise ReviewRefused(_("专家%(expert)s已分配评审“%(org)s”的申报书。")
                            % {"expert": _expert_name(expert), "org": application.organization.name})


def _create(application: Application, expert, by, how: str) -> Assignment:
    submission = latest_submission(application)
    if submission is None:
        raise ReviewRefused(_("“%(org)s”尚未提交申报书。") % {"org": application.organization.name})
    assignment = Assignment.objects.create(application=application, expert=expert, submission=submission, assigned_by=by)
    record_event("review.assign", _("分配评审专家%(expert)s（第 %(n)s 次提交）")
                 % {"expert": _expert_name(expert), "n": submission.number},
                 actor=by, application=application, obj=assignment,
                 changes={"expert": expert.pk, "submission": submission.number, "how": how}, visibility=Visibility.OFFICE)
    if workflow.allows(application, "start_review"):  # the first expert: formal_passed → under_review
        try:
            workflow.transition(application, "start_review", by)
        except workflow.TransitionRefused as exc:
            raise ReviewRefused(exc.message) from None
    return assignment


def assign(application: Application, experts_to_assign, by) -> list[Assignment]:
    """Assign experts to one application by hand: all or nothing."""
    experts_to_assign = list(experts_to_assign)
    if not experts_to_assign:
        raise ReviewRefused(_("请选择至少一位评审专家。"))
    with transaction.atomic():
        app = Application.objects.select_for_update().select_related("organization").get(pk=application.pk)
        for expert in experts_to_assign:
            _check_assignable(app, expert)
        try:
            with transaction.atomic():
                return [_create(app, expert, by, "manual") for expert in experts_to_assign]
        except IntegrityError:
            raise ReviewRefused(_("评审分配已被他人修改，请刷新后重试。")) from None


def unassign(assignment: Assignment, by) -> None:
    """Withdraw an assignment; only while the expert has not submitted."""
    with transaction.atomic():
        current = Assignment.objects.select_for_update().filter(pk=assignment.pk).first()
        if current is None:
            return
        if current.is_submitted:
            raise ReviewRefused(_("专家%(expert)s已提交评审意见，不能取消分配。") % {"expert": _expert_name(current.expert)})
        _remove(current, by, _("取消分配评审专家%(expert)s") % {"expert": _expert_name(current.expert)})


def _remove(assignment: Assignment, by, summary: str) -> None:
    changes = {"expert": assignment.expert_id, "submission": assignment.submission.number,
               "verdicts": assignment.verdicts.count(), "scores": assignment.scores.count()}
    record_event("review.unassign", summary, actor=by, application=assignment.application, obj=assignment,
                 changes=changes, visibility=Visibility.OFFICE)
    assignment.delete()


@dataclass
class BulkResult:
    created: list[Assignment] = field(default_factory=list)
    short: list[tuple[Application, int]] = field(default_factory=list)  # applications below N, with their count


def assign_bulk(programme_code: str, per_application: int, by) -> BulkResult:
    """Give every application awaiting review at least ``per_application`` experts, round-robin: in
    each round every application still short gets the least-loaded eligible expert (no conflict, not
    yet assigned). Load counts every assignment an expert holds in this programme."""
    if per_application < 1:
        raise ReviewRefused(_("每份申报书的评审专家人数至少为 1。"))
    result = BulkResult()
    with transaction.atomic():
        apps = list(awaiting_review(programme_code).select_for_update())
        pool = list(experts())
        load = dict.fromkeys((e.pk for e in pool), 0)
        for row in (Assignment.objects.filter(application__programme_code=programme_code, expert__in=pool)
                    .values("expert").annotate(n=Count("pk"))):
            load[row["expert"]] = row["n"]
        assigned: dict[int, set[int]] = defaultdict(set)
        for a in Assignment.objects.filter(application__in=apps).values("application", "expert"):
            assigned[a["application"]].add(a["expert"])
        conflicts: dict[int, set[int]] = defaultdict(set)
        for c in ConflictOfInterest.objects.values("organization", "expert"):
            conflicts[c["organization"]].add(c["expert"])
        for round_no in range(1, per_application + 1):
            for app in sorted(apps, key=lambda a: (len(assigned[a.pk]), a.pk)):
                if len(assigned[app.pk]) >= round_no:
                    continue
                eligible = [e for e in pool if e.pk not in assigned[app.pk] and e.pk not in conflicts[app.organization_id]]
                if not eligible:
                    continue
                expert = min(eligible, key=lambda e: (load[e.pk], e.pk))
                result.created.append(_create(app, expert, by, "bulk"))
                assigned[app.pk].add(expert.pk)
                load[expert.pk] += 1
        result.short = [(app, len(assigned[app.pk])) for app in apps if len(assigned[app.pk]) < per_application]
        record_event("review.assign_bulk",
                     _("批量分配评审专家：每份申报书至少 %(n)s 位，新增 %(created)s 项分配，%(short)s 份未达到人数")
                     % {"n": per_application, "created": len(result.created), "short": len(result.short)},
                     actor=by, changes={"programme": programme_code, "per_application": per_application,
                                        "created": [a.pk for a in result.created],
                                        "short": [app.pk for app, _n in result.short]},
                     visibility=Visibility.OFFICE)
    return result


# --- conflicts of interest (expert) ------------------------------------------------------------

def declare_conflict(expert, organization: Organization, reason: str) -> ConflictOfInterest:
    """Declare a conflict with an organization. Withdraws the expert's not-yet-submitted assignments
    to its applications; refused when the expert already submitted a review of one of them (the
    scores are on record: the office must decide)."""
    reason = (reason or "").strip()
    if not is_expert(expert):
        raise ReviewRefused(_("只有评审专家可以声明利益冲突。"))
    if not reason:
        raise ReviewInvalid({"reason": _("请填写回避理由。")})
    if len(reason) > 300:
        raise ReviewInvalid({"reason": _("回避理由最多 300 字。")})
    with transaction.atomic():
        if ConflictOfInterest.objects.filter(expert=expert, organization=organization).exists():
            raise ReviewRefused(_("您已声明与“%(org)s”存在利益冲突。") % {"org": organization.name})
        held = list(Assignment.objects.select_for_update().filter(expert=expert, application__organization=organization)
                    .select_related("application__organization", "submission"))
        if any(a.is_submitted for a in held):
            raise ReviewRefused(_("您已提交对“%(org)s”申报书的评审意见，不能再声明利益冲突；如确有冲突，请联系项目办公室。")
                                % {"org": organization.name})
        conflict = ConflictOfInterest.objects.create(expert=expert, organization=organization, reason=reason)
        record_event("review.conflict", _("评审专家%(expert)s声明与本单位存在利益冲突：%(reason)s")
                     % {"expert": _expert_name(expert), "reason": reason},
                     actor=expert, organization=organization, obj=conflict,
                     changes={"expert": expert.pk, "reason": reason, "withdrawn": [a.pk for a in held]},
                     visibility=Visibility.OFFICE)
        for a in held:
            _remove(a, expert, _("评审专家%(expert)s因利益冲突回避，取消分配") % {"expert": _expert_name(expert)})
    return conflict


# --- the expert's review -----------------------------------------------------------------------

def assignments_for(expert) -> QuerySet[Assignment]:
    """Only the expert's own assignments (views fetch through this: others' give 404)."""
    if not is_expert(expert):
        return Assignment.objects.none()
    return (Assignment.objects.filter(expert=expert)
            .select_related("application__organization", "application__programme_year", "submission")
            .order_by("submitted_at", "application__organization__name"))


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
    return format(value.normalize(), "f")


@dataclass
class ReviewInput:
    """What the expert posted: verdicts by record id ("accept"/"reject"/""), reasons, scores and comments by clause."""

    verdicts: dict[str, str] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)
    scores: dict[str, str] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_post(cls, data) -> ReviewInput:
        out = cls()
        for key, value in data.items():
            for prefix, target in (("verdict-", out.verdicts), ("reason-", out.reasons), ("score-", out.scores),
                                   ("comment-", out.comments)):
                if key.startswith(prefix):
                    target[key[len(prefix):]] = value
        return out


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
            record_event("review.submit", _("评审专家%(expert)s提交评审意见") % {"expert": _expert_name(expert)},
                         actor=expert, application=current.application, obj=current, changes={"before": before, "after": after},
                         visibility=Visibility.OFFICE)
        elif before != after:
            record_event("review.save", _("评审专家%(expert)s保存评审草稿") % {"expert": _expert_name(expert)},
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
