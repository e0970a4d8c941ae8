"""Scoped querysets: an organization's users see their own organization only; the office sees all."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from zgcfund.accounts.models import Invitation, Membership, Organization, User
from zgcfund.accounts.rules import is_office, is_signed_in


def organizations_for(user) -> QuerySet[Organization]:
    if not is_signed_in(user):
        return Organization.objects.none()
    if is_office(user):
        return Organization.objects.all()
    membership = getattr(user, "membership", None)
    if membership is None:
        return Organization.objects.none()
    return Organization.objects.filter(pk=membership.organization_id)


def members_of(organization: Organization) -> QuerySet[Membership]:
    return (Membership.objects.filter(organization=organization).select_related("user")
            .order_by("role", "joined_at", "pk"))


def invitations_of(organization: Organization) -> QuerySet[Invitation]:
    return Invitation.objects.filter(organization=organization).select_related("invited_by")


def open_invitations_of(organization: Organization, now=None) -> QuerySet[Invitation]:
    return invitations_of(organization).filter(accepted_at__isnull=True, revoked_at__isnull=True,
                                               expires_at__gt=now or timezone.now())


def accounts_for_office(*, q: str = "", role: str = "", organization: str = "", active: str = "") -> QuerySet[User]:
    """Every account (the office's accounts page): by name or e-mail, role, organization name, active or not."""
    users = User.objects.select_related("membership__organization")
    q, organization = q.strip(), organization.strip()
    if q:
        users = users.filter(Q(email__icontains=q) | Q(full_name__icontains=q))
    if role:
        users = users.filter(role=role)
    if organization:
        users = users.filter(membership__organization__name__icontains=organization)
    if active in ("1", "0"):
        users = users.filter(is_active=active == "1")
    return users.order_by("role", "email")
