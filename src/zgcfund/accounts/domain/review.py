"""The programme office's review of a newly registered organization."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from zgcfund.accounts.domain.eligibility import eligibility_checklist
from zgcfund.accounts.domain.mail import send_templated
from zgcfund.accounts.models import Organization
from zgcfund.accounts.models.organization import MemberRole, OrganizationStatus
from zgcfund.audit.domain import record_event
from zgcfund.audit.models import Visibility


class ReviewRefused(Exception):
    """Nothing was saved; ``field`` is the review form field the message belongs to."""

    def __init__(self, field: str, message: str):
        self.field, self.message = field, message
        super().__init__(message)


def review_organization(organization: Organization, actor, *, approve: bool, note: str = "",
                        override_reason: str = "", eligibility_reason: str = "") -> Organization:
    """Approve or reject. Rejecting needs a note; approving an organization whose credit code failed
    the check needs the office's override reason, and approving one whose eligibility checklist has a
    missing item or a raised flag needs ``eligibility_reason``. Audited; returns the saved organization."""
    if not getattr(actor, "is_office", False):
        raise PermissionDenied
    note, override_reason = (note or "").strip(), (override_reason or "").strip()
    eligibility_reason = (eligibility_reason or "").strip()
    with transaction.atomic():
        org = Organization.objects.select_for_update().get(pk=organization.pk)
        if not approve and not note:
            raise ReviewRefused("note", _("不予通过时请填写审核意见，说明原因，申报单位将收到此意见。"))
        if approve and org.credit_code_check_failed and not override_reason:
            raise ReviewRefused("override_reason", _(
                "该单位的统一社会信用代码未通过校验：通过审核前，请核对登记证书并填写人工核验通过的理由。"))
        problems = eligibility_checklist(org).problems if approve else []
        if problems and not eligibility_reason:
            raise ReviewRefused("eligibility_reason", eligibility_refusal(problems))
        before = {"status": org.status, "review_note": org.review_note,
                  "credit_code_override_reason": org.credit_code_override_reason,
                  "eligibility_override_reason": org.eligibility_override_reason}
        org.status = OrganizationStatus.APPROVED if approve else OrganizationStatus.REJECTED
        org.review_note = note
        if approve and org.credit_code_check_failed:
            org.credit_code_override_reason = override_reason
        if approve:
            org.eligibility_override_reason = eligibility_reason if problems else ""
        org.reviewed_by, org.reviewed_at = actor, timezone.now()
        org.save(update_fields=["status", "review_note", "credit_code_override_reason", "eligibility_override_reason",
                                "reviewed_by", "reviewed_at", "updated_at"])
        after = {"status": org.status, "review_note": org.review_note,
                 "credit_code_override_reason": org.credit_code_override_reason,
                 "eligibility_override_reason": org.eligibility_override_reason}
        record_event("organization.approve" if approve else "organization.reject",
                     (_("审核通过申报单位“%(name)s”") if approve else _("申报单位“%(name)s”审核未通过")) % {"name": org.name},
                     actor=actor, organization=org, obj=org,
                     changes={**{k: [before[k], after[k]] for k in after if before[k] != after[k]},
                              **({"eligibility_problems": problems} if problems else {})},
                     visibility=Visibility.ORGANIZATION)
    return org


def eligibility_refusal(problems: list[str]) -> str:
    return _("资格核验未通过：%(problems)s。如仍予通过，请填写资格核验通过理由。") % {
        "problems": pgettext("list separator", "；").join(problems)}


def send_review_notice(organization: Organization, site_url: str = "") -> bool:
    """Tell the organization's contact (and its admins) the result. False if the e-mail could not be sent."""
    admins = organization.memberships.filter(role=MemberRole.ADMIN, user__is_active=True).values_list("user__email",
                                                                                                         flat=True)
    template = "review_approved" if organization.is_approved else "review_rejected"
    return send_templated(template, {"org": organization, "site_url": site_url},
                          [organization.contact_email, *admins])
