"""The organization's admin invites editors by e-mail; invitations expire after 7 days, can be revoked,
and only the admin of the organization can invite or see its members."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from accountkit import STRONG_PASSWORD
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from zgcfund.accounts.domain.invitations import InvitationRefused, accept_invitation, invite
from zgcfund.accounts.models import Invitation, User
from zgcfund.accounts.models.organization import MemberRole
from zgcfund.audit.models import AuditEvent

pytestmark = pytest.mark.django_db
MEMBERS = reverse("accounts:members")


def invite_by_post(client, admin, email="colleague@ai-assoc.example"):
    client.force_login(admin)
    response = client.post(MEMBERS, {"email": email})
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()
    [message] = mail.outbox[-1:]
    return re.search(r"https?://\S+/accounts/invitations/\S+/", message.body).group(0)


def accept(client, link, **overrides):
    data = {"full_name": "吴填报", "password1": STRONG_PASSWORD, "password2": STRONG_PASSWORD,
            "privacy_accepted": "on", **overrides}
    return client.post(link, data)


def test_invite_stores_only_the_token_hash_and_mails_the_link(client, applicant, org):
    link = invite_by_post(client, applicant)
    token = link.rstrip("/").rsplit("/", 1)[1]
    invitation = Invitation.objects.get()
    assert invitation.email == "colleague@ai-assoc.example" and invitation.role == MemberRole.EDITOR
    assert invitation.token_sha256 == hashlib.sha256(token.encode()).hexdigest() and token not in invitation.token_sha256
    assert dt.timedelta(days=6, hours=23) < invitation.expires_at - invitation.created_at <= dt.timedelta(days=7)
    assert mail.outbox[0].to == ["colleague@ai-assoc.example"] and org.name in mail.outbox[0].subject
    assert AuditEvent.objects.filter(action="invitation.create", organization=org).exists()


def test_invitee_sets_name_and_password_and_becomes_an_editor(client, applicant, org):
    link = invite_by_post(client, applicant)
    page = client.get(link).content.decode()
    assert "colleague@ai-assoc.example" in page and org.name in page
    response = accept(client, link)
    assert response.status_code == 302
    user = User.objects.get(email="colleague@ai-assoc.example")
    assert user.full_name == "吴填报" and user.check_password(STRONG_PASSWORD)
    assert user.membership.organization == org and user.membership.role == MemberRole.EDITOR
    assert Invitation.objects.get().accepted_at is not None
    assert int(client.session["_auth_user_id"]) == user.pk
    assert AuditEvent.objects.filter(action="invitation.accept", actor=user).exists()


def test_used_link_no_longer_works(client, applicant):
    link = invite_by_post(client, applicant)
    accept(client, link)
    client.logout()
    assert client.get(link).status_code == 404
    assert accept(client, link).status_code == 404
    assert User.objects.filter(email="colleague@ai-assoc.example").count() == 1


def test_weak_password_or_missing_privacy_tick_creates_no_account(client, applicant):
    link = invite_by_post(client, applicant)
    response = accept(client, link, password1="short", password2="short")
    assert "密码太短" in " ".join(response.context["form"].errors["password1"])
    response = accept(client, link, privacy_accepted="")
    assert "privacy_accepted" in response.context["form"].errors
    assert not User.objects.filter(email="colleague@ai-assoc.example").exists()


def test_expired_invitation_is_refused(client, applicant):
    link = invite_by_post(client, applicant)
    Invitation.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = client.get(link)
    assert response.status_code == 404 and "已过期" in response.content.decode()
    assert accept(client, link).status_code == 404
    assert not User.objects.filter(email="colleague@ai-assoc.example").exists()


def test_revoked_invitation_is_refused(client, applicant, org):
    link = invite_by_post(client, applicant)
    invitation = Invitation.objects.get()
    client.force_login(applicant)
    assert "colleague@ai-assoc.example" in client.get(MEMBERS).content.decode()
    assert client.post(reverse("accounts:invitation_revoke", args=[invitation.pk])).status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert AuditEvent.objects.filter(action="invitation.revoke", organization=org).exists()
    client.logout()
    assert client.get(link).status_code == 404


def test_inviting_again_replaces_the_earlier_link(client, applicant):
    first = invite_by_post(client, applicant)
    second = invite_by_post(client, applicant)
    assert client.get(first).status_code == 404 and client.get(second).status_code == 200


def test_only_the_admin_can_invite(client, make_user, org):
    editor = make_user("editor@ai-assoc.example", organization=org, member_role=MemberRole.EDITOR)
    client.force_login(editor)
    assert client.get(MEMBERS).status_code == 403
    assert client.post(MEMBERS, {"email": "x@example.org"}).status_code == 403
    assert not Invitation.objects.exists()
    with pytest.raises(PermissionDenied):
        invite(org, editor, "x@example.org")


def test_existing_accounts_cannot_be_invited(client, applicant, other_applicant):
    client.force_login(applicant)
    response = client.post(MEMBERS, {"email": other_applicant.email})
    assert "该邮箱已注册账户" in response.context["form"].errors["email"][0]
    assert not Invitation.objects.exists()


def test_another_organizations_admin_sees_only_their_own_members(client, applicant, other_applicant):
    invite_by_post(client, applicant)
    client.force_login(other_applicant)
    page = client.get(MEMBERS).content.decode()
    assert other_applicant.email in page
    assert applicant.email not in page and "colleague@ai-assoc.example" not in page


def test_another_organizations_admin_cannot_revoke_your_invitation(client, applicant, other_applicant):
    invite_by_post(client, applicant)
    invitation = Invitation.objects.get()
    client.force_login(other_applicant)
    assert client.post(reverse("accounts:invitation_revoke", args=[invitation.pk])).status_code == 404
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_accepting_twice_at_the_same_time_creates_one_account(applicant, org):
    _, token = invite(org, applicant, "twice@ai-assoc.example")
    accept_invitation(token, full_name="甲", password=STRONG_PASSWORD, privacy_accepted=True)
    with pytest.raises(InvitationRefused):
        accept_invitation(token, full_name="乙", password=STRONG_PASSWORD, privacy_accepted=True)
    assert User.objects.filter(email="twice@ai-assoc.example").count() == 1


def test_signed_in_user_is_asked_to_log_out_first(client, applicant, other_applicant):
    link = invite_by_post(client, applicant)
    client.force_login(other_applicant)
    page = client.get(link).content.decode()
    assert "请先退出登录" in page
    assert not User.objects.filter(email="colleague@ai-assoc.example").exists()
