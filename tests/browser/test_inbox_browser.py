"""The applicant's inbox in real Chromium: after a submission and a formal-review return, the navigation
shows 2 unread notices; the list has both, newest first; opening the return shows the office's comments,
marks it read and leads to the application; the count drops to 1."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from zgcfund.review.domain.formal import decide

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_inbox_after_submission_and_return(page, live_server, log_in, submitted_application, applicant, office_user,
                                           screenshots):
    decide(submitted_application, office_user, "returned", "请补充活动签到表。",
           {"K3.1-001": "现场照片不清晰，请重新上传。"})
    assert len([m for m in mail.outbox if m.to == [applicant.email]]) == 2  # the same two notices by e-mail

    log_in(page, applicant).goto(live_server.url + reverse("dashboard"))
    nav = page.get_by_test_id("nav-inbox")
    expect(page.get_by_test_id("nav-inbox-unread")).to_have_text("2 条未读")
    nav.click()
    expect(page).to_have_url(re.compile(r"/accounts/inbox/$"))
    rows = page.locator("[data-testid^=inbox-row-]")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("退回修改")  # newest first
    expect(rows.nth(1)).to_contain_text("申报书已提交（第 1 次提交）")
    expect(page.get_by_test_id("inbox-unread")).to_have_count(2)
    page.screenshot(path=str(screenshots / "inbox-unread.png"), full_page=True)

    rows.nth(0).get_by_role("link").click()
    expect(page.get_by_test_id("notice-body")).to_contain_text("请补充活动签到表。")
    expect(page.get_by_test_id("notice-body")).to_contain_text("记录 K3.1-001（“人工智能产业对接会”）：现场照片不清晰")
    expect(page.get_by_test_id("nav-inbox-unread")).to_have_text("1 条未读")
    page.get_by_test_id("notice-link").click()
    expect(page).to_have_url(re.compile(rf"/applications/{submitted_application.pk}/$"))

    page.get_by_test_id("nav-inbox").click()
    expect(page.get_by_test_id("inbox-unread")).to_have_count(1)
    expect(rows.nth(1).get_by_test_id("inbox-unread")).to_be_visible()  # the submission notice is still unread
