"""Registering an organization with its first user (the organization's admin), in two steps.

1. ``request_registration``: the form's data is kept as a ``PendingRegistration`` and a link is mailed to
   the login address. If the address already has an account, nothing is kept and that account's owner is
   mailed instead (log in, or reset the password). Either way the caller shows the same "check your
   e-mail" page, so the page never tells whether an address has an account. At most
   ``ratelimit.REGISTRATION`` requests per client address.
2. ``confirm_registration``: the link's owner confirms; the organization (pending the office's review),
   its admin user and their membership are created atomically."""

from __future__ import annotations

import dataclasses
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from zgcfund.accounts.domain import PRIVACY_NOTICE_VERSION, ratelimit
from zgcfund.accounts.domain.mail import send_templated
from zgcfund.accounts.models import Membership, Organization, PendingRegistration, User
from zgcfund.accounts.models.organization import MemberRole, OrganizationStatus
from zgcfund.accounts.models.user import Role
from zgcfund.audit.domain import record_event
from zgcfund.audit.models import Visibility

CONFIRM_DAYS = 3  # the mailed link's lifetime


def normalise_email(value: str) -> str:
    return (value or "").strip().lower()


def duplicate_code_message() -> str:
    return _("该统一社会信用代码已有单位注册。如为本单位，请联系本单位账户管理员邀请您加入；如有疑问，请联系项目办公室。")


def duplicate_email_message() -> str:
    return _("该电子邮箱已注册账户，请直接登录；忘记密码可通过“忘记密码”重置。")


def invalid_link_message() -> str:
    return _("注册确认链接无效、已使用或已过期（%(days)s天内有效）。请重新填写注册表。") % {"days": CONFIRM_DAYS}


def email_taken(email: str) -> bool:
    return User.objects.filter(email__iexact=normalise_email(email)).exists()


def credit_code_taken(code: str, *, exclude_pk=None) -> bool:
    return Organization.objects.filter(credit_code=code).exclude(pk=exclude_pk).exists()


class RegistrationRefused(Exception):
    """Nothing was saved; ``field`` is the form field the message belongs to (None: the whole form)."""

    def __init__(self, field: str | None, message: str, code: str = ""):
        self.field, self.message, self.code = field, message, code
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


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _check(reg: Registration) -> None:
    """Refusals that do not depend on whether the login address has an account."""
    if not reg.privacy_accepted:
        raise RegistrationRefused("privacy_accepted", _("请阅读并同意《个人信息告知》后再提交注册。"))
    if reg.credit_code_check_failed and not reg.credit_code_applicant_note.strip():
        raise RegistrationRefused("credit_code_applicant_note", _("请说明代码与登记证书的情况，供项目办公室人工核验。"))
    if credit_code_taken(reg.credit_code):
        raise RegistrationRefused("credit_code", duplicate_code_message())


def request_registration(reg: Registration, *, address: str | None, confirm_url: Callable[[str], str],
                         login_url: str, reset_url: str) -> None:
    """Step 1. Mails the confirmation link (a new address) or a notice to the account's owner (an address
    with an account); returns nothing either way. ``confirm_url(token)`` builds the link."""
    wait = ratelimit.hit(ratelimit.REGISTRATION, f"address:{address or 'unknown'}")
    if wait:
        raise RegistrationRefused(None, _("本网络提交注册的次数过多。") + ratelimit.message(wait), "rate_limited")
    _check(reg)
    email = normalise_email(reg.admin_email)
    password = make_password(reg.password)  # hashed in both cases: the same work, the same time
    if email_taken(email):
        send_templated("registration_existing", {"email": email, "login_url": login_url, "reset_url": reset_url},
                       [email])
        return
    now = timezone.now()
    token = secrets.token_urlsafe(32)
    data = {k: v for k, v in dataclasses.asdict(reg).items() if k not in ("admin_email", "password")}
    data.update(name=reg.name.strip(), contact_name=reg.contact_name.strip(), admin_full_name=reg.admin_full_name.strip(),
                contact_email=normalise_email(reg.contact_email),
                credit_code_applicant_note=reg.credit_code_applicant_note.strip() if reg.credit_code_check_failed else "",
                privacy_notice_version=PRIVACY_NOTICE_VERSION, privacy_accepted_at=now.isoformat())
    with transaction.atomic():
        # expired requests go; so does an earlier request for this address (only the newest link works)
        PendingRegistration.objects.filter(Q(expires_at__lte=now) | Q(email=email)).delete()
        PendingRegistration.objects.create(token_hash=_token_hash(token), email=email, data=data, password=password,
                                           created_at=now, expires_at=now + timedelta(days=CONFIRM_DAYS))
    send_templated("registration_confirm", {"org_name": data["name"], "full_name": data["admin_full_name"],
                                            "email": email, "confirm_url": confirm_url(token), "days": CONFIRM_DAYS},
                   [email])


