"""Registering an organization with its first user (the organization's admin)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zgcfund.accounts.domain import PRIVACY_NOTICE_VERSION
from zgcfund.accounts.models import Membership, Organization, User
from zgcfund.accounts.models.organization import MemberRole, OrganizationStatus
from zgcfund.accounts.models.user import Role
from zgcfund.audit.domain import record_event


def normalise_email(value: str) -> str:
    return (value or "").strip().lower()


def duplicate_code_message() -> str:
    return _("该统一社会信用代码已有单位注册。如为本单位，请联系本单位账户管理员邀请您加入；如有疑问，请联系项目办公室。")


def duplicate_email_message() -> str:
    return _("该电子邮箱已注册账户，请直接登录；忘记密码可通过“忘记密码”重置。")


def email_taken(email: str) -> bool:
    return User.objects.filter(email__iexact=normalise_email(email)).exists()


def credit_code_taken(code: str, *, exclude_pk=None) -> bool:
    return Organization.objects.filter(credit_code=code).exclude(pk=exclude_pk).exists()


class RegistrationRefused(Exception):
    """Nothing was saved; ``field`` is the form field the message belongs to."""

    def __init__(self, field: str, message: str):
        self.field, self.message = field, message
        super().__init__(message)


@dataclass(frozen=True)
class Registration:
    name: str
    credit_code: str  # normalised
    registration_type: str
    comprehensive: bool
    registers_tech_contracts: bool
    contact_name: str
    contact_phone: str  # normalised
    contact_email: str
    admin_full_name: str
    admin_email: str
    password: str  # already checked against AUTH_PASSWORD_VALIDATORS
    privacy_accepted: bool
    credit_code_check_failed: bool = False
    credit_code_applicant_note: str = ""


def register_organization(reg: Registration) -> tuple[Organization, User]:
    """Create the organization (pending the office's review), its admin user and their membership, atomically."""
    if not reg.privacy_accepted:
        raise RegistrationRefused("privacy_accepted", _("请阅读并同意《个人信息告知》后再提交注册。"))
    if reg.credit_code_check_failed and not reg.credit_code_applicant_note.strip():
        raise RegistrationRefused("credit_code_applicant_note", _("请说明代码与登记证书的情况，供项目办公室人工核验。"))
    email = normalise_email(reg.admin_email)
    if credit_code_taken(reg.credit_code):
        raise RegistrationRefused("credit_code", duplicate_code_message())
    if email_taken(email):
        raise RegistrationRefused("email", duplicate_email_message())
    now = timezone.now()
    try:
        with transaction.atomic():
            org = Organization.objects.create(
                name=reg.name.strip(), credit_code=reg.credit_code,
                credit_code_check_failed=reg.credit_code_check_failed,
                credit_code_applicant_note=reg.credit_code_applicant_note.strip() if reg.credit_code_check_failed else "",
                registration_type=reg.registration_type, comprehensive=reg.comprehensive,
                registers_tech_contracts=reg.registers_tech_contracts,
                contact_name=reg.contact_name.strip(), contact_phone=reg.contact_phone,
                contact_email=normalise_email(reg.contact_email),
                status=OrganizationStatus.PENDING,
                privacy_notice_version=PRIVACY_NOTICE_VERSION, privacy_accepted_at=now, created_at=now)
            user = User.objects.create_user(email=email, password=reg.password, full_name=reg.admin_full_name.strip(),
                                            role=Role.APPLICANT)
            Membership.objects.create(user=user, organization=org, role=MemberRole.ADMIN, joined_at=now)
            record_event("organization.register", _("注册申报单位“%(name)s”") % {"name": org.name}, actor=user,
                         organization=org, obj=org,
                         changes={"credit_code": org.credit_code, "credit_code_check_failed": org.credit_code_check_failed,
                                  "privacy_notice_version": org.privacy_notice_version})
    except IntegrityError:  # registered at the same moment by someone else
        if credit_code_taken(reg.credit_code):
            raise RegistrationRefused("credit_code", duplicate_code_message()) from None
        if email_taken(email):
            raise RegistrationRefused("email", duplicate_email_message()) from None
        raise
    return org, user
