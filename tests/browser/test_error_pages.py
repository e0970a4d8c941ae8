"""The 403 and 404 pages in a real browser: Chinese, with the site's navigation and a way back, never
Django's debug page; another organization's application is a 404 like any missing page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_not_found_and_forbidden_pages(live_server, page, log_in, other_applicant, application, screenshots):
    response = page.goto(live_server.url + "/no-such-page/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("页面不存在")
    expect(page.get_by_role("navigation", name="用户导航").get_by_role("link", name="登录")).to_be_visible()
    expect(page.get_by_test_id("not-found").get_by_role("link", name="登录")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("Page not found")
    page.screenshot(path=screenshots / "error-404.png", full_page=True)

    log_in(page, other_applicant)
    response = page.goto(f"{live_server.url}/applications/{application.pk}/")  # not its organization's
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("页面不存在")
    back = page.get_by_test_id("not-found").get_by_role("link", name="返回工作台")
    expect(back).to_have_attribute("href", "/dashboard/")

    response = page.goto(live_server.url + "/office/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("无权访问")
    expect(page.get_by_role("navigation", name="用户导航").get_by_role("link", name="我的申报")).to_be_visible()
    page.screenshot(path=screenshots / "error-403.png", full_page=True)
    page.get_by_test_id("permission-denied").get_by_role("link", name="返回工作台").click()
    expect(page).to_have_url(live_server.url + "/dashboard/")
