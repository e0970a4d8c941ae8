"""Every 5xx is logged with its traceback and stored in the security log; the user sees a Chinese page
with a reference, and an htmx request gets a notice the page shows while the form keeps its values."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from zgcfund.audit.models import SecurityEvent, SecurityEventKind


@pytest.fixture
def failing_home(monkeypatch, loaded):
    def explode():
        raise RuntimeError("boom in the view")
    monkeypatch.setattr("zgcfund.web.views.current_programme_year", explode)


def test_server_error_is_logged_with_traceback_and_recorded(failing_home, caplog):
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.ERROR):
        response = client.get("/", HTTP_X_FORWARDED_FOR="203.0.113.9", REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 500
    reference = response["X-Error-Reference"]
    tracebacks = [r for r in caplog.records if r.name == "django.request" and r.exc_info]
    assert tracebacks and "boom in the view" in str(tracebacks[0].exc_info[1])
    assert any(reference in r.getMessage() for r in caplog.records if r.name == "zgcfund.errors")
    event = SecurityEvent.objects.get(kind=SecurityEventKind.SERVER_ERROR)
    assert event.status == 500 and event.path == "/" and event.address == "198.51.100.7"  # no trusted proxy
    assert reference in event.detail and "RuntimeError" in event.detail


def test_server_error_page_is_chinese_and_names_the_reference(failing_home):
    response = Client(raise_request_exception=False).get("/")
    text = response.content.decode()
    assert "系统暂时出错" in text and "没有丢失" in text
    assert response["X-Error-Reference"] in text
    assert "boom in the view" not in text and "Traceback" not in text  # nothing internal is shown


def test_htmx_server_error_is_a_notice_not_a_page(failing_home):
    response = Client(raise_request_exception=False).get("/", HTTP_HX_REQUEST="true")
    text = response.content.decode()
    assert response.status_code == 500
    assert "<html" not in text and 'role="alert"' in text and response["X-Error-Reference"] in text


def test_every_page_has_the_htmx_error_box(client, loaded):
    text = client.get("/").content.decode()
    assert 'id="request-error"' in text and "request-errors.js" in text


def test_trusted_proxy_address_is_used_only_when_configured(failing_home, settings):
    settings.ZGCFUND_TRUSTED_PROXIES = 1
    Client(raise_request_exception=False).get("/", HTTP_X_FORWARDED_FOR="203.0.113.9, 192.0.2.1",
                                              REMOTE_ADDR="10.0.0.2")
    assert SecurityEvent.objects.get(kind=SecurityEventKind.SERVER_ERROR).address == "192.0.2.1"


def test_refusals_and_missing_pages_are_not_server_errors(client, applicant, office_user):
    client.force_login(applicant)
    assert client.get("/office/").status_code == 403
    assert client.get("/applications/999999/").status_code == 404
    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.SERVER_ERROR).exists()


def test_csrf_failure_is_logged_and_explained_in_chinese(applicant, loaded):
    client = Client(enforce_csrf_checks=True)
    client.force_login(applicant)
    response = client.post("/dashboard/", {"x": "1"}, REMOTE_ADDR="198.51.100.8")
    assert response.status_code == 403 and "页面已过期" in response.content.decode()
    event = SecurityEvent.objects.get(kind=SecurityEventKind.PERMISSION_DENIED)
    assert event.user == applicant and event.address == "198.51.100.8" and event.detail.startswith("CSRF")
    htmx = client.post("/dashboard/", {"x": "1"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in htmx and "本次提交没有保存" in htmx