def pending_registration(token: str) -> PendingRegistration | None:
    """The unexpired registration the link stands for, or None."""
    return PendingRegistration.objects.filter(token_hash=_token_hash(token), expires_at__gt=timezone.now()).first()


def confirm_registration(token: str) -> tuple[Organization, User]:
    """Step 2: create the organization, its admin and their membership from the pending registration,
    which is used up whatever the outcome."""
    now = timezone.now()
    refusal: RegistrationRefused | None = None
    with transaction.atomic():
        pending = (PendingRegistration.objects.select_for_update()
                   .filter(token_hash=_token_hash(token), expires_at__gt=now).first())
        if pending is None:
            raise RegistrationRefused(None, invalid_link_message(), "invalid_link")
        pending.delete()
        try:
            with transaction.atomic():
                org, user = _create(pending, now)
        except RegistrationRefused as exc:  # registered in the meantime
            refusal = exc
    if refusal is not None:
        raise refusal
    return org, user


def _taken_refusal(d: dict, email: str) -> RegistrationRefused | None:
    if credit_code_taken(d["credit_code"]):
        return RegistrationRefused("credit_code", duplicate_code_message())
    if email_taken(email):
        return RegistrationRefused("email", duplicate_email_message())
    return None


def _create(pending: PendingRegistration, now) -> tuple[Organization, User]:
    d, email = pending.data, pending.email
    refusal = _taken_refusal(d, email)
    if refusal is not None:
        raise refusal
    try:
        with transaction.atomic():
            org = Organization.objects.create(
                name=d["name"], credit_code=d["credit_code"], credit_code_check_failed=d["credit_code_check_failed"],
                credit_code_applicant_note=d["credit_code_applicant_note"],
                registration_type=d["registration_type"], comprehensive=d["comprehensive"],
                registers_tech_contracts=d["registers_tech_contracts"],
                contact_name=d["contact_name"], contact_phone=d["contact_phone"], contact_email=d["contact_email"],
                status=OrganizationStatus.PENDING, privacy_notice_version=d["privacy_notice_version"],
                privacy_accepted_at=parse_datetime(d["privacy_accepted_at"]) or now, created_at=now)
            user = User.objects.create_user(email=email, password=None, full_name=d["admin_full_name"],
                                            role=Role.APPLICANT)
            user.password = pending.password  # hashed at step 1
            user.save(update_fields=["password"])
            Membership.objects.create(user=user, organization=org, role=MemberRole.ADMIN, joined_at=now)
            record_event("organization.register", _("注册申报单位“%(name)s”") % {"name": org.name}, actor=user,
                         organization=org, obj=org,
                         changes={"credit_code": org.credit_code, "credit_code_check_failed": org.credit_code_check_failed,
                                  "privacy_notice_version": org.privacy_notice_version,
                                  "email_confirmed_at": now.isoformat()},
                         visibility=Visibility.ORGANIZATION)
    except IntegrityError:  # registered at the same moment by someone else
        refusal = _taken_refusal(d, email)
        if refusal is not None:
            raise refusal from None
        raise
    return org, user
