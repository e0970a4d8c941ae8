"""Accounts of expert reviewers and office staff, created by the office (applicants register their
organizations themselves). The account has no usable password: its owner is mailed a one-time link to
set one, valid ``SET_PASSWORD_DAYS`` days. While the account is active and still has no usable password
the office can mail a new link, which makes the earlier ones useless. ``manage.py create_staff_account``
creates the first office user of a new installation (there is no actor then).

Creation and new links are audited (office-only activity entry, in the same transaction) and go to the
security log; the mail is sent once the transaction has committed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode
from django.utils.translation import gettext as _

from zgcfund.accounts.domain.mail import send_templated
from zgcfund.accounts.domain.phones import normalise_phone
from zgcfund.accounts.domain.registration import normalise_email
from zgcfund.accounts.models import User
from zgcfund.accounts.models.user import Role
from zgcfund.accounts.rules import is_office
from zgcfund.audit.domain import record_event
from zgcfund.audit.domain.security import SecurityEventKind, record_security_event
from zgcfund.audit.models import Visibility

SET_PASSWORD_DAYS = 3
STAFF_ROLES = (Role.EXPERT, Role.OFFICE, Role.FINANCE)
COMMAND = "manage.py create_staff_account"
FULL_NAME_MAX = User._meta.get_field("full_name").max_length


class StaffAccountRefused(Exception):
    """Nothing was changed; ``field`` is the form field the message belongs to (None: the whole form)."""

    def __init__(self, field: str | None, message: str):
        self.field, self.message = field, message
        super().__init__(message)


@dataclass
class LinkMail:
    """The account a set-password link was made for. ``sent`` is None until the transaction has
    committed, then whether the mail server took the mail."""

    user: User
    sent: bool | None = None


def awaits_password(user) -> bool:
    """An active expert or office account whose owner has not set a password yet."""
    return bool(user is not None and user.is_active and user.role in STAFF_ROLES and not user.has_usable_password())


class SetPasswordTokenGenerator(PasswordResetTokenGenerator):
    """Django's password-reset token with its own salt and lifetime, for accounts awaiting a password.
    The hash covers the (unusable) password, so setting a password or mailing a new link ends it."""

    key_salt = "zgcfund.accounts.domain.staff.SetPasswordTokenGenerator"

    def check_token(self, user, token):
        if not (user and token) or not awaits_password(user):
            return False
        try:
            ts = base36_to_int(token.split("-")[0])
        except ValueError:
            return False
        if self._num_seconds(self._now()) - ts > SET_PASSWORD_DAYS * 24 * 3600:
            return False
        return any(constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token)
                   for secret in [self.secret, *self.secret_fallbacks])


set_password_tokens = SetPasswordTokenGenerator()


def set_password_path(user: User) -> str:
    return reverse("accounts:set_password", kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                                                    "token": set_password_tokens.make_token(user)})


def _mail_on_commit(outcome: LinkMail, absolute_url: Callable[[str], str], *, again: bool) -> None:
    def send():
        user = outcome.user
        outcome.sent = send_templated("set_password", {
            "user": user, "link": absolute_url(set_password_path(user)),
            "login_url": absolute_url(reverse("accounts:login")), "days": SET_PASSWORD_DAYS, "again": again,
        }, [user.email])
    transaction.on_commit(send)


def _check_actor(actor, by_command: bool) -> None:
    if not by_command and not is_office(actor):
        raise PermissionDenied


def create_staff_account(actor, role: str, email: str, full_name: str, phone: str = "", *,
                         absolute_url: Callable[[str], str], request=None, by_command: bool = False) -> LinkMail:
    """The office creates an expert's or an office user's account and mails its owner a link to set a
    password. ``absolute_url(path)`` makes the mailed links absolute; ``request`` only gives the security
    log the client's address. ``by_command``: created by ``manage.py create_staff_account`` (no actor)."""
    _check_actor(actor, by_command)
    if role not in STAFF_ROLES:
        raise StaffAccountRefused("role", _("请选择角色：评审专家或项目办公室。"))
    email = normalise_email(email)
    full_name = " ".join((full_name or "").split())
    if not email:
        raise StaffAccountRefused("email", _("请填写电子邮箱。"))
    try:
        validate_email(email)
    except ValidationError:
        raise StaffAccountRefused("email", _("电子邮箱格式不正确，请检查后重新填写。")) from None
    if not full_name:
        raise StaffAccountRefused("full_name", _("请填写姓名。"))
    if len(full_name) > FULL_NAME_MAX:
        raise StaffAccountRefused("full_name", _("姓名最多 %(n)s 个字。") % {"n": FULL_NAME_MAX})
    if phone:
        phone = normalise_phone(phone)
        if phone is None:
            raise StaffAccountRefused("phone", _("手机号码格式不正确，请填写中国大陆手机号码（11位）或固定电话。"))
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        raise StaffAccountRefused("email", duplicate_staff_email_message(existing))
    with transaction.atomic():
        try:
            with transaction.atomic():
                user = User.objects.create_user(email=email, password=None, full_name=full_name, phone=phone or "",
                                                role=role)
        except IntegrityError:
            raise StaffAccountRefused("email", _("该电子邮箱已有账户，不能重复新建；可在账户列表中按邮箱查找该账户。")) from None
        via = COMMAND if by_command else "office"
        record_event("account.create", _("新建%(role)s账户 %(email)s") % {"role": user.get_role_display(), "email": email},
                     actor=None if by_command else actor, obj=user,
                     changes={"email": email, "full_name": full_name, "role": role, "phone": user.phone, "via": via},
                     visibility=Visibility.OFFICE)
        outcome = LinkMail(user)
        _mail_on_commit(outcome, absolute_url, again=False)
    record_security_event(SecurityEventKind.ACCOUNT, request, user=None if by_command else actor, identity=email,
                          detail=f"{role} account created ({via}); set-password link mailed")
    return outcome


def duplicate_staff_email_message(existing: User) -> str:
    return _("该电子邮箱已有账户（%(role)s），不能重复新建；可在账户列表中按邮箱查找该账户。") % {
        "role": existing.get_role_display()}


def resend_set_password_link(account: User, actor, *, absolute_url: Callable[[str], str], request=None) -> LinkMail:
    """The office mails a new set-password link to an active expert or office account that has no usable
    password yet; earlier links stop working."""
    _check_actor(actor, False)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=account.pk)
        if not user.is_active:
            raise StaffAccountRefused(None, _("该账户已停用，不能发送设置密码链接；请先恢复账户。"))
        if user.has_usable_password():
            raise StaffAccountRefused(None, _("该账户已设置密码，无需发送设置密码链接；如忘记密码，本人可通过“忘记密码”重置。"))
        if user.role not in STAFF_ROLES:
            raise StaffAccountRefused(None, _("只能为评审专家和项目办公室账户发送设置密码链接。"))
        user.set_unusable_password()  # a new unusable password: the earlier links no longer match
        user.save(update_fields=["password"])
        record_event("account.set_password_link", _("重新发送设置密码链接至 %(email)s") % {"email": user.email},
                     actor=actor, obj=user, changes={"email": user.email}, visibility=Visibility.OFFICE)
        outcome = LinkMail(user)
        _mail_on_commit(outcome, absolute_url, again=True)
    record_security_event(SecurityEventKind.ACCOUNT, request, user=actor, identity=user.email,
                          detail="set-password link mailed again; earlier links ended")
    return outcome
