"""The office's collective decision (集体研究) on a contract, in the browser: office user A records the contract
(it is proposed, the applicant sees nothing), office user B finds it in 待集体研究, sends it back without a
reason (refused, the page says why), then approves; the applicant sees the signed contract and never who
approved it."""

from __future__ import annotations

import pytest
from confirming import accept
from django.urls import reverse
from playwright.sync_api import expect
from tests.implementation.conftest import PLAN_K31, PRIOR, Pipeline
from tests.review.decision_helpers import second_office_user
from tests.review.test_ranking_web import same

from zgcfund.applications.domain import workflow
from zgcfund.implementation.models import Contract, ContractStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def messages_of(page):
    return page.locator("ul.messages")


def test_office_a_proposes_office_b_approves_the_applicant_sees_the_contract(
        live_server, page, new_page, log_in, loaded, make_org, make_user, office_user, settings):
    pipeline = Pipeline(make_org, make_user, office_user, loaded)
    app = pipeline.application("甲协会", same("12", "8"), records=[PRIOR, PLAN_K31])
    pipeline.application("乙协会", same("10", "5"), records=[PRIOR])
    pipeline.publish(settings)
    approver = second_office_user()
    approver.full_name = "钱复核"
    approver.save(update_fields=["full_name"])
    applicant = app.organization.memberships.first().user

    # Office user A records the contract: proposed to the collective decision.
    log_in(page, office_user)
    page.goto(live_server.url + reverse("office:contract_new", args=[app.pk]))
    page.get_by_label("合同签署日").fill("2025-10-10")
    page.get_by_label("合同金额（万元）").fill("15")
    page.get_by_label("第 1 期计划拨付日期").fill("2025-10-20")
    page.get_by_label("第 1 期拨付金额").fill("15")
    page.get_by_label("提请说明（可选）").fill("经主任办公会研究")
    page.get_by_role("button", name="登记并提请集体研究").click()
    accept(page, "登记后提请集体研究", ok="登记并提请集体研究")
    expect(messages_of(page)).to_contain_text("合同已登记并提请集体研究")
    expect(page.get_by_test_id("decision-status")).to_contain_text("集体研究：已同意 1/2")
    expect(page.get_by_test_id("contract-status")).to_have_text("未生效")
    assert Contract.objects.get().status == ContractStatus.PROPOSED

    # The applicant sees nothing of a proposed contract.
    mine = log_in(new_page(), applicant)
    mine.goto(live_server.url + reverse("applications:status", args=[app.pk]))
    expect(mine.get_by_test_id("contract")).to_have_count(0)

    # Office user B: the dashboard card, the list, the decision page.
    other = log_in(new_page(), approver)
    other.goto(live_server.url + reverse("office:dashboard"))
    expect(other.get_by_test_id("office-decisions")).to_contain_text("1 项待集体研究")
    other.get_by_test_id("decisions-link").click()
    expect(other.get_by_test_id("decisions-pending")).to_contain_text("甲协会")
    expect(other.get_by_test_id("decisions-pending")).to_contain_text("1/2")
    other.get_by_role("link", name="研究").click()
    expect(other.get_by_test_id("decision-object")).to_contain_text("15")
    expect(other.get_by_test_id("decision-approvals")).to_contain_text("经主任办公会研究")
    # sending back needs a reason
    other.get_by_test_id("decision-request-changes").click()
    expect(other.get_by_test_id("error-summary")).to_contain_text("退回理由：请填写退回修改的理由。")
    other.get_by_label("理由（退回修改时必填）").fill("同意，按拨付计划执行")
    other.get_by_test_id("decision-approve").click()
    accept(other, "您的同意将使集体研究通过", ok="同意")
    expect(messages_of(other)).to_contain_text("已同意：集体研究通过")
    expect(other.get_by_test_id("decision-state")).to_contain_text("已同意")
    app.refresh_from_db()
    assert app.status == workflow.CONTRACTED

    # The applicant now sees the contract, and nobody's approval.
    mine.reload()
    expect(mine.get_by_test_id("contract")).to_be_visible()
    expect(mine.get_by_test_id("contract-signed-on")).to_have_text("2025-10-10")
    for url in (reverse("applications:status", args=[app.pk]), reverse("applications:history", args=[app.pk]),
                reverse("accounts:inbox")):
        mine.goto(live_server.url + url)
        expect(mine.locator("body")).not_to_contain_text("钱复核")
        expect(mine.locator("body")).not_to_contain_text("集体研究")
