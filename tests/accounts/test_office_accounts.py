"""The office's accounts page: find accounts by role, organization and status; deactivate (ending every
session at once) or reactivate any account but its own, with a reason. Audited. Office only."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from zgcfund.accounts.domain.deactivation import (
    AccountChangeRefused,
    deactivate_account,
    reactivate_account,
    remove_member,
)
from zgcfund.accounts.models import UserSession
from zgcfund.accounts.models.organization import MemberRole
from zgcfund.accounts.models.user import Role
from zgcfund.audit.models import AuditEvent, SecurityEvent, SecurityEventKind

PASSWORD = "Passw0rd-test"  # tests/conftest.py
ACCOUNTS = reverse("office:accounts")
pytestmark = pytest.mark.django_db


def detail(user):
    return reverse("office:account_detail", args=[user.pk])


@pytest.fixture
def expert(make_user):
    return make_user("expert@zgc.example", role=Role.EXPERT, full_name="钱专家")


def logged_in_with_the_form(user) -> Client:
    browser = Client()
    assert browser.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD}).status_code == 302
    return browser


def emails(response):
    return [u.email for u in response.context["page"]]


# --- who may -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["applicant", "expert"])
def test_applicants_and_experts_cannot_open_or_use_the_accounts_page(client, request, who, other_applicant):
    client.force_login(request.getfixturevalue(who))
    assert client.get(ACCOUNTS).status_code == 403
    assert client.get(detail(other_applicant)).status_code == 403
    response = client.post(detail(other_applicant), {"action": "deactivate", "reason": "试图停用"})
    assert response.status_code == 403
    other_applicant.refresh_from_db()
    assert other_applicant.is_active
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.PERMISSION_DENIED).count() == 3


def test_anonymous_users_are_sent_to_login(client, applicant):
    for url in (ACCOUNTS, detail(applicant)):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_the_services_refuse_anyone_but_the_office(applicant, other_applicant, expert):
    for actor in (applicant, expert):
        with pytest.raises(PermissionDenied):
            deactivate_account(other_applicant, actor, reason="x")
        with pytest.raises(PermissionDenied):
            reactivate_account(other_applicant, actor, reason="x")


# --- finding accounts --------------------------------------------------------------------------------

def test_the_office_finds_accounts_by_role_organization_status_and_name(client, office_user, applicant,
                                                                        other_applicant, expert, make_user, org):
    editor = make_user("editor@ai-assoc.example", organization=org, member_role=MemberRole.EDITOR, full_name="吴填报")
    editor.is_active = False
    editor.save()
    client.force_login(office_user)
    page = client.get(ACCOUNTS)
    assert page.status_code == 200 and "账户管理" in page.content.decode()
    assert set(emails(page)) == {office_user.email, applicant.email, other_applicant.email, expert.email, editor.email}
    assert emails(client.get(ACCOUNTS, {"role": "expert"})) == [expert.email]
    assert set(emails(client.get(ACCOUNTS, {"organization": "人工智能"}))) == {applicant.email, editor.email}
    assert emails(client.get(ACCOUNTS, {"active": "0"})) == [editor.email]
    assert emails(client.get(ACCOUNTS, {"q": "吴填"})) == [editor.email]
    assert emails(client.get(ACCOUNTS, {"q": "SOMEONE@OTHER"})) == [other_applicant.email]


def test_the_accounts_list_is_paginated(client, office_user, make_user):
    for i in range(55):
        make_user(f"expert{i:02d}@zgc.example", role=Role.EXPERT)
    client.force_login(office_user)
    first = client.get(ACCOUNTS, {"role": "expert"})
    assert len(emails(first)) == 50 and first.context["page"].paginator.count == 55
    assert len(emails(client.get(ACCOUNTS, {"role": "expert", "page": 2}))) == 5


# --- deactivating and reactivating ---------------------------------------------------------------------

def test_deactivation_ends_every_session_of_the_account_at_once(client, office_user, expert):
    laptop, phone = logged_in_with_the_form(expert), logged_in_with_the_form(expert)
    keys = {laptop.session.session_key, phone.session.session_key}
    assert set(UserSession.objects.filter(user=expert).values_list("session_key", flat=True)) == keys
    client.force_login(office_user)
    response = client.post(detail(expert), {"action": "deactivate", "reason": "专家聘期结束"}, REMOTE_ADDR="192.0.2.30")
    assert response.status_code == 302
    expert.refresh_from_db()
    assert not expert.is_active
    assert not Session.objects.filter(session_key__in=keys).exists()
    for browser in (laptop, phone):
        response = browser.get(reverse("expert:tasks"))
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    assert "已停用账户 expert@zgc.example" in client.get(detail(expert)).content.decode()
    [entry] = AuditEvent.objects.filter(action="account.deactivate")
    assert entry.actor == office_user and entry.changes["reason"] == "专家聘期结束" and entry.changes["sessions_ended"] == 2
    [logged] = SecurityEvent.objects.filter(kind=SecurityEventKind.ACCOUNT)
    assert (logged.user, logged.identity, logged.address) == (office_user, expert.email, "192.0.2.30")


def test_a_deactivated_account_cannot_log_in_until_reactivated(client, office_user, applicant):
    client.force_login(office_user)
    client.post(detail(applicant), {"action": "deactivate", "reason": "单位申请停用"})
    response = Client().post(reverse("accounts:login"), {"username": applicant.email, "password": PASSWORD})
    assert "该账户已停用" in " ".join(response.context["form"].non_field_errors())
    client.post(detail(applicant), {"action": "reactivate", "reason": "单位申请恢复"})
    applicant.refresh_from_db()
    assert applicant.is_active
    logged_in_with_the_form(applicant)
    assert AuditEvent.objects.filter(action="account.reactivate", changes__reason="单位申请恢复").exists()


def test_a_reason_is_required(client, office_user, expert):
    client.force_login(office_user)
    response = client.post(detail(expert), {"action": "deactivate", "reason": "  "})
    assert response.status_code == 200 and "请填写原因" in response.content.decode()
    expert.refresh_from_db()
    assert expert.is_active
    with pytest.raises(AccountChangeRefused):
        deactivate_account(expert, office_user, reason="")


def test_an_office_user_cannot_deactivate_itself(client, office_user):
    browser = logged_in_with_the_form(office_user)
    page = browser.get(detail(office_user)).content.decode()
    assert "不能停用或恢复自己的账户" in page and 'name="reason"' not in page
    response = browser.post(detail(office_user), {"action": "deactivate", "reason": "误操作"})
    assert response.status_code == 200 and "不能停用或恢复自己的账户" in response.content.decode()
    office_user.refresh_from_db()
    assert office_user.is_active and browser.get(ACCOUNTS).status_code == 200
    with pytest.raises(AccountChangeRefused):
        deactivate_account(office_user, office_user, reason="误操作")


def test_one_office_user_may_deactivate_another(client, office_user, make_user):
    colleague = make_user("colleague@zgc.example", role=Role.OFFICE)
    client.force_login(office_user)
    client.post(detail(colleague), {"action": "deactivate", "reason": "调岗"})
    colleague.refresh_from_db()
    assert not colleague.is_active


def test_a_stale_form_does_not_toggle_the_account_back(client, office_user, expert):
    client.force_login(office_user)
    client.post(detail(expert), {"action": "deactivate", "reason": "第一次"})
    response = client.post(detail(expert), {"action": "deactivate", "reason": "重复提交"})
    assert "该账户已停用" in response.content.decode()
    expert.refresh_from_db()
    assert not expert.is_active


def test_an_applicant_removed_from_its_organization_is_not_reactivated(client, office_user, applicant, make_user, org):
    editor = make_user("editor@ai-assoc.example", organization=org, member_role=MemberRole.EDITOR)
    remove_member(editor.membership, applicant)
    client.force_login(office_user)
    response = client.post(detail(editor), {"action": "reactivate", "reason": "恢复"})
    assert "已被移出所属申报单位" in response.content.decode()
    editor.refresh_from_db()
    assert not editor.is_active


def test_records_of_expired_sessions_are_dropped_at_the_next_login(expert):
    first = logged_in_with_the_form(expert)
    Session.objects.filter(session_key=first.session.session_key).delete()  # expired and cleared
    second = logged_in_with_the_form(expert)
    assert list(UserSession.objects.filter(user=expert).values_list("session_key", flat=True)) == [
        second.session.session_key]


def test_logging_out_forgets_the_session(client, expert):
    browser = logged_in_with_the_form(expert)
    browser.post(reverse("accounts:logout"))
    assert not UserSession.objects.filter(user=expert).exists()
