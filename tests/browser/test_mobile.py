"""Phones (375 px wide) in real Chromium: no page of any role is wider than the screen (wide tables scroll
inside their box), the header's menu button opens and closes the navigation (aria-expanded), the clause
navigation is one compact menu, the live evaluation is reachable from a bar fixed at the bottom, and the
selection page's buttons sit below the band table. Screenshots: docs/guide/images/mobile-*.png
(written there by `make guide`; tests/browser/guide.py).

The same set-up as test_accessibility.py (published selection with bands, a draft, expert reviews)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from guide import shot
from playwright.sync_api import expect
from test_accessibility import make_expert, pages_of, scored, world_fixture  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 740}

#: Each page (as in test_accessibility.pages_of, by URL name) and its screenshot.
SHOTS = {
    "home": "mobile-home", "accounts:login": "mobile-login", "accounts:register": "mobile-register",
    "public:notice": "mobile-public-notice", "dashboard": "mobile-dashboard", "applications:overview": "mobile-overview",
    "applications:clause": "mobile-clause", "applications:submit": "mobile-submit", "applications:status": "mobile-status",
    "office:dashboard": "mobile-office-dashboard", "office:formal_review": "mobile-office-formal-review",
    "office:assign": "mobile-office-assign", "office:ranking": "mobile-office-ranking",
    "office:selection": "mobile-office-selection", "expert:tasks": "mobile-expert-tasks",
    "expert:review": "mobile-expert-review",
}


@pytest.fixture
def phone(chromium, live_server, log_in):
    contexts = []

    def make(user=None):
        context = chromium.new_context(locale="zh-CN", viewport=PHONE, device_scale_factor=1, is_mobile=True,
                                       has_touch=True)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page if user is None else log_in(page, user)
    yield make
    for context in contexts:
        context.close()


#: The elements sticking out on the right that no scroll box clips (to name the culprit of a failure).
OVERFLOWING = """() => { const w = document.documentElement.clientWidth, out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.right <= w + 1 || r.width === 0) continue;
    let p = el.parentElement, clipped = false;
    while (p) { if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(p).overflowX)) { clipped = true; break; }
                p = p.parentElement; }
    if (!clipped) out.push(`${el.tagName.toLowerCase()}.${el.className} ${Math.round(r.right)}`);
  }
  return out.slice(0, 8); }"""


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_main_pages_fit_a_phone_screen(live_server, phone, world, applicant, other_applicant, office_user):
    from django.urls import resolve

    too_wide = {}
    pages = {}
    for visits in pages_of(world, applicant, other_applicant, office_user).values():
        for user, url in visits:
            if user not in pages:
                pages[user] = phone(user)
            page = pages[user]
            assert page.goto(live_server.url + url).ok, url
            page.wait_for_load_state("networkidle")
            if page_width(page) > PHONE["width"]:
                too_wide[url] = (page_width(page), page.evaluate(OVERFLOWING))
            name = resolve(url).view_name
            if name in SHOTS:
                shot(page, SHOTS[name], full_page=name != "home")  # the home page's clause list is long
    assert too_wide == {}


def test_menu_button_opens_and_closes_the_navigation(live_server, phone, world, other_applicant):
    page = phone(other_applicant)
    page.goto(live_server.url + reverse("home"))
    menu = page.get_by_role("button", name="菜单")
    nav = page.get_by_role("navigation", name="用户导航")
    expect(menu).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(nav).to_be_hidden()
    # The home page says what the programme is, whether one may apply now, and where to start.
    expect(page.get_by_test_id("window-status")).to_contain_text("申报进行中")
    expect(page.get_by_test_id("window-status")).to_contain_text("申报截止时间")
    expect(page.get_by_test_id("start-application")).to_be_visible()
    expect(page.get_by_test_id("home-notice-link")).to_have_attribute("href", reverse("public:notice",
                                                                                      args=[world["code"]]))
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(nav).to_be_visible()
    expect(nav.get_by_role("link", name="我的申报")).to_be_visible()
    assert page_width(page) <= PHONE["width"]
    shot(page, "mobile-menu-open", full_page=False)
    page.keyboard.press("Escape")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(nav).to_be_hidden()
    expect(menu).to_be_focused()


def test_without_javascript_the_navigation_stays_open(chromium, live_server, world):
    context = chromium.new_context(locale="zh-CN", viewport=PHONE, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_server.url + reverse("home"))
        expect(page.get_by_role("button", name="菜单")).to_be_hidden()
        expect(page.get_by_role("navigation", name="用户导航").get_by_role("link", name="登录")).to_be_visible()
    finally:
        context.close()


def test_clause_menu_and_evaluation_bar_on_a_phone(live_server, phone, world, other_applicant):
    page = phone(other_applicant)
    page.goto(live_server.url + reverse("applications:clause", args=[world["draft"].pk, "K3.1"]))
    expect(page.locator(".editor-nav")).to_be_hidden()  # the row of clause buttons is for wide screens
    menu = page.get_by_test_id("editor-menu")
    expect(menu).to_be_visible()
    expect(menu.locator("summary")).to_contain_text("K3.1")
    menu.locator("summary").click()
    links = menu.get_by_role("navigation", name="条款导航（菜单）").get_by_role("link")
    expect(links).to_have_count(21)  # 总览 and the 20 clauses
    expect(links.nth(0)).to_have_text("总览")
    shot(page, "mobile-clause-menu", full_page=False)
    menu.locator("summary").click()

    bar = page.get_by_test_id("eval-summary-bar")
    expect(bar).to_be_visible()
    expect(bar).to_contain_text("参考分")
    box = bar.bounding_box()
    assert box["y"] + box["height"] == pytest.approx(PHONE["height"], abs=1)  # fixed at the bottom of the screen
    bar.click()
    expect(page.get_by_role("heading", name="实时评估")).to_be_in_viewport()
    expect(page.get_by_test_id("panel-score")).to_be_visible()
    shot(page, "mobile-panel", full_page=False)
    menu.locator("summary").click()
    menu.get_by_role("link", name="总览").click()
    expect(page).to_have_url(live_server.url + reverse("applications:overview", args=[world["draft"].pk]))


@pytest.mark.parametrize("width", [375, 1280])
def test_selection_buttons_never_cover_the_band_table(live_server, chromium, log_in, world, office_user, width):
    context = chromium.new_context(locale="zh-CN", viewport={"width": width, "height": 800})
    try:
        page = log_in(context.new_page(), office_user)
        page.goto(live_server.url + reverse("office:selection", args=[world["code"]]))
        bands = page.get_by_test_id("band-fieldset").bounding_box()
        actions = page.get_by_test_id("selection-actions").bounding_box()
        assert actions["y"] >= bands["y"] + bands["height"]
        # Every band input has its own label.
        expect(page.get_by_label("第 1 档名称")).to_be_attached()
        expect(page.get_by_label("第 5 档金额（万元）")).to_be_attached()
        for button in ("预览", "保存为草稿"):
            assert page.get_by_role("button", name=button).evaluate("b => getComputedStyle(b.parentElement).position") \
                not in ("fixed", "sticky")
    finally:
        context.close()


def test_public_notice_shows_bands_amounts_issuer_and_how_to_object(live_server, phone, world):
    page = phone()
    page.goto(live_server.url + reverse("public:notice", args=[world["code"]]))
    expect(page.get_by_role("heading", level=1)).to_have_text("2025年中关村社会组织支持项目遴选结果公示")
    expect(page.get_by_test_id("notice-issuer")).to_have_text("中关村科技园区管理委员会")
    table = page.get_by_test_id("public-table")
    expect(table.locator("thead th")).to_have_text(["序号", "名次", "申报单位", "档次", "支持金额（万元）"])
    expect(table.locator("tbody tr").first.get_by_role("cell").nth(3)).to_have_text("一档")
    expect(page.get_by_test_id("notice-total")).to_contain_text("万元")
    expect(page.get_by_test_id("notice-objection")).to_contain_text("匿名异议")
    assert page_width(page) <= PHONE["width"]
