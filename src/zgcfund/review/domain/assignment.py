"""Assigning experts: the office assigns experts to applications that passed formal review, by hand
or in bulk (round-robin by load); a declared conflict of interest blocks an assignment. The first
expert assigned moves the application into expert review (``workflow.transition(..., "start_review")``)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from zgcfund.accounts import rules as accounts_rules
from zgcfund.accounts.models import User
from zgcfund.accounts.models.user import Role
from zgcfund.applications.domain import workflow
from zgcfund.applications.models import Application
from zgcfund.audit.domain import record_event
from zgcfund.audit.models import Visibility
from zgcfund.review.domain import notify
from zgcfund.review.models import Assignment, ConflictOfInterest

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


is_expert = accounts_rules.is_expert


def awaiting_review(programme_code: str) -> QuerySet[Application]:
    """Applications of a programme in expert review (passed formal review; experts assignable)."""
    return (workflow.in_expert_review().filter(programme_code=programme_code)
            .select_related("organization").order_by("organization__name", "pk"))


def latest_submission(application: Application):
    return application.submissions.order_by("-number").first()


def expert_name(expert) -> str:
    return expert.get_full_name()


# --- assignment (office) -----------------------------------------------------------------------

def _check_assignable(application: Application, expert) -> None:
    if not is_expert(expert):
        raise ReviewRefused(_("“%(name)s”不是评审专家账号，不能分配评审任务。") % {"name": expert_name(expert)})
    if not application.phase.expert_review:
        raise ReviewRefused(_("“%(org)s”的申报书当前状态为“%(phase)s”，不在待专家评审阶段。")
                            % {"org": application.organization.name, "phase": application.phase.staff_name})
    conflict = ConflictOfInterest.objects.filter(expert=expert, organization=application.organization_id).first()
    if conflict is not None:
        raise ReviewRefused(_("专家%(expert)s已声明与“%(org)s”存在利益冲突（%(reason)s），不能分配该申报书。")
                            % {"expert": expert_name(expert), "org": application.organization.name,
                               "reason": conflict.reason})
    if Assignment.objects.filter(application=application, expert=expert).exists():
        raise ReviewRefused(_("专家%(expert)s已分配评审“%(org)s”的申报书。")
                            % {"expert": expert_name(expert), "org": application.organization.name})


def _create(application: Application, expert, by, how: str) -> Assignment:
    submission = latest_submission(application)
    if submission is None:
        raise ReviewRefused(_("“%(org)s”尚未提交申报书。") % {"org": application.organization.name})
    assignment = Assignment.objects.create(application=application, expert=expert, submission=submission, assigned_by=by)
    record_event("review.assign", _("分配评审专家%(expert)s（第 %(n)s 次提交）")
                 % {"expert": expert_name(expert), "n": submission.number},
                 actor=by, application=application, obj=assignment,
                 changes={"expert": expert.pk, "submission": submission.number, "how": how}, visibility=Visibility.OFFICE)
    notify.on_commit("review.assigned", notify.send_assignment, assignment.pk)  # the expert only
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
            raise ReviewRefused(_("专家%(expert)s已提交评审意见，不能取消分配。") % {"expert": expert_name(current.expert)})
        remove_assignment(current, by, _("取消分配评审专家%(expert)s") % {"expert": expert_name(current.expert)})


def remove_assignment(assignment: Assignment, by, summary: str) -> None:
    """Delete an assignment (audited); when it was the application's last, the application leaves expert
    review (``stop_review``), taken by the office or, when an expert withdraws for a conflict, the system."""
    changes = {"expert": assignment.expert_id, "submission": assignment.submission.number,
               "verdicts": assignment.verdicts.count(), "scores": assignment.scores.count()}
    application = assignment.application
    record_event("review.unassign", summary, actor=by, application=application, obj=assignment,
                 changes=changes, visibility=Visibility.OFFICE)
    assignment.delete()
    if workflow.allows(application, "stop_review") and not Assignment.objects.filter(application=application).exists():
        actor = by if workflow.role_of(by, application) == workflow.OFFICE else None
        try:
            workflow.transition(application, "stop_review", actor)
        except workflow.TransitionRefused as exc:
            raise ReviewRefused(exc.message) from None


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


def assignments_for(expert) -> QuerySet[Assignment]:
    """Only the expert's own assignments (views fetch through this: others' give 404)."""
    if not is_expert(expert):
        return Assignment.objects.none()
    return (Assignment.objects.filter(expert=expert)
            .select_related("application__organization", "application__programme_year", "submission")
            .order_by("submitted_at", "application__organization__name"))
