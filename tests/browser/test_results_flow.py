"""Issue 13's programme results dashboard in real Chromium: the office goes from its dashboard to 项目成效,
sees the charts (inline SVG, nothing fetched) each followed by its table, filters to the P family, and
downloads the Excel workbook. The page passes axe's WCAG 2.1 AA checks."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from openpyxl import load_workbook
from playwright.sync_api import expect
from test_accessibility import violations
from tests.implementation.conftest import Pipeline
from tests.implementation.test_results import contracted  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def pipeline(loaded, make_org, make_user, office_user):
    return Pipeline(make_org, make_user, office_user, loaded)


def test_office_reads_the_results_and_downloads_the_excel(live_server, new_page, log_in, office_user, contracted):  # noqa: F811
    page = log_in(new_page(), office_user)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(live_server.url + "/office/")
    page.get_by_test_id("results-link").click()
    expect(page.get_by_role("heading", name="项目成效", exact=True)).to_be_visible()

    clauses = page.get_by_test_id("results-clauses")
    expect(clauses.locator("svg").first).to_be_visible()
    assert clauses.locator("svg").count() == 3  # counts, people and services, money
    expect(clauses.locator("svg title").first).to_have_text("各条款成果：数量（家、场、项、个）")
    row = clauses.get_by_role("row").filter(has_text="园区服务活动参加人数")
    expect(row.get_by_role("cell")).to_have_text(["K3.1", "园区服务活动", "园区服务活动参加人数", "人", "170", "320",
                                                  "360", "112.5%"])
    expect(page.get_by_test_id("results-phases").locator("svg")).to_be_visible()
    expect(page.get_by_test_id("table-money")).to_contain_text("25")
    expect(page.get_by_test_id("table-organizations")).to_contain_text("甲协会")
    expect(page.get_by_test_id("card-participants")).to_contain_text("360")
    assert all(u.startswith(live_server.url) for u in requests), requests  # nothing from the internet
    assert violations(page, Axe()) == []  # WCAG 2.1 AA

    page.get_by_label("条款类别").select_option("P")
    page.get_by_role("button", name="筛选").click()
    expect(page.get_by_test_id("table-clauses")).to_contain_text("P5")
    expect(page.get_by_test_id("table-clauses")).not_to_contain_text("K3.1")

    with page.expect_download() as info:
        page.get_by_test_id("results-export").click()
    download = info.value
    assert download.suggested_filename.startswith("项目成效-") and download.suggested_filename.endswith(".xlsx")
    assert "-P-" in download.suggested_filename
    wb = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    assert "各条款成果" in wb.sheetnames
    clauses_sheet = [r for r in wb["各条款成果"].iter_rows(min_row=2, values_only=True)]
    assert {r[0] for r in clauses_sheet} <= {"P1", "P2", "P3", "P4", "P5", "P6", "P7"}
