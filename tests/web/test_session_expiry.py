"""Nobody loses work when the session ends: an htmx request without a session answers 401 with a re-login
fragment (shown in a dialog by js/session-renew.js), never the login page swapped into the form; a CSRF
failure on an htmx request answers a recognisable 403 fragment. Plain pages keep the redirect to login.
And the error pages: 403 and 404 in Chinese with the site's navigation, 500 standalone."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_htmx_request_without_a_session_answers_401_with_a_login_form(application):
    url = reverse("applications:record_new", args=[application.pk, "K3.1"])
    response = Client().post(url, {"title": "typed"}, **HTMX)
    assert response.status_code == 401
    assert response["X-Zgcfund-Auth"] == "login"
    html = response.content.decode()
    assert "<html" not in html and "登录已过期" in html
    assert f'action="{reverse("accounts:login")}"' in html and 'name="username"' in html and 'name="password"' in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_plain_request_without_a_session_still_redirects_to_login(application):
    url = reverse("applications:clause", args=[application.pk, "K3.1"])
    response = Client().get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    boosted = Client().get(url, HTTP_HX_REQUEST="true", HTTP_HX_BOOSTED="true")
    assert boosted.status_code == 302  # a boosted link navigates: the login page is the right answer


def test_htmx_request_with_a_session_is_not_touched(client, applicant, application, open_window):
    client.force_login(applicant)
    response = client.get(reverse("applications:record_new", args=[application.pk, "K3.1"]), **HTMX)
    assert response.status_code == 200 and "X-Zgcfund-Auth" not in response


def test_csrf_failure_on_htmx_offers_a_fresh_token_or_a_login(applicant, application):
    client = Client(enforce_csrf_checks=True)
    client.force_login(applicant)
    client.get(reverse("dashboard"))  # a CSRF cookie
    url = reverse("applications:record_new", args=[application.pk, "K3.1"])
    response = client.post(url, {"title": "typed", "csrfmiddlewaretoken": "x" * 64}, **HTMX)
    assert response.status_code == 403 and response["X-Zgcfund-Auth"] == "csrf"
    html = response.content.decode()
    assert "<html" not in html and "本次提交没有保存" in html and 'data-session-retry' in html
    token = re.search(r'data-csrf-token="([^"]+)"', html).group(1)
    again = client.post(url, {"title": "typed", "csrfmiddlewaretoken": token}, **HTMX)
    assert again.status_code == 200  # the fresh token is accepted: the form comes back (with its errors)

    anonymous = Client(enforce_csrf_checks=True)
    refused = anonymous.post(url, {"title": "typed"}, **HTMX)
    assert refused.status_code == 403 and refused["X-Zgcfund-Auth"] == "login"
    assert 'name="password"' in refused.content.decode()


def test_csrf_failure_on_a_plain_page_is_the_full_page(applicant, loaded):
    client = Client(enforce_csrf_checks=True)
    client.force_login(applicant)
    response = client.post(reverse("dashboard"), {"x": "1"})
    assert response.status_code == 403 and "<html" in response.content.decode() and "X-Zgcfund-Auth" not in response


def _nav(html: str) -> str:
    return html.split('class="user-bar"', 1)[1].split("</nav>", 1)[0]


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
def test_404_is_chinese_with_the_navigation(client, applicant, loaded, signed_in, settings):
    settings.DEBUG = False
    if signed_in:
        client.force_login(applicant)
    response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert 'lang="zh-Hans"' in html and "页面不存在" in html and 'data-testid="not-found"' in html
    nav = _nav(html)
    assert "项目条款" in nav
    assert ("退出登录" in nav and "王管理" in nav) if signed_in else ("登录" in nav and "申报单位注册" in nav)
    assert "Traceback" not in html and "Page not found" not in html


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
def test_403_is_chinese_with_the_navigation(client, applicant, loaded, signed_in):
    if signed_in:
        client.force_login(applicant)
        response = client.get("/office/")
    else:  # no URL refuses an anonymous visitor with 403 (they are sent to log in): the handler itself
        from django.contrib.auth.models import AnonymousUser
        from django.core.exceptions import PermissionDenied
        from django.test import RequestFactory

        from zgcfund.web.views import permission_denied

        request = RequestFactory().get("/office/")
        request.user = AnonymousUser()
        response = permission_denied(request, PermissionDenied())
    html = response.content.decode()
    assert response.status_code == 403 and 'lang="zh-Hans"' in html and "无权访问" in html
    nav = _nav(html)
    assert "项目条款" in nav and (("退出登录" in nav) if signed_in else ("申报单位注册" in nav))
    assert "请先登录" in html if not signed_in else "返回工作台" in html


def test_csrf_page_for_an_anonymous_visitor_is_chinese_with_the_navigation(loaded):
    response = Client(enforce_csrf_checks=True).post(reverse("accounts:login"), {"username": "x"})
    html = response.content.decode()
    assert response.status_code == 403 and "页面已过期" in html and "申报单位注册" in _nav(html)


def test_404_inside_the_application_is_the_chinese_page(client, applicant, loaded):
    client.force_login(applicant)
    response = client.get(reverse("applications:overview", args=[999999]))
    assert response.status_code == 404 and "页面不存在" in response.content.decode()


def test_500_page_is_standalone_with_navigation():
    from django.template import loader

    html = loader.get_template("500.html").render({"reference": "ABC123"})  # no request, no database
    assert "系统暂时出错" in html and "ABC123" in html
    assert 'class="user-bar"' in html and 'href="/"' in html and 'href="/accounts/login/"' in html


def test_handlers_are_declared():
    from zgcfund.web import urls

    assert urls.handler404 and urls.handler500 == "zgcfund.web.errors.server_error"
    assert urls.handler403 == "zgcfund.web.views.permission_denied"


def test_400_page_is_chinese_and_standalone():
    from django.core.exceptions import SuspiciousOperation
    from django.test import RequestFactory
    from django.views.defaults import bad_request

    response = bad_request(RequestFactory().get("/"), SuspiciousOperation("bad"))
    html = response.content.decode()
    assert response.status_code == 400 and "请求无效" in html and 'class="user-bar"' in html and "bad" not in html
