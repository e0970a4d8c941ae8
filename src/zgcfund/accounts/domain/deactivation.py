"""Ending an account's access: an organization's admin removes a member (its membership ends, its
account is deactivated), the office deactivates or reactivates any account but its own. Deactivation
ends every session of the account at once. Audited (activity log and security log)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from zgcfund.accounts.domain import sessions
from zgcfund.accounts.models import Membership, User
from zgcfund.accounts.models.organization import MemberRole
from zgcfund.accounts.models.user import Role
from zgcfund.accounts.rules import can_change_account, can_remove_member
from zgcfund.audit.domain import record_event
from zgcfund.audit.domain.security import SecurityEventKind, record_security_event
from zgcfund.audit.models import Visibility


class AccountChangeRefused(Exception):
    """Nothing was changed; ``message`` says why (Chinese)."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def remove_member(membership: Membership, actor, *, request=None) -> User:
    """The organization's admin removes another member: the membership is deleted, the account
    deactivated and its sessions ended. An admin cannot remove itself, so the last admin stays.
    ``request`` only gives the security log the client's address."""
    if not can_remove_member(actor, membership):
        raise PermissionDenied
    with transaction.atomic():
        member = Membership.objects.select_for_update().select_related("organization").get(pk=membership.pk)
        org = member.organization
        # The actor as it is now (not as the caller read it) must still be an active admin of the member's
        # organization; as nobody removes itself, the organization always keeps an admin, even when two
        # admins remove each other at the same time.
        actor_is_admin = Membership.objects.select_for_update().filter(
            user=actor, organization=org, role=MemberRole.ADMIN, user__is_active=True).exists()
        if not actor_is_admin or not can_remove_member(actor, member):
            raise PermissionDenied
        user = User.objects.select_for_update().get(pk=member.user_id)
        role = member.role
        member.delete()
        was_active = user.is_active
        user.is_active = False
        user.save(update_fields=["is_active"])
        ended = sessions.end_sessions(user)
        record_event("member.remove", _("将 %(name)s（%(email)s）移出单位，并停用其账户") % {
            "name": user.full_name, "email": user.email}, actor=actor, organization=org, obj=user,
            changes={"email": user.email, "role": role, "is_active": [was_active, False], "sessions_ended": ended},
            visibility=Visibility.ORGANIZATION)
    record_security_event(SecurityEventKind.ACCOUNT, request, user=actor, identity=user.email,
                          detail=f"member removed from organization {org.pk}; account deactivated; "
                                 f"{ended} session(s) ended")
    return user


def _lock_account(account: User, actor, reason: str) -> tuple[User, str]:
    if not can_change_account(actor, account):
        if getattr(actor, "is_office", False) and account.pk == actor.pk:
            raise AccountChangeRefused(_("不能停用或恢复自己的账户，请由其他项目办公室人员操作。"))
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise AccountChangeRefused(_("请填写原因，将记入操作记录。"))
    return User.objects.select_for_update().get(pk=account.pk), reason


def deactivate_account(account: User, actor, *, reason: str, request=None) -> User:
    """The office deactivates an account: it can no longer log in and its sessions end now."""
    with transaction.atomic():
        user, reason = _lock_account(account, actor, reason)
        if not user.is_active:
            raise AccountChangeRefused(_("该账户已停用。"))
        user.is_active = False
        user.save(update_fields=["is_active"])
        ended = sessions.end_sessions(user)
        record_event("account.deactivate", _("停用账户 %(email)s") % {"email": user.email}, actor=actor,
                     organization=user.organization, obj=user,
                     changes={"is_active": [True, False], "reason": reason, "sessions_ended": ended},
                     visibility=Visibility.OFFICE)
    record_security_event(SecurityEventKind.ACCOUNT, request, user=actor, identity=user.email,
                          detail=f"account deactivated; {ended} session(s) ended; reason: {reason}")
    return user


def reactivate_account(account: User, actor, *, reason: str, request=None) -> User:
    """The office reactivates an account. An applicant account removed from its organization stays off:
    it would have no organization to work for."""
    with transaction.atomic():
        user, reason = _lock_account(account, actor, reason)
        if user.is_active:
            raise AccountChangeRefused(_("该账户未停用。"))
        if user.role == Role.APPLICANT and not Membership.objects.filter(user=user).exists():
            raise AccountChangeRefused(_("该账户已被移出所属申报单位，恢复后无单位可用，不能恢复。"))
        user.is_active = True
        user.save(update_fields=["is_active"])
        record_event("account.reactivate", _("恢复账户 %(email)s") % {"email": user.email}, actor=actor,
                     organization=user.organization, obj=user, changes={"is_active": [False, True], "reason": reason},
                     visibility=Visibility.OFFICE)
    record_security_event(SecurityEventKind.ACCOUNT, request, user=actor, identity=user.email,
                          detail=f"account reactivated; reason: {reason}")
    return user
