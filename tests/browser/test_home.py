"""The home page in a real browser: Chinese text, clause IDs, CJK glyphs from a real CJK font, language switch."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from zgcfund.core.programme import load_programme
from zgcfund.programmes.domain import load_programme_year

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fonts_used(page, selector: str) -> list[str]:
    """Families Chromium actually rendered the element's text with (not just the CSS stack)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    cdp.detach()
    return [f["familyName"] for f in fonts]


def test_home_page(live_server, page, screenshots):
    programme = load_programme()
    load_programme_year(programme)

    page.goto(live_server.url + "/")
    expect(page).to_have_title(f"{programme.title} · 中关村社会组织支持项目管理系统")
    expect(page.locator(".site-brand__name")).to_have_text("中关村社会组织支持项目管理系统")
    expect(page.get_by_role("heading", level=1)).to_have_text(programme.title)
    ids = page.locator("[data-testid=clause-id]")
    expect(ids).to_have_text(list(programme.clauses))
    expect(ids.first).to_be_visible()
    expect(page.get_by_text(programme.clauses["P7"].ref.quote).first).to_be_attached()
    expect(page.locator("#window-W-PRIOR")).to_contain_text("2024年8月1日")
    expect(page.locator("#rule-X-K1-TWO")).to_contain_text("K1.1、K1.2、K1.3")
    expect(page.get_by_test_id("programme-hash")).to_have_text(programme.sha256[:12])

    # The stylesheet applied, and CJK text is drawn with a CJK font (no tofu).
    header_bg = page.locator(".site-header").evaluate("e => getComputedStyle(e).backgroundImage")
    assert "linear-gradient" in header_bg
    families = fonts_used(page, ".site-brand__name")
    assert any("CJK" in f or "SC" in f for f in families), families

    page.screenshot(path=str(screenshots / "home.png"), full_page=True)

    page.get_by_role("button", name="English").click()
    expect(page.locator(".site-brand__name")).to_have_text("Zhongguancun Social Organization Support Programme")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(ids).to_have_count(len(programme.clauses))
    page.screenshot(path=str(screenshots / "home-en.png"), full_page=True)

    page.get_by_role("button", name="简体中文").click()
    expect(page.locator(".site-brand__name")).to_have_text("中关村社会组织支持项目管理系统")


def test_home_page_without_programme(live_server, page, screenshots):
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("尚未载入项目文件")
    expect(page.locator("main")).to_contain_text("make run")
    page.screenshot(path=str(screenshots / "home-empty.png"), full_page=True)
