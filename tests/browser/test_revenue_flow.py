"""K1.3 revenue tables in real Chromium: the organization opens its revenue page from the status page, downloads
an enterprise's template, uploads it filled (first with a negative month: refused, naming the cell), and sees
the figures, the growth table and the chart; the office reads the same page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect
from tests.implementation.conftest import Pipeline
from tests.implementation.test_revenue import A_CODE, B_CODE, fill, k13
from tests.review.decision_helpers import approve_pending
from tests.review.test_ranking_web import same

from zgcfund.implementation.domain import contracts as contract_domain

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def contract(loaded, make_org, make_user, office_user, settings):
    pipeline = Pipeline(make_org, make_user, office_user, loaded)
    app = pipeline.application("甲协会", same("12", "8"), records=[
        k13("R1", "plan", "北京甲科技有限公司", A_CODE, "2026-02-28"), k13("R2", "prior", "北京乙科技有限公司", B_CODE)])
    pipeline.application("乙协会", same("10", "5"))
    pipeline.publish(settings)
    app.refresh_from_db()
    contract = contract_domain.record_contract(
        app, office_user, signed_on=dt.date(2025, 10, 10), amount=Decimal("15"),
        tranches=[contract_domain.TrancheInput(dt.date(2025, 10, 20), Decimal("15"))])
    approve_pending("contract", contract)
    contract.refresh_from_db()
    settings.ZGCFUND_CLOCK_DATE = "2026-03-15"
    contract.user = app.user
    return contract


def test_k13_download_fill_upload_and_see_growth(live_server, page, log_in, contract, office_user, tmp_path: Path):
    log_in(page, contract.user)
    page.goto(live_server.url + reverse("applications:status", args=[contract.application_id]))
    page.get_by_test_id("contract-revenue-link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("K1.3 营收情况表")
    with page.expect_download() as download:
        page.get_by_test_id(f"revenue-template-{A_CODE}").click()
    template = Path(download.value.path()).read_bytes()

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(fill(template, cells={"C7": -1}))
    form = page.get_by_test_id(f"revenue-upload-{A_CODE}")
    form.locator("input[type=file]").set_input_files(str(bad))
    form.get_by_role("button", name="上传并导入", exact=True).click()
    expect(page.get_by_test_id("error-summary")).to_contain_text("单元格 C7：营业收入不能为负数")

    good = tmp_path / "营收情况表.xlsx"
    good.write_bytes(fill(template))
    form = page.get_by_test_id(f"revenue-upload-{A_CODE}")
    form.locator("input[type=file]").set_input_files(str(good))
    form.get_by_role("button", name="上传并导入", exact=True).click()
    expect(page.get_by_text("已导入 北京甲科技有限公司 的营收情况表。")).to_be_visible()
    row = page.get_by_test_id(f"revenue-enterprise-{A_CODE}")
    expect(row).to_contain_text("110.00")
    expect(row).to_contain_text("营收情况表.xlsx")
    expect(page.get_by_test_id("revenue-group-a")).to_contain_text("20%")
    expect(page.get_by_test_id("revenue-group-b")).to_contain_text("25%")
    chart = page.get_by_test_id("revenue-chart-a").locator("svg")
    expect(chart).to_be_visible()
    expect(chart).to_contain_text("北京甲科技有限公司")
    expect(chart).to_contain_text("行业增速")

    log_in(page, office_user)
    page.goto(live_server.url + reverse("office:contract", args=[contract.application_id]))
    page.get_by_test_id("contract-revenue-link").click()
    expect(page.get_by_test_id("revenue-group-a")).to_contain_text("20%")
    expect(page.get_by_test_id(f"revenue-upload-{A_CODE}")).to_have_count(0)
    expect(page.get_by_test_id("revenue-rates-link")).to_be_visible()
