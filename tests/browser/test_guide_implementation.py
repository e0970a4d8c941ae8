"""The guides' implementation-period chapters (issue 13) in real Chromium: one programme taken through the
domain functions from the contracts to the acceptance, with the programme clock moved along the way, and
each page photographed for the office and applicant guides (tests/browser/guide.py) after checking that it
shows what the guide says.

甲协会 (K3.1, P5, P7 and K1.3 commitments) is extended and returns a K1.3 report that the office sends back,
uploads its revenue table, submits its final report late and is assessed for acceptance; 乙协会 never reports
(overdue); 丙协会's contract waits for the second office approval (集体研究)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from guide import shot
from playwright.sync_api import expect
from test_applicant_journey import png_bytes
from tests.implementation.acceptance_fixtures import P7_PLAN, P7_PRIOR, PLAN_K31, PLAN_P5, PRIOR, full_document
from tests.implementation.conftest import Pipeline
from tests.implementation.test_revenue import fill, k13, member, set_rates, template_bytes, upload
from tests.review.decision_helpers import approve_pending, second_office_user
from tests.review.test_ranking_web import same

from zgcfund.accounts.models.user import Role
from zgcfund.implementation.domain import acceptance, contracts, reports
from zgcfund.implementation.domain.contracts import TrancheInput
from zgcfund.implementation.models import CommitmentStatus, ReportStatus, RoundKind
from zgcfund.review.domain import selection as selections

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIGNED = dt.date(2025, 10, 10)
K13_DUE = dt.date(2025, 12, 20)
EXTENDED = dt.date(2026, 1, 10)
FINAL_DUE = dt.date(2026, 6, 30)
A_CODE, B_CODE = "91110108MA01AAAA55", "91110108MA01BBBB84"  # valid codes: the acceptance checks them
P7_BRAND = {**P7_PLAN, "years_held": 2, "participants": 280}  # P7 met at acceptance
P4_PLAN = {"id": "V3", "clause": "P4", "phase": "plan", "date": "2026-04-20", "title": "海淀园企业需求征集与资源梳理",
           "type": "park_service"}
RECORDS = [PRIOR, PLAN_K31, PLAN_P5, P7_PRIOR, P7_BRAND, P4_PLAN,
           k13("E1", "plan", "北京甲科技有限公司", A_CODE, "2026-02-28"), k13("E2", "prior", "北京乙科技有限公司", B_CODE)]
RETURN_COMMENT = "请补充绩效企业营收数据的来源说明"
R2_COMMENT = "请补充对接会签到表"


def at(settings, day: str) -> None:
    settings.ZGCFUND_CLOCK_DATE = day


def publish(pipeline: Pipeline, settings):
    """Three selected (甲 15, 乙 10, 丙 10 万元), the notice period over."""
    spec = {"method": "by_bands", "bands": [{"name": "一档", "ranks": [1, 1], "amount": "15"},
                                            {"name": "二档", "ranks": [2, 3], "amount": "10"}]}
    draft = selections.save_draft(pipeline.loaded.code, spec, pipeline.office)
    selections.confirm(draft, pipeline.office)
    published = selections.publish(draft, pipeline.office, 7)
    at(settings, (published.notice_ends_on + dt.timedelta(days=1)).isoformat())
    selections.end_notice(published, pipeline.office)


def record(app, office_user, amount: str, tranches):
    app.refresh_from_db()
    return contracts.record_contract(app, office_user, signed_on=SIGNED, amount=Decimal(amount),
                                     tranches=[TrancheInput(dt.date.fromisoformat(d), Decimal(a), c)
                                               for d, a, c in tranches],
                                     conditions="按任务书开展工作，按期报送营收情况表和实施期总结报告。")


@pytest.fixture
def programme(loaded, make_org, make_user, office_user, settings):
    pipeline = Pipeline(make_org, make_user, office_user, loaded)
    with mock.patch.dict(Pipeline.application.__globals__, {"document": full_document}):
        first = pipeline.application("北京中关村科技企业服务协会", same("12", "8"), records=RECORDS)
        second = pipeline.application("北京智能制造产业联盟", same("10", "6"), records=[PRIOR, PLAN_K31, P7_PRIOR, P7_PLAN])
        third = pipeline.application("北京生物医药创新促进会", same("9", "5"), records=[PRIOR, PLAN_K31, P7_PRIOR])
    publish(pipeline, settings)
    at(settings, SIGNED.isoformat())
    a = record(first, office_user, "15", [("2025-10-20", "9", "合同签订后拨付"), ("2026-03-01", "6", "中期报告通过后拨付")])
    approve_pending("contract", a)
    b = record(second, office_user, "10", [("2025-10-20", "10", "合同签订后拨付")])
    approve_pending("contract", b)
    record(third, office_user, "10", [("2025-10-25", "10", "合同签订后拨付")])  # waits for 集体研究
    at(settings, "2025-10-15")
    for app in (first, second):
        app.refresh_from_db()
        reports.start_implementation(app, office_user)
    code = first.programme_code
    k13_round = reports.save_round(code, office_user, name="K1.3 2025年1—11月营收情况表", kind=RoundKind.K13_2025,
                                   due_on=K13_DUE, asks="上传各绩效企业2025年1—11月及上年同期营收情况表，填报承诺完成情况。")
    reports.save_round(code, office_user, name="K1.3 2026年1—2月营收情况表", kind=RoundKind.K13_2026,
                       due_on=dt.date(2026, 3, 20), asks="上传各绩效企业2026年1—2月及上年同期营收情况表。")
    final_round = reports.save_round(code, office_user, name="实施期总结报告", kind=RoundKind.FINAL, due_on=FINAL_DUE,
                                     asks="填报全部实施承诺的完成情况，上传支撑材料，说明专业服务能力的提升。")
    for app in (first, second, third):
        app.refresh_from_db()
    return {"first": first, "second": second, "third": third, "contract": a, "k13_round": k13_round,
            "final_round": final_round, "user": first.user, "code": code}


def deliver(contract, user, key, *, fields, on, photo=None, kind="photos"):
    c = contract.commitments.get(record_key=key)
    reports.update_commitment_delivery(c, user, reported_status=CommitmentStatus.DELIVERED, delivered=fields,
                                       delivered_on=dt.date.fromisoformat(on))
    if photo:
        reports.store_evidence(c, user, SimpleUploadedFile(photo, png_bytes(key)), kind=kind)


def test_implementation_chapters(programme, live_server, page, new_page, log_in, office_user, make_user, settings):
    first, second, third = programme["first"], programme["second"], programme["third"]
    contract, user, k13_round = programme["contract"], programme["user"], programme["k13_round"]
    org_pk = first.pk

    # --- contract and 集体研究 ------------------------------------------------------------------------------
    at(settings, "2025-10-28")
    approver = second_office_user()
    office_b = log_in(new_page(), approver)
    office_b.goto(live_server.url + reverse("office:decisions"))
    expect(office_b.get_by_test_id("decisions-pending")).to_contain_text("北京生物医药创新促进会")
    expect(office_b.get_by_test_id("decisions-pending")).to_contain_text("1/2")
    expect(office_b.get_by_test_id("decisions-ended")).to_contain_text("北京中关村科技企业服务协会")
    shot(office_b, "office-decisions")
    office_b.get_by_test_id("decisions-pending").get_by_role("link", name="研究").click()
    expect(office_b.get_by_test_id("decision-object")).to_contain_text("10")
    expect(office_b.get_by_test_id("decision-approve")).to_be_visible()
    expect(office_b.get_by_test_id("decision-request-changes")).to_be_visible()
    shot(office_b, "office-decision")

    office = log_in(page, office_user)
    office.goto(live_server.url + reverse("office:contract", args=[org_pk]))
    expect(office.get_by_test_id("contract-status")).not_to_have_text("未生效")
    expect(office.get_by_test_id("contract-pdf")).to_have_text("下载任务书 PDF")
    for clause in ("K1.3", "K3.1", "P4", "P5", "P7"):
        expect(office.get_by_test_id("commitments")).to_contain_text(clause)
    shot(office, "office-contract")

    # --- the K1.3 round: extended after the due date, submitted, returned ---------------------------------
    at(settings, "2026-01-05")
    reports.extend(k13_round, first, office_user, due_on=EXTENDED, reason="绩效企业年度财务快报延迟出具")
    at(settings, "2026-01-08")
    report = reports.report_for(k13_round, contract)
    deliver(contract, user, "R2", fields={"park": "海淀园", "participants": 126}, on="2025-12-16",
            photo="对接会现场照片.png")
    reports.submit_report(report, user, summary="K1.3 绩效企业营收情况表将于统计快报出具后上传。")
    at(settings, "2026-01-09")
    submission = reports.latest_submission(report)
    reports.return_report(submission, office_user, comment=RETURN_COMMENT, per_commitment_comments={"R2": R2_COMMENT})

    at(settings, "2026-01-15")
    office.goto(live_server.url + reverse("office:dashboard"))
    card = office.get_by_test_id("office-overdue-reports")
    expect(card.get_by_test_id(f"overdue-{second.pk}-{k13_round.pk}")).to_contain_text("逾期 26 天")
    expect(card.get_by_test_id(f"overdue-{org_pk}-{k13_round.pk}")).to_have_count(0)  # extended, and submitted
    shot(office, "office-overdue", locator=card)
    office.goto(live_server.url + reverse("office:report_rounds"))
    expect(office.get_by_test_id(f"round-{k13_round.pk}")).to_contain_text("2025-12-20")
    shot(office, "office-report-rounds")
    office.goto(live_server.url + reverse("office:report_round", args=[k13_round.pk]))
    row = office.get_by_test_id(f"org-{org_pk}")
    expect(row.get_by_test_id("extension")).to_contain_text("绩效企业年度财务快报延迟出具")
    expect(row).to_contain_text("2026-01-10")
    expect(row.get_by_test_id("review-link")).to_have_text("退回修改")
    expect(office.get_by_test_id(f"org-{second.pk}").get_by_test_id("days-overdue")).to_have_text("26")
    office.get_by_test_id(f"org-{second.pk}").get_by_text("延期", exact=True).first.click()
    shot(office, "office-report-round")

    applicant = log_in(new_page(), user)
    applicant.goto(live_server.url + reverse("applications:status", args=[org_pk]))
    box = applicant.get_by_test_id("contract")
    expect(box.get_by_test_id("contract-signed-on")).to_have_text("2025-10-10")
    expect(box.get_by_test_id("reports-link")).to_be_visible()
    expect(box.get_by_test_id("contract-revenue-link")).to_be_visible()
    expect(box.get_by_test_id("commitment-E1")).to_contain_text("北京甲科技有限公司")
    shot(applicant, "contract-status")
    box.get_by_test_id("reports-link").click()
    k13_row = applicant.get_by_test_id(f"round-{k13_round.pk}")
    expect(k13_row.get_by_test_id("extended")).to_be_visible()
    expect(k13_row.get_by_test_id("round-status")).to_have_text("退回修改")
    shot(applicant, "reports-home")
    k13_row.get_by_role("link", name="打开报告").click()
    expect(applicant.get_by_test_id("due-on")).to_contain_text("2026-01-10")
    expect(applicant.get_by_test_id("return-comment")).to_contain_text(RETURN_COMMENT)
    expect(applicant.get_by_test_id("commitment-R2").get_by_test_id("office-comment")).to_contain_text(R2_COMMENT)
    expect(applicant.get_by_test_id("submit-report")).to_be_visible()
    shot(applicant, "report-returned")

    # the organization adds the sign-in sheet and resubmits; the office accepts
    at(settings, "2026-01-12")
    r2 = contract.commitments.get(record_key="R2")
    reports.store_evidence(r2, user, SimpleUploadedFile("签到表.png", png_bytes("sign-in")), kind="photos")
    report.refresh_from_db()
    reports.submit_report(report, user)
    reports.accept_report(reports.latest_submission(report), office_user)

    # --- K1.3 revenue tables --------------------------------------------------------------------------------
    at(settings, "2026-03-15")
    client = member(contract)
    assert upload(client, contract, A_CODE, fill(template_bytes(client, contract, A_CODE))).status_code == 302
    resp = upload(client, contract, B_CODE, fill(template_bytes(client, contract, B_CODE),
                                                {"2024年1-11月": 20, "2025年1-11月": 22, "2025年1-2月": 22, "2026年1-2月": 24}))
    assert resp.status_code == 302
    set_rates(office_user, programme["code"], "0.045", "0.05")
    applicant.goto(live_server.url + reverse("revenue:page", args=[org_pk]))
    expect(applicant.get_by_test_id(f"revenue-enterprise-{A_CODE}")).to_contain_text("营收情况表.xlsx")
    expect(applicant.get_by_test_id("revenue-group-a")).to_contain_text("13.33%")  # (12 + 22) × 11 over (10 + 20) × 11
    expect(applicant.get_by_test_id("revenue-group-a")).to_contain_text("满足")  # above the industry's 4.5%
    expect(applicant.get_by_test_id("revenue-chart-a").locator("svg")).to_contain_text("行业增速")
    shot(applicant, "revenue")
    office.goto(live_server.url + reverse("office:revenue_overview"))
    expect(office.get_by_test_id("revenue-overview")).to_contain_text("北京中关村科技企业服务协会")
    shot(office, "office-revenue-overview")

    # --- the final report, submitted late; the office reviews ---------------------------------------------------
    at(settings, "2026-06-25")
    e1 = contract.commitments.get(record_key="E1")
    reports.update_commitment_delivery(e1, user, reported_status=CommitmentStatus.DELIVERED, delivered=e1.targets,
                                       delivered_on=dt.date(2026, 2, 28))
    deliver(contract, user, "V2", fields={"type": "brand_event", "years_held": 2, "participants": 280},
            on="2026-05-20", photo="品牌活动现场.png", kind="")
    deliver(contract, user, "V3", fields={"type": "park_service"}, on="2026-04-28")
    reports.update_commitment_delivery(contract.commitments.get(record_key="R3"), user,
                                       reported_status=CommitmentStatus.NOT_DELIVERED, delivered={},
                                       delivered_on=None, note="委托方推迟课题立项，研究报告未能完成")
    reports.add_extra_work(contract, user, clause="K4.2", title="京冀人工智能产业合作交流会", date=dt.date(2026, 5, 12),
                           fields={"participants": 90}, note="合同外新增的京津冀交流活动")
    at(settings, "2026-07-01")
    first.refresh_from_db()
    reports.request_report(first, office_user)
    at(settings, "2026-07-03")
    final = reports.report_for(programme["final_round"], contract)
    submission = reports.submit_report(final, user, summary="实施期工作已总结，P5 研究报告因委托方原因未完成。")
    assert submission.late
    office.goto(live_server.url + reverse("office:report_review", args=[final.pk]))
    expect(office.get_by_test_id("late")).to_be_visible()
    expect(office.get_by_test_id("frozen-V2")).to_contain_text("品牌活动现场.png")
    expect(office.get_by_test_id("frozen-extra")).to_contain_text("京冀人工智能产业合作交流会")
    expect(office.get_by_test_id("return-report")).to_be_visible()
    expect(office.get_by_test_id("accept-report")).to_be_visible()
    shot(office, "office-report-review")
    reports.accept_report(reports.latest_submission(final), office_user)

    # --- acceptance: each commitment verified, final basis, X-P-GROW, the conclusion form --------------------------
    at(settings, "2026-07-10")
    contract.refresh_from_db()
    for c in contract.commitments.all():
        if c.reported_status == CommitmentStatus.NOT_DELIVERED:
            acceptance.assess_commitment(c, office_user, status=CommitmentStatus.NOT_DELIVERED,
                                         reason="委托方推迟课题立项")
        else:
            acceptance.assess_commitment(c, office_user, status=CommitmentStatus.DELIVERED, verified=True,
                                         delivered=c.delivered or None, delivered_on=c.delivered_on or c.date)
    office.goto(live_server.url + reverse("office:acceptance", args=[org_pk]))
    expect(office.get_by_test_id("final-panel")).to_be_visible()
    expect(office.get_by_test_id("pgrow-verdict")).to_have_text("专业服务能力有提升")
    expect(office.get_by_test_id("conclusion-form")).to_be_visible()
    for value in ("passed", "passed_after_rectification", "failed"):
        expect(office.get_by_test_id(f"conclusion-{value}")).to_have_count(1)
    shot(office, "office-acceptance")

    # --- programme results and funds ----------------------------------------------------------------------------
    office.goto(live_server.url + reverse("office:results"))
    expect(office.get_by_role("heading", name="项目成效", exact=True)).to_be_visible()
    expect(office.get_by_test_id("results-clauses").locator("svg").first).to_be_visible()
    expect(office.get_by_test_id("results-export")).to_be_visible()
    expect(office.get_by_test_id("results-pdf")).to_be_visible()
    shot(office, "office-results")

    finance = log_in(new_page(), make_user("finance@zgc.example", role=Role.FINANCE, full_name="钱财务"))
    finance.goto(live_server.url + reverse("office:funds"))
    expect(finance.get_by_role("heading", level=1)).to_have_text("资金拨付与退回")
    expect(finance.get_by_test_id("total-committed")).to_have_text("25.00")
    expect(finance.get_by_test_id(f"funds-row-{org_pk}")).to_be_visible()
    shot(finance, "office-funds")

    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED and report.submissions.count() == 2
    third.refresh_from_db()
    assert third.contract.status == "proposed"  # still waiting for the second approval
