"""Registration does not tell which e-mail addresses have accounts: an address with an account gets the
same answer as a new one (the owner is told by mail), the account exists only once the mailed link is
confirmed, and registration is rate-limited per client address."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from accountkit import NON_ENTERPRISE_CODE, SOCIAL_GROUP_CODE, registration_data
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from zgcfund.accounts.domain import ratelimit
from zgcfund.accounts.models import Organization, PendingRegistration, User
from zgcfund.audit.models import SecurityEvent, SecurityEventKind

pytestmark = pytest.mark.django_db
URL = reverse("accounts:register")
NEW = "new-admin@alliance.example"


def confirm_path(message) -> str | None:
    found = re.search(r"http://testserver(/accounts/register/confirm/[^/\s]+/)", message.body)
    return found[1] if found else None


def answer(client, email: str, code: str, registration_type: str) -> tuple[int, str, str, list[str]]:
    """Status, redirect, the page it leads to (the address masked) and the page templates."""
    response = client.post(URL, registration_data(email=email, credit_code=code, registration_type=registration_type))
    page = client.get(response["Location"])
    masked = page.content.decode().replace(email.lower(), "EMAIL").replace(email, "EMAIL")
    masked = re.sub(r"\b[A-Za-z0-9]{64}\b", "CSRF", masked)  # a fresh CSRF token on every page
    # templates the client sees (the mails rendered on the way are the owner's, not the visitor's)
    templates = [t.name for t in (response.templates or []) + page.templates if "/emails/" not in t.name]
    return response.status_code, response["Location"], masked, templates


def test_existing_address_gets_the_same_answer_as_a_new_one(client, applicant):
    users, orgs = User.objects.count(), Organization.objects.count()
    taken = answer(client, applicant.email.upper(), SOCIAL_GROUP_CODE, "social_group")
    fresh = answer(client, NEW, NON_ENTERPRISE_CODE, "private_non_enterprise")
    assert taken == fresh  # status, location, page text and templates all alike
    assert taken[0] == 302 and taken[1] == reverse("accounts:register_sent") and "请查收邮件" in taken[2]
    assert "已注册" not in taken[2].split("如果该邮箱已注册过账户")[0]  # only the neutral sentence mentions it
    assert User.objects.count() == users and Organization.objects.count() == orgs  # nothing created for either yet
    assert list(PendingRegistration.objects.values_list("email", flat=True)) == [NEW]


def test_the_owner_of_the_existing_address_is_told_by_mail_with_a_reset_link(client, applicant):
    client.post(URL, registration_data(email=applicant.email))
    [message] = mail.outbox
    assert message.to == [applicant.email] and "本邮箱已有账户" in message.body
    assert "http://testserver" + reverse("accounts:password_reset") in message.body
    assert confirm_path(message) is None  # no link that would create a second account
    assert "北京市中关村智能制造产业技术联盟" not in message.body  # nothing a stranger typed reaches the owner


def test_account_exists_only_after_the_link_is_confirmed_once(client):
    client.post(URL, registration_data(email=NEW))
    link = confirm_path(mail.outbox[-1])
    assert not User.objects.filter(email=NEW).exists()
    assert client.get(link).status_code == 200 and not User.objects.filter(email=NEW).exists()
    response = client.post(link)
    assert response.status_code == 302 and response.url == reverse("accounts:organization")
    user = User.objects.get(email=NEW)
    assert user.check_password("Zhongguancun2025") and user.organization.status == "pending"
    assert not PendingRegistration.objects.exists()  # used up
    client.logout()
    assert client.post(link).status_code == 404 and client.get(link).status_code == 404


def test_expired_or_unknown_link_creates_nothing(client):
    client.post(URL, registration_data(email=NEW))
    link = confirm_path(mail.outbox[-1])
    PendingRegistration.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = client.post(link)
    assert response.status_code == 404 and "链接无效、已使用或已过期" in response.content.decode()
    assert client.post(reverse("accounts:register_confirm", args=["not-a-token"])).status_code == 404
    assert not User.objects.filter(email=NEW).exists()


def test_address_taken_between_request_and_confirmation_is_refused_at_confirmation(client, make_user):
    client.post(URL, registration_data(email=NEW))
    link = confirm_path(mail.outbox[-1])
    make_user(NEW, full_name="先到者")
    response = client.post(link)
    assert response.status_code == 409 and "该电子邮箱已注册账户" in response.content.decode()
    assert not Organization.objects.filter(credit_code=SOCIAL_GROUP_CODE).exists()


def test_registration_is_rate_limited_per_client_address_keeping_the_input(client, monkeypatch):
    monkeypatch.setattr(ratelimit, "REGISTRATION", ratelimit.Limit("registration", 2, 3600))
    for n in range(2):
        assert client.post(URL, registration_data(email=f"a{n}@alliance.example")).status_code == 302
    sent = len(mail.outbox)
    refused = client.post(URL, registration_data(email="a2@alliance.example", name="第三次提交的协会"))
    page = refused.content.decode()
    assert refused.status_code == 429 and "操作过于频繁" in page
    assert 'value="第三次提交的协会"' in page and 'value="a2@alliance.example"' in page  # nothing typed is lost
    assert len(mail.outbox) == sent and not PendingRegistration.objects.filter(email="a2@alliance.example").exists()
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.RATE_LIMITED, identity="a2@alliance.example").exists()
    elsewhere = client.post(URL, registration_data(email="a3@alliance.example"), REMOTE_ADDR="10.9.8.7")
    assert elsewhere.status_code == 302  # another client address has its own allowance


def test_an_existing_address_counts_against_the_limit_too(client, applicant, monkeypatch):
    monkeypatch.setattr(ratelimit, "REGISTRATION", ratelimit.Limit("registration", 1, 3600))
    assert client.post(URL, registration_data(email=applicant.email)).status_code == 302
    assert client.post(URL, registration_data(email=NEW)).status_code == 429
