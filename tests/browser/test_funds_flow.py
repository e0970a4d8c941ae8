"""Funds in real Chromium: an office user proposes a disbursement against the contract's first tranche on its
funds page (422 keeps the input, then the confirmation dialog; the collective decision's status shows); a
second office user's approval is given in the test (tests/review/decision_helpers.py); a finance user logs in
with the form, lands on the money pages, finds the approved disbursement, records its payment (422 keeps the
input) and sees the totals change; the office pages stay closed to finance. The contracts are set up
through the domain (the real selection first)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from confirming import accept
from django.urls import reverse
from playwright.sync_api import expect
from test_applicant_journey import FIXTURE_PASSWORD, log_in_with_form
from tests.implementation.conftest import PLAN_K31, PRIOR, Pipeline
from tests.review.decision_helpers import approve_pending
from tests.review.test_ranking_web import same

from zgcfund.accounts.models.user import Role
from zgcfund.implementation.domain import contracts
from zgcfund.implementation.domain.contracts import TrancheInput
from zgcfund.implementation.models import Disbursement
from zgcfund.review.domain import decisions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def contracted(loaded, make_org, make_user, office_user, settings):
    """甲协会 (15 万元: 9 + 6) and 乙协会 (10 万元) signed on 2025-10-10; the clock at 2026-01-15."""
    pipeline = Pipeline(make_org, make_user, office_user, loaded)
    first = pipeline.application("甲协会", same("12", "8"), records=[PRIOR, PLAN_K31])
    second = pipeline.application("乙协会", same("10", "5"), records=[PRIOR, PLAN_K31])
    pipeline.publish(settings)
    signed = dt.date(2025, 10, 10)
    for app, tranches in ((first, [("2025-10-20", "9"), ("2026-03-01", "6")]), (second, [("2025-10-20", "10")])):
        app.refresh_from_db()
        contract = contracts.record_contract(app, office_user, signed_on=signed,
                                             amount=sum(Decimal(a) for _d, a in tranches),
                                             tranches=[TrancheInput(dt.date.fromisoformat(d), Decimal(a))
                                                       for d, a in tranches])
        approve_pending("contract", contract)
    settings.ZGCFUND_CLOCK_DATE = "2026-01-15"
    return first, second


def test_office_proposes_finance_pays_and_the_totals_change(live_server, page, new_page, log_in, contracted,
                                                            make_user, office_user):
    first, _second = contracted
    # The office proposes the first tranche to its collective decision.
    office = log_in(new_page(), office_user)
    office.goto(live_server.url + reverse("office:funds"))
    office.get_by_test_id(f"funds-row-{first.pk}").get_by_role("link", name="查看").click()
    expect(office.get_by_test_id("record-payment-1")).to_have_count(0)
    office.get_by_label("拨付期次").select_option("1")
    office.get_by_label("拨付金额（万元）").fill("16")
    office.get_by_label("计划拨付日期（可选）").fill("2025-10-20")
    office.get_by_label("提请说明（可选）").fill("首期按合同拨付")
    office.get_by_test_id("propose-disbursement").click()
    accept(office, "须经集体研究同意")
    expect(office.get_by_test_id("error-amount")).to_contain_text("超过合同金额 15 万元")
    expect(office.get_by_label("拨付期次")).to_have_value("1")
    expect(office.get_by_label("计划拨付日期（可选）")).to_have_value("2025-10-20")
    expect(office.get_by_label("提请说明（可选）")).to_have_value("首期按合同拨付")
    office.get_by_label("拨付金额（万元）").fill("9")
    office.get_by_test_id("propose-disbursement").click()
    accept(office, "须经集体研究同意", ok="提请集体研究")
    expect(office.locator("ul.messages")).to_contain_text("拨付已提请集体研究")
    disbursement = Disbursement.objects.get()
    expect(office.get_by_test_id(f"disbursement-status-{disbursement.pk}")).to_contain_text("集体研究：已同意 1/2")
    expect(office.get_by_test_id(f"disbursement-decision-{disbursement.pk}")).to_be_visible()
    expect(office.get_by_test_id("total-paid")).to_have_text("0.00")

    # A second office user approves (the decision pages are tested in test_decisions_flow.py).
    approve_pending("disbursement", disbursement)
    office.reload()
    expect(office.get_by_test_id(f"disbursement-status-{disbursement.pk}")).to_contain_text("已批准待拨付")
    expect(office.get_by_test_id("total-approved")).to_have_text("9.00")

    # Finance logs in, finds it among the approved ones and records the payment.
    make_user("finance@zgc.example", role=Role.FINANCE, full_name="钱财务")
    log_in_with_form(page, live_server.url, "finance@zgc.example", FIXTURE_PASSWORD)
    expect(page).to_have_url(live_server.url + reverse("office:funds"))
    expect(page.get_by_role("heading", level=1)).to_have_text("资金拨付与退回")
    expect(page.get_by_test_id("nav-workspace")).to_have_text("资金拨付与退回")
    expect(page.get_by_test_id("total-committed")).to_have_text("25.00")
    expect(page.get_by_test_id("total-approved")).to_have_text("9.00")
    expect(page.get_by_test_id("total-paid")).to_have_text("0.00")
    expect(page.get_by_test_id("funds-chart").locator("svg")).to_be_visible()
    page.get_by_test_id(f"funds-row-{first.pk}").get_by_role("link", name="拨付与退回").click()
    expect(page.get_by_test_id("proposal-form")).to_have_count(0)
    expect(page.get_by_test_id(f"disbursement-decision-{disbursement.pk}")).to_have_count(0)
    page.get_by_test_id(f"record-payment-{disbursement.pk}").click()
    page.get_by_label("拨付日期").fill("2026-02-01")
    page.get_by_label("凭证号（可选）").fill("PZ-2025-001")
    page.get_by_test_id("funds-submit").click()
    accept(page, "不能修改或删除")
    expect(page.get_by_test_id("error-paid_on")).to_contain_text("不得晚于今天（2026-01-15）")
    expect(page.get_by_label("凭证号（可选）")).to_have_value("PZ-2025-001")
    page.get_by_label("拨付日期").fill("2025-10-25")
    page.get_by_test_id("funds-submit").click()
    accept(page, "不能修改或删除", ok="登记拨付")
    expect(page.locator("ul.messages")).to_contain_text("拨付已登记")
    expect(page.get_by_test_id("total-paid")).to_have_text("9.00")
    expect(page.get_by_test_id("total-approved")).to_have_text("0.00")
    expect(page.get_by_test_id("tranche-1")).to_contain_text("9.00")
    expect(page.get_by_test_id("disbursements")).to_contain_text("PZ-2025-001")
    page.get_by_role("link", name="资金拨付与退回").first.click()
    expect(page.get_by_test_id("total-paid")).to_have_text("9.00")
    expect(page.get_by_test_id("total-outstanding")).to_have_text("16.00")
    # the office pages stay closed to finance, the collective decision's too
    assert page.goto(live_server.url + reverse("office:dashboard")).status == 403
    decision = decisions.latest_for("disbursement", disbursement)
    assert page.goto(live_server.url + reverse("office:decision", args=[decision.pk])).status == 403

    office.goto(live_server.url + reverse("office:dashboard"))
    expect(office.get_by_test_id("funds-paid")).to_have_text("9.00")
    office.get_by_test_id("funds-link").click()
    expect(office.get_by_test_id("total-paid")).to_have_text("9.00")
    office.get_by_test_id(f"funds-row-{first.pk}").get_by_role("link", name="查看").click()
    expect(office.get_by_test_id("disbursements")).to_contain_text("PZ-2025-001")
    expect(office.get_by_test_id(f"disbursement-status-{disbursement.pk}")).to_contain_text("已拨付")
    expect(office.get_by_test_id(f"record-payment-{disbursement.pk}")).to_have_count(0)
    expect(office.get_by_test_id("record-refund")).to_have_count(0)
