"""Conflicts of interest: an expert declares one with an organization; its not-yet-submitted
assignments to that organization's applications are withdrawn, and no new one can be made."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from zgcfund.accounts.models import Organization
from zgcfund.applications.domain import workflow
from zgcfund.audit.domain import record_event
from zgcfund.audit.models import Visibility
from zgcfund.review.domain.assignment import ReviewInvalid, ReviewRefused, expert_name, is_expert, remove_assignment
from zgcfund.review.models import Assignment, ConflictOfInterest

__all__ = ["ReviewInvalid", "ReviewRefused", "declare_conflict", "organizations_under_review"]


def organizations_under_review() -> QuerySet[Organization]:
    return (Organization.objects.filter(applications__status__in=workflow.EXPERT_REVIEW_PHASES).distinct()
            .order_by("name"))


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
                     % {"expert": expert_name(expert), "reason": reason},
                     actor=expert, organization=organization, obj=conflict,
                     changes={"expert": expert.pk, "reason": reason, "withdrawn": [a.pk for a in held]},
                     visibility=Visibility.OFFICE)
        for a in held:
            remove_assignment(a, expert, _("评审专家%(expert)s因利益冲突回避，取消分配") % {"expert": expert_name(expert)})
    return conflict
