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


PROFILE_FIELDS = ("registration_authority", "registered_address", "inspection_year", "inspection_result")


def _check_certificate(uploaded_file) -> tuple[str, str, str]:
    """(name, content type, SHA-256) of an acceptable scan: PDF, JPEG or PNG by content, within the size
    limit. OrganizationEditRefused naming the field otherwise."""
    from hashlib import sha256

    from django.conf import settings

    from zgcfund.files.names import clean_name, size_text
    from zgcfund.files.types import COMMITMENT_TYPES, EvidenceRejected, identify

    label = _("登记证书扫描件")
    name = clean_name(getattr(uploaded_file, "name", ""))
    limit = settings.EVIDENCE_MAX_BYTES
    digest, size = sha256(), 0
    uploaded_file.seek(0)
    for chunk in uploaded_file.chunks():
        size += len(chunk)
        if size > limit:
            raise OrganizationEditRefused("certificate", _("%(field)s：文件“%(name)s”超过 %(limit)s 上限，未保存。") % {
                "field": label, "name": name, "limit": size_text(limit)})
        digest.update(chunk)
    if size == 0:
        raise OrganizationEditRefused("certificate", _("%(field)s：文件“%(name)s”是空文件（0 字节），未保存。") % {
            "field": label, "name": name})
    try:
        ftype = identify(uploaded_file, name, COMMITMENT_TYPES)
    except EvidenceRejected as exc:
        raise OrganizationEditRefused("certificate", _("%(field)s：%(reason)s") % {
            "field": label, "reason": exc.message}) from None
    return name, ftype.mime, digest.hexdigest()


def update_eligibility_profile(organization: Organization, actor, data: dict[str, Any],
                               certificate=None) -> Organization:
    """Save the eligibility profile the office checks before approving (登记证书扫描件, 登记管理机关, 住所,
    年检/年报结论, 无严重失信记录声明). ``data`` holds cleaned values; ``declared`` is the declaration
    checkbox (its time is recorded when first given). A refused scan saves nothing. Atomic and audited."""
    import uuid

    from django.utils import timezone

    from zgcfund.accounts.domain.eligibility import declaration_text_zh
    from zgcfund.files.types import TYPES

    if not is_admin_of(actor, organization):
        raise PermissionDenied
    checked = _check_certificate(certificate) if certificate is not None else None
    old_file = None
    with transaction.atomic():
        org = Organization.objects.select_for_update().get(pk=organization.pk)
        values = {k: data.get(k) for k in PROFILE_FIELDS if k in data}
        for k in ("registration_authority", "registered_address", "inspection_result"):
            if k in values:
                values[k] = (values[k] or "").strip()
        before = {k: getattr(org, k) for k in values}
        changes = changed_fields(before, values)
        for k, v in values.items():
            setattr(org, k, v)
        declared = bool(data.get("declared"))
        if declared and not org.no_dishonesty_declared_at:
            org.no_dishonesty_declaration, org.no_dishonesty_declared_at = declaration_text_zh(), timezone.now()
            changes["no_dishonesty_declared_at"] = [None, org.no_dishonesty_declared_at.isoformat()]
        elif not declared and org.no_dishonesty_declared_at:
            changes["no_dishonesty_declared_at"] = [org.no_dishonesty_declared_at.isoformat(), None]
            org.no_dishonesty_declaration, org.no_dishonesty_declared_at = "", None
        if checked is not None:
            name, mime, digest = checked
            old_file, old_name = org.certificate.name or None, org.certificate_name
            org.certificate.save(uuid.uuid4().hex + TYPES[mime].extensions[0], certificate, save=False)
            org.certificate_name, org.certificate_content_type = name, mime
            org.certificate_sha256, org.certificate_uploaded_at = digest, timezone.now()
            changes["certificate"] = [old_name or None, name]
        if not changes:
            return org
        try:
            org.save()
            record_event("organization.profile", _("修改单位资格材料"), actor=actor, organization=org, obj=org,
                         changes=changes, visibility=Visibility.ORGANIZATION)
        except BaseException:
            if checked is not None:
                org.certificate.storage.delete(org.certificate.name)
            raise
    if old_file:
        transaction.on_commit(lambda: org.certificate.storage.delete(old_file))
    return org

