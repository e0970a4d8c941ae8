"""An organization's admin removes a member (never itself, never the last admin): the membership ends,
the account is deactivated and every session of it ends at once. Audited. Nobody else can do it."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from zgcfund.accounts.domain.deactivation import remove_member
from zgcfund.accounts.models import Membership, UserSession
from zgcfund.accounts.models.organization import MemberRole
from zgcfund.audit.models import AuditEvent, SecurityEvent, SecurityEventKind, Visibility

PASSWORD = "Passw0rd-test"  # tests/conftest.py
MEMBERS = reverse("accounts:members")
pytestmark = pytest.mark.django_db


def remove_url(user):
    return reverse("accounts:member_remove", args=[user.membership.pk])


@pytest.fixture
def editor(make_user, org):
    return make_user("editor@ai-assoc.example", organization=org, member_role=MemberRole.EDITOR, full_name="吴填报")


def signed_in(user) -> Client:
    other = Client()
    other.force_login(user)
    assert other.get(reverse("dashboard")).status_code == 200
    return other


def test_admin_removes_a_member_whose_sessions_end_at_once(client, applicant, editor, org):
    editors_browser = signed_in(editor)
    key = editors_browser.session.session_key
    assert UserSession.objects.filter(user=editor, session_key=key).exists()
    client.force_login(applicant)
    confirm = client.get(remove_url(editor))
    assert confirm.status_code == 200 and "确认移出并停用账户" in confirm.content.decode()
    response = client.post(remove_url(editor), REMOTE_ADDR="192.0.2.8")
    assert response.status_code == 302 and response.url == MEMBERS
    editor.refresh_from_db()
    assert not editor.is_active and not Membership.objects.filter(user=editor).exists()
    assert not Session.objects.filter(session_key=key).exists()
    assert not UserSession.objects.filter(user=editor).exists()
    next_request = editors_browser.get(reverse("dashboard"))
    assert next_request.status_code == 302 and next_request.url.startswith(reverse("accounts:login"))
    assert "已将 吴填报" in client.get(MEMBERS).content.decode()
    assert client.get(reverse("dashboard")).status_code == 200  # the admin stays signed in


def test_removal_is_audited(client, applicant, editor, org):
    client.force_login(applicant)
    client.post(remove_url(editor), REMOTE_ADDR="192.0.2.8")
    [entry] = AuditEvent.objects.filter(action="member.remove")
    assert (entry.actor, entry.organization, entry.visibility) == (applicant, org, Visibility.ORGANIZATION)
    assert entry.changes["email"] == editor.email and entry.changes["is_active"] == [True, False]
    [logged] = SecurityEvent.objects.filter(kind=SecurityEventKind.ACCOUNT)
    assert (logged.user, logged.identity, logged.address) == (applicant, editor.email, "192.0.2.8")


def test_a_removed_member_cannot_log_in(client, applicant, editor):
    client.force_login(applicant)
    client.post(remove_url(editor))
    client.logout()
    response = client.post(reverse("accounts:login"), {"username": editor.email, "password": PASSWORD})
    assert response.status_code == 200 and "该账户已停用" in " ".join(response.context["form"].non_field_errors())


def test_removal_needs_a_post(client, applicant, editor):
    client.force_login(applicant)
    client.get(remove_url(editor))
    editor.refresh_from_db()
    assert editor.is_active and Membership.objects.filter(user=editor).exists()


def test_members_page_offers_removal_for_others_only(client, applicant, editor):
    client.force_login(applicant)
    page = client.get(MEMBERS).content.decode()
    assert remove_url(editor) in page and remove_url(applicant) not in page


def test_the_admin_cannot_remove_itself(client, applicant):
    client.force_login(applicant)
    assert client.post(remove_url(applicant)).status_code == 403
    applicant.refresh_from_db()
    assert applicant.is_active and Membership.objects.filter(user=applicant).exists()
    with pytest.raises(PermissionDenied):
        remove_member(applicant.membership, applicant)


def test_a_member_who_is_not_admin_cannot_remove_anyone(client, applicant, editor, make_user, org):
    other_editor = make_user("other-editor@ai-assoc.example", organization=org, member_role=MemberRole.EDITOR)
    client.force_login(editor)
    for target in (applicant, other_editor):
        assert client.post(remove_url(target)).status_code == 403
        assert client.get(remove_url(target)).status_code == 403
        target.refresh_from_db()
        assert target.is_active and Membership.objects.filter(user=target).exists()
    with pytest.raises(PermissionDenied):
        remove_member(other_editor.membership, editor)
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.PERMISSION_DENIED, user=editor).count() == 4


def test_an_admin_of_another_organization_cannot_remove_your_members(client, applicant, editor, other_applicant):
    client.force_login(other_applicant)
    assert client.post(remove_url(editor)).status_code == 404
    editor.refresh_from_db()
    assert editor.is_active and Membership.objects.filter(user=editor).exists()
    with pytest.raises(PermissionDenied):
        remove_member(editor.membership, other_applicant)
    assert not AuditEvent.objects.filter(action="member.remove").exists()


def test_the_office_cannot_remove_members_through_the_organization_page(client, office_user, editor):
    client.force_login(office_user)
    assert client.post(remove_url(editor)).status_code == 404  # the office has no organization
    editor.refresh_from_db()
    assert editor.is_active


def test_two_admins_removing_each_other_leave_one_admin(make_user, org, applicant):
    second = make_user("second-admin@ai-assoc.example", organization=org, member_role=MemberRole.ADMIN)
    applicants_view_of_second = second.membership
    remove_member(applicant.membership, second)  # ran first
    with pytest.raises(PermissionDenied):  # ran at the same time, on what it had read: applicant is no admin now
        remove_member(applicants_view_of_second, applicant)
    second.refresh_from_db()
    assert second.is_active and second.membership.role == MemberRole.ADMIN
