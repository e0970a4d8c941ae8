"""Registration in a real browser: the live credit-code check (htmx) offers the override box, and the
organization is registered for the office's manual check once the mailed link is confirmed. Screenshots in
test-output/screenshots/."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from accountkit import SOCIAL_GROUP_CODE, STRONG_PASSWORD, bad_check_character
from django.core import mail

from zgcfund.accounts.models import Organization

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop in this thread

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"


def test_register_with_the_override_box(live_server, page):
    from playwright.sync_api import expect

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(live_server.url + "/accounts/register/")
    page.get_by_label("单位名称").fill("北京市中关村智能制造产业技术联盟")
    page.get_by_label("社会团体").check()
    page.get_by_label("统一社会信用代码").fill(SOCIAL_GROUP_CODE.lower())
    expect(page.locator("#credit-code-check")).to_contain_text("代码校验通过")
    expect(page.locator("#override-box")).to_be_hidden()
    page.get_by_label("统一社会信用代码").fill(bad_check_character(SOCIAL_GROUP_CODE))
    expect(page.locator("#credit-code-check")).to_contain_text("校验码应为")
    expect(page.locator("#override-box")).to_be_visible()
    page.get_by_label("代码与登记证书一致，申请人工核验").check()
    page.get_by_label("核验说明").fill("登记证书所载代码即为此代码")
    other_bad = bad_check_character(bad_check_character(SOCIAL_GROUP_CODE))
    page.get_by_label("统一社会信用代码").fill(other_bad)  # checked again: the tick and the note stay
    expect(page.locator("#credit-code-check")).to_contain_text(f"实际为“{other_bad[-1]}”")
    expect(page.get_by_label("代码与登记证书一致，申请人工核验")).to_be_checked()
    expect(page.get_by_label("核验说明")).to_have_value("登记证书所载代码即为此代码")
    page.locator("#id_comprehensive_1").check()
    page.locator("#id_registers_tech_contracts_0").check()
    page.get_by_label("联系人姓名").fill("陈联系")
    page.get_by_label("联系电话").fill("010-62345678")
    page.get_by_label("联系邮箱").fill("contact@alliance.example")
    page.get_by_label("姓名", exact=True).fill("刘管理")
    page.get_by_label("登录邮箱").fill("admin@alliance.example")
    page.get_by_label("密码", exact=True).fill(STRONG_PASSWORD)
    page.get_by_label("确认密码").fill(STRONG_PASSWORD)
    page.screenshot(path=str(SCREENSHOTS / "register.png"), full_page=True)
    page.get_by_role("button", name="提交注册").click()
    expect(page.locator(".error-summary")).to_contain_text("请阅读并同意《个人信息告知》")
    expect(page.get_by_label("核验说明")).to_have_value("登记证书所载代码即为此代码")  # nothing typed is lost
    page.screenshot(path=str(SCREENSHOTS / "register-errors.png"), full_page=True)
    page.get_by_label("密码", exact=True).fill(STRONG_PASSWORD)
    page.get_by_label("确认密码").fill(STRONG_PASSWORD)
    page.get_by_label("我已阅读并同意《个人信息告知》").check()
    page.get_by_role("button", name="提交注册").click()
    expect(page.get_by_test_id("register-sent")).to_contain_text("admin@alliance.example")
    page.screenshot(path=str(SCREENSHOTS / "register-sent.png"), full_page=True)
    link = re.search(r"https?://[^/\s]+(/accounts/register/confirm/[^/\s]+/)", mail.outbox[-1].body)[1]
    page.goto(live_server.url + link)
    expect(page.get_by_test_id("register-confirm")).to_contain_text("北京市中关村智能制造产业技术联盟")
    page.get_by_role("button", name="确认注册").click()
    expect(page.get_by_test_id("org-status")).to_contain_text("待审核")
    page.screenshot(path=str(SCREENSHOTS / "organization.png"), full_page=True)
    org = Organization.objects.get()
    assert org.credit_code_check_failed and org.credit_code_applicant_note == "登记证书所载代码即为此代码"
