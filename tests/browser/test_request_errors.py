"""A server error during an htmx save: the page says so in Chinese with the error reference, focus moves
to the notice, and everything typed is still in the form, so saving again after the fault stores it."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from zgcfund.applications.domain.editing import save_record
from zgcfund.applications.models import Record
from zgcfund.audit.models import SecurityEvent, SecurityEventKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

K31 = {"phase": "prior", "date": "2025-03-02", "title": "人工智能产业对接会", "park": "海淀园", "participants": 85}


def test_server_error_on_save_keeps_the_typed_values(live_server, page, log_in, monkeypatch, applicant, application,
                                                     open_window):
    record = save_record(application, applicant, "K3.1", K31)
    log_in(page, applicant).goto(live_server.url + reverse("applications:clause", args=[application.pk, "K3.1"]))
    page.get_by_test_id("record-K3.1-001").get_by_role("link", name="修改").click()
    form = page.get_by_test_id("record-K3.1-001").get_by_test_id("record-form")
    form.get_by_label("名称/主题").fill("人工智能产业对接会（第二场）")
    form.get_by_label("参加人数").fill("120")

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")
    monkeypatch.setattr("zgcfund.applications.views.editor.save_record", broken)
    form.get_by_test_id("save-record").click()

    notice = page.locator("#request-error")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("本次操作没有完成")
    expect(notice).to_be_focused()
    reference = SecurityEvent.objects.get(kind=SecurityEventKind.SERVER_ERROR).detail.split()[0]
    expect(notice).to_contain_text(reference)
    expect(form.get_by_label("名称/主题")).to_have_value("人工智能产业对接会（第二场）")
    expect(form.get_by_label("参加人数")).to_have_value("120")
    assert Record.objects.get(pk=record.pk).fields["participants"] == 85

    monkeypatch.undo()  # the fault is gone: the same values save
    form.get_by_test_id("save-record").click()
    expect(page.locator("#clause-body .message--success")).to_contain_text("已保存记录 K3.1-001")
    expect(notice).to_be_hidden()
    assert Record.objects.get(pk=record.pk).fields["participants"] == 120
