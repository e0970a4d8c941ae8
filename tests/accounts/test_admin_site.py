"""Django's admin site is gone: it had its own login without the login page's throttling, so 20 wrong
passwords there did not lock an account. The office works in its own pages instead."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_admin_app_is_not_installed():
    assert "django.contrib.admin" not in settings.INSTALLED_APPS


@pytest.mark.parametrize("path", ["/admin/", "/admin/login/", "/admin/accounts/user/"])
def test_admin_urls_do_not_exist(client, office_user, path):
    assert client.get(path).status_code == 404
    client.force_login(office_user)
    assert client.get(path).status_code == 404


def test_passwords_cannot_be_tried_outside_the_throttled_login_page(client, office_user):
    for _ in range(20):
        response = client.post("/admin/login/", {"username": office_user.email, "password": "wrong-password-1"})
        assert response.status_code == 404
    assert client.post(reverse("accounts:login"), {"username": office_user.email, "password": "Passw0rd-test"}
                       ).status_code == 302


def test_the_office_has_its_own_accounts_page_instead(client, office_user):
    client.force_login(office_user)
    assert client.get(reverse("office:accounts")).status_code == 200
