"""Nobody loses work (issue 12): the session ends while a record is being edited. Saving does not swap the
login page into the form; a dialog asks for the login, which posts with fetch, and the original request is
sent again with a fresh CSRF token: the typed values and the chosen file are saved. A stale CSRF token (a
login in another tab) is the same with a "继续保存" button. Errors of a save land in a focused summary."""

from __future__ import annotations

import io

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from PIL import Image
from playwright.sync_api import expect
from tests.conftest import PASSWORD

from zgcfund.applications.domain.editing import save_record
from zgcfund.applications.models import EvidenceFile, Record

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

K31 = {"phase": "prior", "date": "2025-03-02", "title": "人工智能产业对接会", "park": "海淀园", "participants": 85}


def photo(tmp_path):
    path = tmp_path / "活动现场照片.png"
    buf = io.BytesIO()
    Image.new("RGB", (120, 90), "teal").save(buf, "PNG")
    path.write_bytes(buf.getvalue())
    return path


def open_record(page, live_server, application):
    page.goto(live_server.url + reverse("applications:clause", args=[application.pk, "K3.1"]))
    page.get_by_test_id("record-K3.1-001").get_by_role("link", name="修改").click()
    form = page.get_by_test_id("record-K3.1-001").get_by_test_id("record-form")
    expect(form.get_by_label("名称/主题")).to_be_visible()
    return form


def log_in_again(page, applicant):
    dialog = page.get_by_test_id("session-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("登录已过期")
    expect(dialog.get_by_label("电子邮箱")).to_be_focused()
    dialog.get_by_label("电子邮箱").fill(applicant.email)
    dialog.get_by_label("密码").fill("wrong-password")
    dialog.get_by_test_id("session-login").click()
    expect(dialog.locator("[data-session-errors]")).to_contain_text("电子邮箱或密码不正确")  # still in the dialog
    dialog.get_by_label("密码").fill(PASSWORD)
    dialog.get_by_test_id("session-login").click()
    expect(dialog).to_be_hidden()


def test_expired_session_save_and_upload_survive_a_login_in_a_dialog(live_server, page, log_in, applicant,
                                                                      application, open_window, tmp_path):
    record = save_record(application, applicant, "K3.1", K31)
    log_in(page, applicant)
    form = open_record(page, live_server, application)
    form.get_by_label("名称/主题").fill("人工智能产业对接会（第二场）")
    form.get_by_label("参加人数").fill("120")

    Session.objects.all().delete()  # the session ends while the user types
    form.get_by_test_id("save-record").click()
    log_in_again(page, applicant)

    expect(page.locator("#clause-body .message--success")).to_contain_text("已保存记录 K3.1-001")
    saved = Record.objects.get(pk=record.pk)
    assert saved.title == "人工智能产业对接会（第二场）" and saved.fields["participants"] == 120
    assert "<html" not in page.locator("#clause-body").inner_html()  # no login page swapped in
    expect(page.locator("#request-error")).to_be_hidden()

    # again, for a file chosen in the record's drop zone
    Session.objects.all().delete()
    card = page.get_by_test_id("record-K3.1-001")
    card.locator(".record-evidence input[type=file]").first.set_input_files(str(photo(tmp_path)))
    log_in_again(page, applicant)
    expect(card.locator(".record-evidence .message--success")).to_contain_text("活动现场照片.png")
    assert EvidenceFile.objects.filter(record=record, name="活动现场照片.png").count() == 1
    page.wait_for_load_state("networkidle")  # the panel refresh the upload triggers ends before the teardown


def test_giving_up_the_login_keeps_the_values_and_says_nothing_was_saved(live_server, page, log_in, applicant,
                                                                         application, open_window):
    record = save_record(application, applicant, "K3.1", K31)
    log_in(page, applicant)
    form = open_record(page, live_server, application)
    form.get_by_label("参加人数").fill("150")
    Session.objects.all().delete()
    form.get_by_test_id("save-record").click()
    page.get_by_test_id("session-dialog").get_by_role("button", name="暂不登录").click()
    notice = page.locator("#request-error")
    expect(notice).to_be_focused()
    expect(notice).to_contain_text("没有保存")
    expect(form.get_by_label("参加人数")).to_have_value("150")
    assert Record.objects.get(pk=record.pk).fields["participants"] == 85


def test_stale_csrf_token_offers_to_save_again(live_server, page, log_in, applicant, application, open_window):
    record = save_record(application, applicant, "K3.1", K31)
    log_in(page, applicant)
    form = open_record(page, live_server, application)
    form.get_by_label("参加人数").fill("99")
    # another tab logged in again: the CSRF secret changed, this page's tokens are stale
    page.context.add_cookies([{"name": "csrftoken", "value": "a" * 32, "url": live_server.url}])
    form.get_by_test_id("save-record").click()

    dialog = page.get_by_test_id("session-dialog")
    expect(dialog).to_contain_text("本次提交没有保存")
    expect(dialog.get_by_test_id("session-retry")).to_be_focused()
    dialog.get_by_test_id("session-retry").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#clause-body .message--success")).to_contain_text("已保存记录 K3.1-001")
    assert Record.objects.get(pk=record.pk).fields["participants"] == 99
    page.wait_for_load_state("networkidle")  # the panel refresh the save triggers ends before the teardown


def test_save_with_errors_focuses_the_summary_whose_links_reach_the_fields(live_server, page, log_in, applicant,
                                                                           application, open_window):
    save_record(application, applicant, "K3.1", K31)
    log_in(page, applicant)
    form = open_record(page, live_server, application)
    form.get_by_label("名称/主题").fill("")
    form.get_by_test_id("save-record").click()
    summary = page.get_by_test_id("record-K3.1-001").get_by_test_id("error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("请修正以下问题")
    link = summary.get_by_role("link").first
    target = link.get_attribute("href")
    record = Record.objects.get(application=application, key="K3.1-001")
    assert target == f"#id_r{record.pk}_title" and page.locator(target).count() == 1
    link.click()
    expect(page.locator(target)).to_be_focused()


def test_k1_over_selection_focuses_the_summary(live_server, page, log_in, applicant, application, open_window):
    log_in(page, applicant)
    page.goto(live_server.url + reverse("applications:overview", args=[application.pk]))
    k1 = page.get_by_test_id("choices-K1")
    for cid in ("K1.1", "K1.2", "K1.3"):
        k1.locator(f'input[value="{cid}"]').check()
    k1.get_by_role("button", name="保存选项").click()
    summary = page.get_by_test_id("error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("最多可选取 2 项")
    for cid in ("K1.1", "K1.2", "K1.3"):
        expect(page.get_by_test_id("choices-K1").locator(f'input[value="{cid}"]')).to_be_checked()
    summary.get_by_role("link").first.click()
    expect(page.locator("#choice-K1-K1\\.1")).to_be_focused()


def test_formal_return_without_comment_focuses_the_summary(live_server, page, log_in, office_user,
                                                           submitted_application):
    log_in(page, office_user).goto(live_server.url + reverse("office:formal_review", args=[submitted_application.pk]))
    page.get_by_label("退回修改").check()
    page.get_by_test_id("decide").click()
    summary = page.get_by_test_id("error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("退回修改时请填写审查意见")
    link = summary.get_by_role("link").first
    assert link.get_attribute("href") == "#id_comment"
    link.click()
    expect(page.locator("#id_comment")).to_be_focused()
    expect(page.get_by_label("退回修改")).to_be_checked()
