"""An organization's admin changing its details. Once the office has approved the organization only
the contact details can change here; its name and credit code then change through the office."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from zgcfund.accounts.domain.registration import credit_code_taken, duplicate_code_message, normalise_email
from zgcfund.accounts.models import Organization
from zgcfund.accounts.models.organization import OrganizationStatus
from zgcfund.accounts.rules import is_admin_of
from zgcfund.audit.domain import changed_fields, record_event
from zgcfund.audit.models import Visibility

CONTACT_FIELDS = ("contact_name", "contact_phone", "contact_email")
REGISTRATION_FIELDS = ("name", "credit_code", "credit_code_check_failed", "credit_code_applicant_note",
                       "registration_type", "comprehensive", "registers_tech_contracts")


class OrganizationEditRefused(Exception):
    def __init__(self, field: str | None, message: str):
        self.field, self.message = field, message
        super().__init__(message)


def editable_fields(organization: Organization) -> tuple[str, ...]:
    return CONTACT_FIELDS if organization.is_approved else REGISTRATION_FIELDS + CONTACT_FIELDS


def update_organization(organization: Organization, actor, data: dict[str, Any]) -> Organization:
    """Save the changed fields of ``data`` (cleaned values). A rejected organization that is changed
    goes back to the office's queue (pending). Atomic and audited."""
    if not is_admin_of(actor, organization):
        raise PermissionDenied
    with transaction.atomic():
        org = Organization.objects.select_for_update().get(pk=organization.pk)
        allowed = editable_fields(org)
        values = {k: v for k, v in data.items() if k in REGISTRATION_FIELDS + CONTACT_FIELDS}
        if "contact_email" in values:
            values["contact_email"] = normalise_email(values["contact_email"])
        before = {k: getattr(org, k) for k in values}
        changes = changed_fields(before, values)
        locked = sorted(set(changes) - set(allowed))
        if locked:
            raise OrganizationEditRefused(locked[0], _("单位已通过审核，单位名称、统一社会信用代码等登记信息"
                                                       "不能在此修改，请联系项目办公室。"))
        if not changes:
            return org
        if "credit_code" in changes and credit_code_taken(values["credit_code"], exclude_pk=org.pk):
            raise OrganizationEditRefused("credit_code", duplicate_code_message())
        if values.get("credit_code_check_failed") and not (values.get("credit_code_applicant_note") or "").strip():
            raise OrganizationEditRefused("credit_code_applicant_note",
                                          _("请说明代码与登记证书的情况，供项目办公室人工核验。"))
        for k, v in values.items():
            setattr(org, k, v)
        if "credit_code" in changes:
            org.credit_code_override_reason = ""
        if not org.credit_code_check_failed:
            org.credit_code_applicant_note = ""
        resubmitted = org.status == OrganizationStatus.REJECTED
        if resubmitted:
            org.status = OrganizationStatus.PENDING
            changes["status"] = [OrganizationStatus.REJECTED, OrganizationStatus.PENDING]
        try:
            with transaction.atomic():
                org.save()
        except IntegrityError:
            raise OrganizationEditRefused("credit_code", duplicate_code_message()) from None
        summary = _("修改单位信息并重新提交审核") if resubmitted else _("修改单位信息")
        record_event("organization.update", summary, actor=actor, organization=org, obj=org, changes=changes,
                     visibility=Visibility.ORGANIZATION)
    return org
