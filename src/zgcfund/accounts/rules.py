"""Permission predicates (django-rules) for organizations and their users. Views ask these through
``accounts.views.access`` (``allowed``, ``require_perm``, ``office_required``), never by role name."""

from __future__ import annotations

import rules

from zgcfund.accounts.models.organization import MemberRole
from zgcfund.accounts.models.user import Role


@rules.predicate
def is_signed_in(user) -> bool:
    """An authenticated, active account."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


@rules.predicate
def is_office(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_office)


@rules.predicate
def is_expert(user) -> bool:
    return bool(is_signed_in(user) and user.role == Role.EXPERT)


@rules.predicate
def is_finance(user) -> bool:
    """Finance staff (财务人员): record disbursements and refunds; see the money pages only (not an office user)."""
    return bool(is_signed_in(user) and user.role == Role.FINANCE)


@rules.predicate
def is_member_of_an_organization(user) -> bool:
    """An applicant user with a membership (approved or not)."""
    return bool(is_signed_in(user) and not user.is_office and getattr(user, "membership", None) is not None)


@rules.predicate
def is_member_of_organization(user, organization) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active or organization is None:
        return False
    membership = getattr(user, "membership", None)
    return membership is not None and membership.organization_id == organization.pk


is_applicant_of = is_member_of_organization  # the older name, imported by the domain modules


@rules.predicate
def is_admin_of(user, organization) -> bool:
    return is_applicant_of(user, organization) and user.membership.role == MemberRole.ADMIN


@rules.predicate
def organization_is_approved(user, organization) -> bool:
    return organization is not None and organization.is_approved


@rules.predicate
def can_remove_member(user, membership) -> bool:
    """An organization's admin may remove another member of its own organization (never itself)."""
    return (membership is not None and membership.user_id != getattr(user, "pk", None)
            and is_admin_of(user, membership.organization))


@rules.predicate
def can_change_account(user, account) -> bool:
    """The office may deactivate or reactivate any account but its own."""
    return account is not None and is_office(user) and account.pk != user.pk


@rules.predicate
def is_recipient_of_notice(user, notice) -> bool:
    """An inbox notice is its recipient's alone (the office included: nobody reads another's notices)."""
    return notice is not None and is_signed_in(user) and notice.user_id == user.pk


rules.add_perm("accounts.access_office", is_office)
rules.add_perm("accounts.view_own_organization", is_member_of_an_organization)
rules.add_perm("accounts.view_organization", is_applicant_of | is_office)
rules.add_perm("accounts.manage_members", is_admin_of)
rules.add_perm("accounts.change_organization", is_admin_of)
rules.add_perm("accounts.review_organization", is_office)
rules.add_perm("accounts.remove_member", can_remove_member)
rules.add_perm("accounts.manage_accounts", is_office)
rules.add_perm("accounts.change_account", can_change_account)
rules.add_perm("accounts.view_security_log", is_office)
rules.add_perm("accounts.view_inbox", is_signed_in)
rules.add_perm("accounts.read_notice", is_recipient_of_notice)
