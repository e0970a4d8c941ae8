"""A long list in real Chromium (issue 12): a K1.1 list of 300 surveys stays one screen of table; search
narrows it, the headers sort it, the pager pages it (each a real URL, the back button included), and a
row edited through the inline form above the table is saved in place. The 300 records are made in bulk
(tests/applications/test_list_table.py), not through the browser."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import expect
from tests.applications.test_list_table import k11_records

from zgcfund.applications.models import Record

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
           "resultTypes": ["violations"]}


def violations(page) -> list[str]:
    """axe-core's WCAG 2.1 AA violations (as tests/browser/test_accessibility.py checks the main pages)."""
    found = Axe().run(page, options=WCAG_AA).response["violations"]
    return [f"{v['id']} ×{len(v['nodes'])}: {v['nodes'][0]['target']} — {v['nodes'][0].get('failureSummary', '')[:160]}"
            for v in found]


def page_height(page) -> int:
    return page.evaluate("Math.max(document.documentElement.scrollHeight, document.body.scrollHeight)")


def test_300_surveys_stay_one_screen_of_table_searchable_sortable_pageable_and_editable(
        live_server, page, log_in, applicant, application, open_window):
    k11_records(application, applicant, 300)
    clause_url = reverse("applications:clause", args=[application.pk, "K1.1"])
    log_in(page, applicant).goto(live_server.url + clause_url)
    rows = page.locator("#list-table tbody.list-row")
    summary = page.get_by_test_id("list-summary")
    expect(summary).to_contain_text("第 1–20 条，共 300 条")
    expect(rows).to_have_count(20)
    viewport = page.viewport_size["height"]
    height = page_height(page)
    print(f"K1.1 with 300 records: page height {height} px, viewport {viewport} px ({height / viewport:.2f} screens)")
    assert height <= 2 * viewport, f"page height {height} px for a {viewport} px viewport"
    assert violations(page) == []

    # Search narrows the table as one types; the URL says what was searched.
    page.get_by_test_id("list-search").fill("有限公司123")
    expect(rows).to_have_count(1)
    expect(page.get_by_test_id("record-K1.1-123")).to_be_visible()
    expect(summary).to_contain_text("在 300 条中搜索“有限公司123”")
    assert "q=" in page.url
    page.get_by_test_id("list-search").fill("")
    expect(rows).to_have_count(20)
    expect(summary).to_contain_text("第 1–20 条，共 300 条")

    # Sorting: 名称 ascending, then descending.
    page.get_by_test_id("sort-title").click()
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("名称")
    page.get_by_test_id("sort-title").click()
    expect(page.locator("th[aria-sort=descending]")).to_contain_text("名称")
    expect(rows.first).to_have_attribute("data-testid", "record-K1.1-300")
    assert "sort=title" in page.url and "dir=desc" in page.url

    # Paging keeps the sort; the back button returns to the page before.
    page.get_by_test_id("page-next").click()
    expect(summary).to_contain_text("第 21–40 条，共 300 条")
    expect(rows.first).to_have_attribute("data-testid", "record-K1.1-280")
    assert "page=2" in page.url
    page.get_by_test_id("page-15").click()
    expect(rows).to_have_count(20)
    expect(rows.last).to_have_attribute("data-testid", "record-K1.1-001")
    page.go_back()
    expect(rows.first).to_have_attribute("data-testid", "record-K1.1-280")
    page.go_back()
    expect(rows.first).to_have_attribute("data-testid", "record-K1.1-300")

    # A row's files are a click away (its details open below it).
    page.get_by_test_id("details-K1.1-296").click()
    details = page.get_by_test_id("record-K1.1-296").locator(".list-row__details")
    expect(details).to_contain_text("北京调研样本科技有限公司296")
    expect(details.locator(".record-evidence")).to_be_visible()

    # Editing a row opens the form above the table, filled in; saving re-renders the same table page.
    page.get_by_test_id("edit-K1.1-290").click()
    form = page.get_by_test_id("list-edit-form")
    expect(form).to_contain_text("修改记录 K1.1-290")
    expect(form.get_by_label("名称/主题", exact=True)).to_have_value("走访调研样本企业290")
    assert violations(page) == []  # the form above the table and a row's details open
    name = form.get_by_label("调研企业 · 名称", exact=True)
    expect(name).to_have_value("北京调研样本科技有限公司290")
    name.fill("北京调研样本智能科技有限公司290")
    form.get_by_test_id("save-record").click()
    expect(page.locator("#clause-body .message--success")).to_contain_text("已保存记录 K1.1-290")
    expect(page.get_by_test_id("record-K1.1-290")).to_contain_text("北京调研样本智能科技有限公司290")
    expect(page.get_by_test_id("list-edit-form")).to_have_count(0)  # the blank new-record form is back
    expect(page.locator("th[aria-sort=descending]")).to_contain_text("名称")  # still sorted as before
    expect(rows.first).to_have_attribute("data-testid", "record-K1.1-300")
    record = Record.objects.get(application=application, key="K1.1-290")
    assert record.fields["enterprise"]["name"] == "北京调研样本智能科技有限公司290"
    assert record.version == 2
    # The opened row closes again (its details link toggles); the page is back to its height.
    page.get_by_test_id("details-K1.1-296").click()
    expect(page.get_by_test_id("record-K1.1-296").locator(".list-row__details")).to_have_count(0)
    assert "record=" not in page.url
    assert page_height(page) <= 2.1 * viewport  # the saved message above the table included
