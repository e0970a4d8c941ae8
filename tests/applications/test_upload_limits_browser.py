"""Upload limits in real Chromium: a file over the per-file limit, or a choice over the per-request limit
(which the server would refuse with 413, unread), is explained next to the drop zone and not sent."""

from __future__ import annotations

import base64

import pytest
from django.urls import reverse
from test_evidence import PDF
from test_evidence_browser import DROP, K31

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def zone(page, live_server, client, applicant, application, open_window, settings):
    from zgcfund.applications.domain.editing import save_record

    settings.EVIDENCE_MAX_BYTES = 40 * 1024
    settings.ZGCFUND_MAX_REQUEST_BYTES = 60 * 1024
    record = save_record(application, applicant, "K3.1", K31)
    client.force_login(applicant)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page.goto(live_server.url + "/")
    url = reverse("applications:evidence_list", args=[application.pk, record.pk])
    page.evaluate("url => htmx.ajax('GET', url, {target: '#main', swap: 'innerHTML'})", url)
    page.wait_for_selector(".record-evidence .dropzone.is-enhanced")
    assert page.is_hidden("[data-evidence-error]")
    page.evaluate("() => { window.sent = 0; document.body.addEventListener('htmx:beforeRequest', () => window.sent++); }")
    return record


def drop(page, files):
    page.evaluate(DROP, [[[name, base64.b64encode(data).decode()] for name, data in files]])


def pdf_of(size: int) -> bytes:
    return PDF + b"%" + b"0" * (size - len(PDF) - 2) + b"\n"


def test_file_over_the_limit_is_explained_at_the_zone_and_not_sent(page, zone):
    drop(page, [("通知.pdf", PDF), ("大扫描件.pdf", pdf_of(50 * 1024))])
    page.wait_for_selector("[data-evidence-error]:not([hidden])")
    text = page.inner_text("[data-evidence-error]")
    assert text == "文件“大扫描件.pdf”大小为 50 KB，超过 40 KB 上限，未保存。"  # as the server would say it
    assert page.evaluate("window.sent") == 0 and not zone.evidence_files.exists()


def test_choice_over_the_request_limit_is_explained_and_not_sent(page, zone):
    drop(page, [("一.pdf", pdf_of(35 * 1024)), ("二.pdf", pdf_of(35 * 1024))])
    page.wait_for_selector("[data-evidence-error]:not([hidden])")
    assert "所选文件合计 70 KB，超过每次上传 60 KB 的上限" in page.inner_text("[data-evidence-error]")
    assert page.evaluate("window.sent") == 0 and not zone.evidence_files.exists()

    drop(page, [("一.pdf", pdf_of(35 * 1024))])  # one at a time goes through, and the message goes away
    page.wait_for_selector(".record-evidence .message--success")
    assert zone.evidence_files.count() == 1
    assert page.is_hidden("[data-evidence-error]")
