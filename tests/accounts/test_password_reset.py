"""Password reset by e-mail (Django's views, Chinese pages)."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from zgcfund.accounts.domain import throttle

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "NewPassw0rd2025"


def request_reset(client, email):
    return client.post(reverse("accounts:password_reset"), {"email": email})


def test_reset_mail_is_sent_and_the_link_sets_a_new_password(client, applicant):
    response = request_reset(client, applicant.email)
    assert response.status_code == 302 and response.url == reverse("accounts:password_reset_done")
    [message] = mail.outbox
    assert message.to == [applicant.email] and "重置密码" in message.subject and "2小时" in message.body
    link = re.search(r"https?://\S+/accounts/password-reset/\S+/\S+/", message.body).group(0)
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"]
    set_url = form_page.redirect_chain[-1][0]
    weak = client.post(set_url, {"new_password1": "short", "new_password2": "short"})
    assert "密码太短" in " ".join(weak.context["form"].errors["new_password1"])
    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done.url == reverse("accounts:password_reset_complete")
    applicant.refresh_from_db()
    assert applicant.check_password(NEW_PASSWORD)
    assert client.post(reverse("accounts:login"), {"username": applicant.email, "password": NEW_PASSWORD}).status_code == 302
    client.logout()
    assert not client.get(link, follow=True).context["validlink"]  # used once


def test_unknown_address_gets_the_same_page_and_no_mail(client, db):
    response = request_reset(client, "nobody@example.org")
    assert response.status_code == 302 and not mail.outbox


def test_reset_pages_are_chinese(client, db):
    assert "找回密码" in client.get(reverse("accounts:password_reset")).content.decode()
    assert "请查收邮件" in client.get(reverse("accounts:password_reset_done")).content.decode()


def test_a_new_password_ends_a_login_lock(client, applicant):
    for _ in range(5):
        throttle.record_failure(applicant.email)
    assert throttle.locked_for(applicant.email)
    request_reset(client, applicant.email)
    link = re.search(r"https?://\S+/accounts/password-reset/\S+/\S+/", mail.outbox[0].body).group(0)
    set_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert not throttle.locked_for(applicant.email)
