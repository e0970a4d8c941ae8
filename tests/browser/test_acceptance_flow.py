"""Acceptance in real Chromium: the office verifies the commitments one by one (htmx), sees the final-basis
score change, proposes the conclusion 通过 to its collective decision (confirmation dialog; the applicant sees
nothing yet); once a second office user approves (given in the test, tests/review/decision_helpers.py) the
applicant sees the conclusion on its status page and downloads the acceptance report PDF. The contract and the
move to ``reporting`` are made through the domain functions (tests/implementation/acceptance_fixtures.py)."""

from __future__ import annotations

import pytest
from confirming import accept
from django.urls import reverse
from playwright.sync_api import expect
from tests.implementation.acceptance_fixtures import reporting_contract
from tests.implementation.conftest import Pipeline
from tests.review.decision_helpers import approve_pending

from zgcfund.applications.domain import workflow
from zgcfund.applications.models import Application
from zgcfund.implementation.models import Acceptance

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def contract(loaded, make_org, make_user, office_user, settings):
    return reporting_contract(Pipeline(make_org, make_user, office_user, loaded), office_user, settings)


def save(page, key: str) -> None:
    page.get_by_test_id(f"save-{key}").click()
    expect(page.get_by_test_id("assess-saved")).to_contain_text(key)


def test_office_assesses_concludes_and_the_applicant_downloads_the_report(contract, office_user, live_server, page,
                                                                          new_page, log_in):
    pk = contract.application_id
    log_in(page, office_user)
    page.goto(live_server.url + reverse("office:acceptance", args=[pk]))
    expect(page.get_by_test_id("final-score-K3.1")).to_have_text("0")  # R2 not verified yet: only R1
    page.get_by_test_id("status-R2-delivered").check()
    page.get_by_test_id("verified-R2").check()
    save(page, "R2")
    expect(page.get_by_test_id("final-score-K3.1")).to_have_text("8")  # two park events: K3.1 met
    # not delivered without a reason: the row says what is missing, nothing is saved
    page.get_by_test_id("status-R3-not_delivered").check()
    page.get_by_test_id("save-R3").click()
    expect(page.get_by_test_id("error-reason-R3")).to_contain_text("请填写原因")
    page.get_by_test_id("reason-R3").fill("课题未获立项")
    save(page, "R3")
    expect(page.get_by_test_id("final-P5")).to_contain_text("课题未获立项")
    page.get_by_test_id("status-V2-delivered").check()
    page.get_by_test_id("verified-V2").check()
    save(page, "V2")
    expect(page.get_by_test_id("pgrow-verdict")).to_have_text("专业服务能力有提升")

    page.get_by_test_id("conclusion-passed").check()
    page.fill("#id_accepted_on", "2026-07-01")
    page.fill("#id_comments", "实施任务基本完成，予以通过。")
    page.get_by_test_id("conclude").click()
    accept(page, "提请集体研究", ok="登记并提请集体研究")
    expect(page.locator("ul.messages")).to_contain_text("验收结论已提请集体研究")
    expect(page.get_by_test_id("decision-status")).to_contain_text("集体研究：已同意 1/2")
    expect(page.get_by_test_id("acceptance-status")).to_have_text("验收结论待集体研究")
    expect(page.get_by_test_id("conclusion-proposed")).to_be_visible()
    expect(page.get_by_test_id("save-R2")).to_have_count(0)  # frozen while proposed
    assert Application.objects.get(pk=pk).status == workflow.REPORTING

    applicant = new_page()
    log_in(applicant, contract.application.organization.memberships.first().user)
    applicant.goto(live_server.url + reverse("applications:status", args=[pk]))
    expect(applicant.get_by_test_id("acceptance-conclusion")).to_have_count(0)

    approve_pending("acceptance", Acceptance.objects.get(contract=contract))
    page.reload()
    expect(page.get_by_test_id("conclusion")).to_have_text("通过")
    expect(page.get_by_test_id("decision-status")).to_contain_text("集体研究：已通过")
    assert Application.objects.get(pk=pk).status == workflow.ACCEPTED
    applicant.reload()
    box = applicant.get_by_test_id("acceptance-conclusion")
    expect(box).to_contain_text("通过")
    expect(box).to_contain_text("实施任务基本完成，予以通过。")
    with applicant.expect_download() as info:
        applicant.get_by_test_id("acceptance-pdf").click()
    with open(info.value.path(), "rb") as f:
        assert f.read(5) == b"%PDF-"
    assert "验收报告" in info.value.suggested_filename
