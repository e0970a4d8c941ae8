"""Login by e-mail (case-insensitive), logout by POST, and the login throttle: 5 failures for an
address within 15 minutes refuse it for 15 minutes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zgcfund.accounts.domain import throttle

PASSWORD = "Passw0rd-test"  # tests/conftest.py
LOGIN = reverse("accounts:login")
pytestmark = pytest.mark.django_db


class Clock:
    def __init__(self, monkeypatch):
        self.t = 1_760_000_000.0
        monkeypatch.setattr(throttle, "_now", lambda: self.t)

    def advance(self, minutes: float):
        self.t += minutes * 60


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def login(client, email, password):
    return client.post(LOGIN, {"username": email, "password": password})


def errors(response):
    return " ".join(response.context["form"].non_field_errors())


def test_login_page_links_to_password_reset_and_registration(client):
    page = client.get(LOGIN).content.decode()
    assert reverse("accounts:password_reset") in page and reverse("accounts:register") in page


def test_login_with_the_email_in_any_case(client, applicant):
    response = login(client, applicant.email.upper(), PASSWORD)
    assert response.status_code == 302 and response.url == reverse("dashboard")
    assert int(client.session["_auth_user_id"]) == applicant.pk


def test_wrong_password_is_refused_in_chinese(client, applicant):
    response = login(client, applicant.email, "wrong-password-1")
    assert response.status_code == 200 and "电子邮箱或密码不正确" in errors(response)


def test_logout_is_a_post(client, applicant):
    client.force_login(applicant)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_five_failures_lock_the_address_for_15_minutes(client, applicant, clock):
    for _ in range(4):
        assert "电子邮箱或密码不正确" in errors(login(client, applicant.email, "wrong-password-1"))
        clock.advance(1)
    response = login(client, applicant.email, "wrong-password-1")
    assert "登录失败次数过多" in errors(response) and "15 分钟" in errors(response)
    response = login(client, applicant.email.upper(), PASSWORD)  # even the right password, any case
    assert response.status_code == 200 and "登录失败次数过多" in errors(response)
    assert "_auth_user_id" not in client.session
    clock.advance(14)
    assert "登录失败次数过多" in errors(login(client, applicant.email, PASSWORD))
    clock.advance(1.1)
    assert login(client, applicant.email, PASSWORD).status_code == 302


def test_failures_spread_over_more_than_15_minutes_do_not_lock(client, applicant, clock):
    for _ in range(6):
        login(client, applicant.email, "wrong-password-1")
        clock.advance(4)
    assert login(client, applicant.email, PASSWORD).status_code == 302


def test_success_resets_the_count_and_other_addresses_are_not_affected(client, applicant, other_applicant, clock):
    for _ in range(4):
        login(client, applicant.email, "wrong-password-1")
    assert login(client, applicant.email, PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        login(client, applicant.email, "wrong-password-1")
    assert login(client, applicant.email, PASSWORD).status_code == 302
    client.logout()
    for _ in range(5):
        login(client, applicant.email, "wrong-password-1")
    assert login(client, other_applicant.email, PASSWORD).status_code == 302


def test_unknown_addresses_are_throttled_the_same_way(client, clock):
    for _ in range(5):
        response = login(client, "nobody@example.org", "wrong-password-1")
    assert "登录失败次数过多" in errors(response)
