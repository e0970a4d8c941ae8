"""The security log (网络安全法 §21(3); 等保 2.0 audit records): logins, failed logins with the e-mail
tried, lock-outs, logouts and every permission refusal, each with user, client address and time; the
office's page to read it (office only) and the command that prunes it, never below 180 days."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from zgcfund.accounts.domain import throttle
from zgcfund.accounts.models.organization import MemberRole
from zgcfund.accounts.models.user import Role
from zgcfund.audit.models import SecurityEvent, SecurityEventKind

PASSWORD = "Passw0rd-test"  # tests/conftest.py
LOGIN = reverse("accounts:login")
LOG = reverse("office:security_log")
ADDRESS = "192.0.2.15"
pytestmark = pytest.mark.django_db


def login(client, email, password):
    return client.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=ADDRESS)


def only(kind):
    [event] = SecurityEvent.objects.filter(kind=kind)
    return event


@pytest.fixture
def expert(make_user):
    return make_user("expert@zgc.example", role=Role.EXPERT, full_name="钱专家")


def test_a_login_is_recorded_with_user_address_and_time(client, applicant):
    before = timezone.now()
    assert login(client, applicant.email, PASSWORD).status_code == 302
    event = only(SecurityEventKind.LOGIN)
    assert event.user == applicant and event.address == ADDRESS and event.at >= before


def test_a_failed_login_is_recorded_with_the_email_tried(client, applicant):
    login(client, "Nobody@Example.org", "wrong-password-1")
    login(client, applicant.email, "wrong-password-1")
    failures = SecurityEvent.objects.filter(kind=SecurityEventKind.LOGIN_FAILED).order_by("id")
    assert [e.identity.lower() for e in failures] == ["nobody@example.org", applicant.email]
    assert all(e.user is None and e.address == ADDRESS for e in failures)
    assert "wrong-password" not in str(list(failures.values_list("detail", "identity")))
    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.LOGIN).exists()


def test_a_lockout_is_recorded(client, applicant):
    for _ in range(throttle.MAX_FAILURES):
        login(client, applicant.email, "wrong-password-1")
    event = only(SecurityEventKind.LOCKOUT)
    assert event.identity == applicant.email and event.address == ADDRESS
    login(client, applicant.email, PASSWORD)  # refused while locked: recorded too
    assert only(SecurityEventKind.RATE_LIMITED).identity == applicant.email


def test_a_logout_is_recorded(client, applicant):
    login(client, applicant.email, PASSWORD)
    client.post(reverse("accounts:logout"), REMOTE_ADDR=ADDRESS)
    event = only(SecurityEventKind.LOGOUT)
    assert event.user == applicant and event.address == ADDRESS


def test_a_permission_refusal_is_recorded_and_explained_in_chinese(client, applicant):
    client.force_login(applicant)
    response = client.get(reverse("office:organizations"), REMOTE_ADDR=ADDRESS)
    assert response.status_code == 403
    page = response.content.decode()
    assert "无权访问" in page and "本次访问已记录" in page and 'class="site-header"' in page
    event = only(SecurityEventKind.PERMISSION_DENIED)
    assert (event.user, event.address, event.status, event.method, event.path) == (
        applicant, ADDRESS, 403, "GET", reverse("office:organizations"))


def test_refusals_in_the_organization_pages_are_recorded_too(client, make_user, org):
    editor = make_user("editor@ai-assoc.example", organization=org, member_role=MemberRole.EDITOR)
    client.force_login(editor)
    assert client.post(reverse("accounts:members"), {"email": "x@example.org"}).status_code == 403
    assert only(SecurityEventKind.PERMISSION_DENIED).user == editor


# --- the office's page -----------------------------------------------------------------------------

def event(kind, *, user=None, identity="", address=ADDRESS, days_ago=0):
    return SecurityEvent.objects.create(kind=kind, user=user, identity=identity, address=address,
                                        at=timezone.now() - dt.timedelta(days=days_ago))


def rows(response):
    return list(response.context["page"])


@pytest.mark.parametrize("who", ["applicant", "expert"])
def test_only_the_office_can_read_the_security_log(client, request, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get(LOG)
    assert response.status_code == 403 and "无权访问" in response.content.decode()


def test_anonymous_users_are_sent_to_login(client):
    response = client.get(LOG)
    assert response.status_code == 302 and response.url.startswith(LOGIN)


def test_the_office_filters_by_kind_user_address_and_date(client, office_user, applicant):
    login_event = event(SecurityEventKind.LOGIN, user=applicant, identity=applicant.email)
    failed = event(SecurityEventKind.LOGIN_FAILED, identity="guess@example.org", address="203.0.113.9")
    old = event(SecurityEventKind.LOGOUT, user=applicant, address="10.1.2.3", days_ago=10)
    client.force_login(office_user)
    page = client.get(LOG)
    assert page.status_code == 200 and "guess@example.org" in page.content.decode()
    assert rows(client.get(LOG, {"kind": "login_failed"})) == [failed]
    assert set(rows(client.get(LOG, {"who": "王管理"}))) == {login_event, old}
    assert rows(client.get(LOG, {"who": "GUESS@"})) == [failed]
    assert rows(client.get(LOG, {"address": "203.0.113.9"})) == [failed]
    assert rows(client.get(LOG, {"address": "10.1."})) == [old]
    assert rows(client.get(LOG, {"address": "203.0.113.90"})) == []
    day = timezone.localdate() - dt.timedelta(days=10)
    assert rows(client.get(LOG, {"date_from": day, "date_to": day})) == [old]
    assert old not in rows(client.get(LOG, {"date_from": day + dt.timedelta(days=1)}))


def test_the_security_log_is_paginated(client, office_user):
    SecurityEvent.objects.bulk_create(SecurityEvent(kind=SecurityEventKind.LOGIN_FAILED, identity=f"u{i}@example.org")
                                      for i in range(120))
    client.force_login(office_user)
    first = client.get(LOG, {"kind": "login_failed"})
    assert len(rows(first)) == 50 and first.context["page"].paginator.num_pages == 3
    third = client.get(LOG, {"kind": "login_failed", "page": 3})
    assert len(rows(third)) == 20
    assert "kind=login_failed&amp;page=2" in third.content.decode()


def test_the_office_dashboard_links_to_the_log_and_accounts(client, office_user):
    client.force_login(office_user)
    page = client.get(reverse("office:dashboard")).content.decode()
    assert LOG in page and reverse("office:accounts") in page


# --- retention -------------------------------------------------------------------------------------

def test_prune_deletes_only_entries_older_than_the_retention(settings):
    settings.SECURITY_LOG_RETENTION_DAYS = 190
    old, kept = event(SecurityEventKind.LOGIN, days_ago=191), event(SecurityEventKind.LOGIN, days_ago=189)
    call_command("prune_security_log")
    assert list(SecurityEvent.objects.all()) == [kept] and old.pk != kept.pk


def test_prune_never_keeps_less_than_180_days(settings):
    settings.SECURITY_LOG_RETENTION_DAYS = 30
    kept, gone = event(SecurityEventKind.LOGIN, days_ago=179), event(SecurityEventKind.LOGIN, days_ago=181)
    call_command("prune_security_log")
    assert list(SecurityEvent.objects.all()) == [kept] and gone.pk
    with pytest.raises(CommandError, match="180"):
        call_command("prune_security_log", days=30)
    assert SecurityEvent.objects.filter(pk=kept.pk).exists()
