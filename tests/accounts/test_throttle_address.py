"""Login throttling per client address as well as per e-mail: one client cannot spray passwords across
accounts or lock every account; password-reset requests are limited per address, with the neutral answer."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from zgcfund.accounts.domain import ratelimit, throttle
from zgcfund.audit.models import SecurityEvent, SecurityEventKind

PASSWORD = "Passw0rd-test"  # tests/conftest.py
LOGIN = reverse("accounts:login")
RESET = reverse("accounts:password_reset")
SPRAYER, OTHER = "203.0.113.7", "198.51.100.20"
pytestmark = pytest.mark.django_db


class Clock:
    def __init__(self, monkeypatch):
        self.t = 1_760_000_000.0
        monkeypatch.setattr(throttle, "_now", lambda: self.t)
        monkeypatch.setattr(ratelimit, "_now", lambda: self.t)

    def advance(self, minutes: float):
        self.t += minutes * 60


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def login(client, email, password, address=SPRAYER):
    return client.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=address)


def errors(response):
    return " ".join(response.context["form"].non_field_errors())


def spray(client, n=ratelimit.LOGIN_ADDRESS.max_hits, address=SPRAYER):
    """One wrong password each for ``n`` different (mostly unknown) e-mail addresses."""
    for i in range(n):
        response = login(client, f"user{i}@example.org", "wrong-password-1", address)
    return response


def test_failures_across_many_accounts_lock_the_client_address(client, applicant, clock):
    last = spray(client)
    assert "您所在网络的登录失败次数过多" in errors(last)
    response = login(client, applicant.email, PASSWORD)  # even the right password, from that address
    assert response.status_code == 200 and "您所在网络的登录失败次数过多" in errors(response)
    assert "分钟后再试" in errors(response)
    assert "_auth_user_id" not in client.session


def test_one_failure_short_of_the_limit_does_not_lock(client, applicant, clock):
    spray(client, ratelimit.LOGIN_ADDRESS.max_hits - 1)
    assert login(client, applicant.email, PASSWORD).status_code == 302


def test_other_addresses_are_not_affected_and_the_lock_ends(client, applicant, clock):
    spray(client)
    assert login(client, applicant.email, PASSWORD, OTHER).status_code == 302
    client.logout()
    clock.advance(14)
    assert "您所在网络的登录失败次数过多" in errors(login(client, applicant.email, PASSWORD))
    clock.advance(1.1)
    assert login(client, applicant.email, PASSWORD).status_code == 302


def test_a_locked_address_cannot_lock_any_more_accounts(client, applicant, other_applicant, clock):
    spray(client)
    for _ in range(throttle.MAX_FAILURES + 1):
        login(client, other_applicant.email, "wrong-password-1")
    assert throttle.locked_for(other_applicant.email) == 0
    assert login(client, other_applicant.email, PASSWORD, OTHER).status_code == 302


def test_a_successful_login_does_not_reset_the_address_count(client, applicant, clock):
    spray(client, ratelimit.LOGIN_ADDRESS.max_hits - 1)
    assert login(client, applicant.email, PASSWORD).status_code == 302
    client.logout()
    assert "您所在网络的登录失败次数过多" in errors(login(client, "last@example.org", "wrong-password-1"))


def test_address_lockout_is_in_the_security_log(client, clock):
    spray(client)
    login(client, "again@example.org", "wrong-password-1")
    lockout = SecurityEvent.objects.get(kind=SecurityEventKind.LOCKOUT)
    assert lockout.address == SPRAYER and "address_locked" in lockout.detail
    refused = SecurityEvent.objects.get(kind=SecurityEventKind.RATE_LIMITED)
    assert refused.identity == "again@example.org" and refused.address == SPRAYER


def test_ipv6_clients_count_per_64_block():
    assert throttle.address_key("2001:db8:1:2::1") == throttle.address_key("2001:db8:1:2:ffff::9")
    assert throttle.address_key("2001:db8:1:2::1") != throttle.address_key("2001:db8:1:3::1")
    assert throttle.address_key("::ffff:203.0.113.7") == throttle.address_key("203.0.113.7")
    assert throttle.address_key("203.0.113.7") != throttle.address_key("203.0.113.8")


def test_a_deactivated_account_is_told_so_only_with_its_right_password(client, applicant, clock):
    applicant.is_active = False
    applicant.save()
    assert "该账户已停用" in errors(login(client, applicant.email, PASSWORD))
    wrong = errors(login(client, applicant.email, "wrong-password-1"))
    assert "电子邮箱或密码不正确" in wrong and "停用" not in wrong
    assert "_auth_user_id" not in client.session


def reset(client, email, address=SPRAYER):
    return client.post(RESET, {"email": email}, REMOTE_ADDR=address)


def test_password_reset_requests_are_limited_per_address_with_the_neutral_answer(client, applicant, clock):
    limit = ratelimit.PASSWORD_RESET.max_hits
    for _ in range(limit):
        assert reset(client, applicant.email).url == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == limit
    response = reset(client, applicant.email)
    assert response.status_code == 302 and response.url == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == limit  # refused quietly: the same page, no mail
    refused = SecurityEvent.objects.get(kind=SecurityEventKind.RATE_LIMITED)
    assert refused.identity == applicant.email and refused.address == SPRAYER
    reset(client, applicant.email, OTHER)
    assert len(mail.outbox) == limit + 1
    clock.advance(61)
    reset(client, applicant.email)
    assert len(mail.outbox) == limit + 2
