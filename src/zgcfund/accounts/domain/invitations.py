"""An organization's admin invites colleagues (editors) by e-mail, once the office has approved the
organization, at most ``ratelimit.INVITATION`` a day per organization. The token is random and only its
SHA-256 is stored; an invitation can be used once, within 7 days, unless revoked."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zgcfund.accounts.domain import PRIVACY_NOTICE_VERSION, ratelimit
from zgcfund.accounts.domain.mail import send_templated
from zgcfund.accounts.domain.queries import open_invitations_of
from zgcfund.accounts.domain.registration import duplicate_email_message, email_taken, normalise_email
from zgcfund.accounts.models import Invitation, Membership, Organization, User
from zgcfund.accounts.models.organization import MemberRole
from zgcfund.accounts.models.user import Role
from zgcfund.accounts.rules import is_admin_of
from zgcfund.audit.domain import record_event
from zgcfund.audit.models import Visibility

INVITATION_DAYS = 7


class InvitationRefused(Exception):
    def __init__(self, field: str | None, message: str, code: str = ""):
        self.field, self.message, self.code = field, message, code
        super().__init__(message)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def invite(organization: Organization, actor, email: str) -> tuple[Invitation, str]:
    """A new invitation and its token (returned once, never stored). An earlier open invitation of the
    same address to the same organization is revoked, so only the newest link works."""
    if not is_admin_of(actor, organization):
        raise PermissionDenied
    if not organization.is_approved:
        raise InvitationRefused(None, _("本单位的注册尚未通过项目办公室审核，审核通过后才能邀请同事。"), "not_approved")
    email = normalise_email(email)
    if email_taken(email):
        raise InvitationRefused("email", _("该邮箱已注册账户。每个账户只能属于一个申报单位；如需调整，请联系项目办公室。"))
    wait = ratelimit.hit(ratelimit.INVITATION, f"organization:{organization.pk}")
    if wait:
        limit = ratelimit.INVITATION
        raise InvitationRefused(None, _("本单位发出的邀请已达上限（%(hours)s 小时内最多 %(n)s 封）。") % {
            "hours": limit.window_seconds // 3600, "n": limit.max_hits} + ratelimit.message(wait), "rate_limited")
    now = timezone.now()
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        for old in open_invitations_of(organization, now).filter(email__iexact=email).select_for_update():
            old.revoked_at = now
            old.save(update_fields=["revoked_at"])
        invitation = Invitation.objects.create(
            organization=organization, email=email, role=MemberRole.EDITOR, token_sha256=token_hash(token),
            invited_by=actor, created_at=now, expires_at=now + dt.timedelta(days=INVITATION_DAYS))
        record_event("invitation.create", _("邀请 %(email)s 加入单位") % {"email": email}, actor=actor,
                     organization=organization, obj=invitation, changes={"email": email, "role": invitation.role},
                     visibility=Visibility.ORGANIZATION)
    return invitation, token


def send_invitation(invitation: Invitation, accept_url: str) -> bool:
    return send_templated("invitation", {"invitation": invitation, "org": invitation.organization,
                                         "accept_url": accept_url, "days": INVITATION_DAYS}, [invitation.email])


def find_invitation(token: str) -> Invitation | None:
    """The usable invitation for ``token``, or None (unknown, used, revoked or expired)."""
    if not token or len(token) > 200:
        return None
    invitation = (Invitation.objects.select_related("organization", "invited_by")
                  .filter(token_sha256=token_hash(token)).first())
    return invitation if invitation is not None and invitation.is_usable() else None


def revoke_invitation(invitation: Invitation, actor) -> Invitation:
    if not is_admin_of(actor, invitation.organization):
        raise PermissionDenied
    with transaction.atomic():
        inv = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if inv.accepted_at is not None:
            raise InvitationRefused(None, _("该邀请已被接受，无法撤销。"))
        if inv.revoked_at is None:
            inv.revoked_at = timezone.now()
            inv.save(update_fields=["revoked_at"])
            record_event("invitation.revoke", _("撤销对 %(email)s 的邀请") % {"email": inv.email}, actor=actor,
                         organization=inv.organization, obj=inv, visibility=Visibility.ORGANIZATION)
    return inv


def accept_invitation(token: str, *, full_name: str, password: str, privacy_accepted: bool) -> User:
    """Create the invitee's account and membership; the password is already validated."""
    if not privacy_accepted:
        raise InvitationRefused("privacy_accepted", _("请阅读并同意《个人信息告知》后再设置账户。"))
    with transaction.atomic():
        found = find_invitation(token)
        if found is None:
            raise InvitationRefused(None, _("邀请链接无效、已使用、已撤销或已过期，请联系本单位账户管理员重新邀请。"))
        inv = Invitation.objects.select_for_update().get(pk=found.pk)
        if not inv.is_usable():
            raise InvitationRefused(None, _("邀请链接无效、已使用、已撤销或已过期，请联系本单位账户管理员重新邀请。"))
        if email_taken(inv.email):
            raise InvitationRefused(None, duplicate_email_message())
        now = timezone.now()
        try:
            with transaction.atomic():
                user = User.objects.create_user(email=inv.email, password=password, full_name=full_name.strip(),
                                                role=Role.APPLICANT)
        except IntegrityError:
            raise InvitationRefused(None, duplicate_email_message()) from None
        Membership.objects.create(user=user, organization=inv.organization, role=inv.role, joined_at=now)
        inv.accepted_at = now
        inv.save(update_fields=["accepted_at"])
        record_event("invitation.accept", _("%(name)s 接受邀请加入单位") % {"name": user.full_name}, actor=user,
                     organization=inv.organization, obj=inv,
                     changes={"email": inv.email, "role": inv.role, "privacy_notice_version": PRIVACY_NOTICE_VERSION},
                     visibility=Visibility.ORGANIZATION)
    return user
