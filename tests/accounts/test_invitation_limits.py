"""Invitations only once the office has approved the organization, and at most ratelimit.INVITATION
per organization."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from zgcfund.accounts.domain import ratelimit
from zgcfund.accounts.domain.invitations import InvitationRefused, invite
from zgcfund.accounts.models import Invitation
from zgcfund.audit.models import SecurityEvent, SecurityEventKind

MEMBERS = reverse("accounts:members")
pytestmark = pytest.mark.django_db


@pytest.fixture
def pending_admin(make_org, make_user):
    org = make_org("北京中关村待审核协会", approved=False)
    return make_user("admin@pending.example", organization=org, full_name="孙管理")


def test_an_organization_awaiting_approval_cannot_invite(client, pending_admin):
    client.force_login(pending_admin)
    page = client.get(MEMBERS).content.decode()
    assert "审核通过后才能邀请同事" in page and 'name="email"' not in page
    response = client.post(MEMBERS, {"email": "colleague@pending.example"})
    assert response.status_code == 200 and "审核通过后才能邀请同事" in response.content.decode()
    assert not Invitation.objects.exists() and not mail.outbox
    with pytest.raises(InvitationRefused, match="审核通过后"):
        invite(pending_admin.organization, pending_admin, "colleague@pending.example")


def test_a_rejected_organization_cannot_invite_either(pending_admin):
    org = pending_admin.organization
    org.status = "rejected"
    org.save()
    with pytest.raises(InvitationRefused):
        invite(org, pending_admin, "colleague@pending.example")


def test_invitations_are_limited_per_organization(client, applicant, other_applicant, monkeypatch):
    monkeypatch.setattr(ratelimit, "INVITATION", ratelimit.Limit("invitation", 2, 24 * 3600))
    client.force_login(applicant)
    for i in range(2):
        assert client.post(MEMBERS, {"email": f"c{i}@ai-assoc.example"}).status_code == 302
    response = client.post(MEMBERS, {"email": "c2@ai-assoc.example"}, REMOTE_ADDR="192.0.2.44")
    assert response.status_code == 200 and "邀请已达上限" in response.content.decode()
    assert Invitation.objects.filter(organization=applicant.organization).count() == 2 and len(mail.outbox) == 2
    [refused] = SecurityEvent.objects.filter(kind=SecurityEventKind.RATE_LIMITED)
    assert (refused.user, refused.identity, refused.address) == (applicant, "c2@ai-assoc.example", "192.0.2.44")
    invite(other_applicant.organization, other_applicant, "c0@other.example")  # another organization: its own count
