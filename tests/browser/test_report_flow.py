"""Implementation-period reports in real Chromium: the organization fills in its commitments' delivery (figures,
a photo, a not-delivered one with its reason) and submits; the office returns it with a comment on one
commitment; the organization sees the comment next to it, fixes and resubmits; the office accepts. And an
extension granted after the due date takes the organization off the dashboard's overdue card.

The contract (and the selection before it) is made through the domain functions; the report is clicked."""

from __future__ import annotations

import datetime as dt

import pytest
from confirming import accept
from playwright.sync_api import expect
from test_applicant_journey import png_bytes
from tests.implementation.conftest import PLAN_K31, PLAN_P5, PRIOR, Pipeline
from tests.implementation.test_contracts import plan, sign
from tests.review.test_ranking_web import same

from zgcfund.implementation.domain import reports as domain
from zgcfund.implementation.models import Commitment, Report, ReportStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DUE = dt.date(2025, 12, 20)


@pytest.fixture
def contracted(loaded, make_org, make_user, office_user, settings):
    """甲 (R2 K3.1 and R3 P5 committed) and 乙, under contract, with a round due on DUE."""
    pipeline = Pipeline(make_org, make_user, office_user, loaded)
    first = pipeline.application("甲协会", same("12", "8"), records=[PRIOR, PLAN_K31, PLAN_P5])
    second = pipeline.application("乙协会", same("10", "5"), records=[PRIOR, PLAN_K31])
    pipeline.publish(settings)
    for app in (first, second):
        app.refresh_from_db()
    contract = sign(first, office_user)
    sign(second, office_user, amount="10", tranches=plan("10"))
    report_round = domain.save_round(first.programme_code, office_user, name="2025年度进度报告", kind="progress",
                                     due_on=DUE, asks="填报承诺完成情况并上传支撑材料")
    return first, second, contract, report_round, first.user


def test_report_return_and_resubmit(contracted, page, new_page, live_server, log_in, office_user, settings, tmp_path):
    first, _second, contract, report_round, user = contracted
    settings.ZGCFUND_CLOCK_DATE = (DUE - dt.timedelta(days=5)).isoformat()
    org = log_in(page, user)
    org.goto(live_server.url + f"/applications/{first.pk}/status/")
    org.get_by_test_id("reports-link").click()
    expect(org.get_by_test_id(f"round-{report_round.pk}")).to_contain_text("未填报")
    org.get_by_role("link", name="打开报告").click()
    expect(org.get_by_test_id("due-on")).to_contain_text("2025-12-20")

    r2 = org.get_by_test_id("commitment-R2")
    r2.get_by_text("填报完成情况").click()
    r2.get_by_label("完成情况", exact=True).select_option("delivered")
    r2.get_by_label("实际完成日期").fill("2025-12-01")
    r2.get_by_label("园区").fill("海淀园")
    r2.get_by_label("参加人数").fill("130")
    r2.get_by_test_id("save-R2").click()
    expect(org.get_by_test_id("commitment-R2").get_by_test_id("delivered")).to_contain_text("参加人数：130")
    photo = tmp_path / "对接会照片.png"
    photo.write_bytes(png_bytes("event"))
    org.get_by_test_id("file-R2-photos").set_input_files(str(photo))
    org.get_by_test_id("slot-R2-photos").get_by_role("button", name="上传", exact=True).click()
    expect(org.get_by_test_id("slot-R2-photos")).to_contain_text("对接会照片.png")

    r3 = org.get_by_test_id("commitment-R3")
    r3.get_by_text("填报完成情况").click()
    r3.get_by_label("完成情况", exact=True).select_option("not_delivered")
    r3.get_by_test_id("save-R3").click()  # no reason: refused, input kept
    expect(org.get_by_test_id("error-summary")).to_contain_text("完成情况说明")
    org.get_by_test_id("commitment-R3").get_by_label("完成情况说明（部分完成或未完成时必填）").fill("委托方推迟至2026年")
    org.get_by_test_id("save-R3").click()
    expect(org.get_by_test_id("commitment-R3").get_by_test_id("reported-status")).to_have_text("未完成")

    org.get_by_label("报告说明（可选）").fill("按计划推进")
    org.get_by_test_id("submit-report").click()
    accept(org, "提交后报告内容冻结")
    expect(org.get_by_test_id("report-status")).to_have_text("已提交，待审核")
    report = Report.objects.get(round=report_round, contract=contract)

    office = log_in(new_page(), office_user)
    office.goto(live_server.url + f"/office/implementation/rounds/{report_round.pk}/")
    office.get_by_test_id(f"org-{first.pk}").get_by_test_id("review-link").click()
    expect(office.get_by_test_id("frozen-R2")).to_contain_text("对接会照片.png")
    office.get_by_test_id("comment-R2").fill("照片看不清参会人数，请补充签到表")
    office.get_by_test_id("return-report").click()  # no general comment: refused, the comment on R2 kept
    accept(office)
    expect(office.get_by_test_id("error-summary")).to_contain_text("总体意见")
    expect(office.get_by_test_id("comment-R2")).to_have_value("照片看不清参会人数，请补充签到表")
    office.get_by_label("总体意见（退回时必填）").fill("请按意见补充材料")
    office.get_by_test_id("return-report").click()
    accept(office, "确认退回")
    expect(office.get_by_test_id("report-status")).to_have_text("退回修改")

    org.reload()
    expect(org.get_by_test_id("return-comment")).to_contain_text("请按意见补充材料")
    expect(org.get_by_test_id("commitment-R2").get_by_test_id("office-comment")).to_contain_text("请补充签到表")
    expect(org.get_by_test_id("commitment-R3").get_by_test_id("office-comment")).to_have_count(0)
    r2 = org.get_by_test_id("commitment-R2")
    r2.get_by_text("填报完成情况").click()
    r2.get_by_label("参加人数").fill("128")
    r2.get_by_test_id("save-R2").click()
    expect(org.get_by_test_id("commitment-R2").get_by_test_id("delivered")).to_contain_text("参加人数：128")
    org.get_by_test_id("submit-report").click()
    accept(org)
    expect(org.get_by_test_id("report-status")).to_have_text("已提交，待审核")

    office.reload()
    expect(office.get_by_test_id("frozen-R2")).to_contain_text("参加人数：128")
    office.get_by_test_id("accept-report").click()
    accept(office, "确认通过")
    expect(office.get_by_test_id("report-status")).to_have_text("已通过")
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED
    assert [s.document["commitments"][0]["delivered"].get("participants") for s in report.submissions.all()] == [130, 128]
    assert Commitment.objects.get(contract=contract, record_key="R2").delivered["participants"] == 128
    org.reload()
    expect(org.get_by_test_id("accepted")).to_be_visible()


def test_extension_after_the_due_date_leaves_the_overdue_card(contracted, page, live_server, log_in, office_user,
                                                             settings):
    first, second, _contract, report_round, _user = contracted
    settings.ZGCFUND_CLOCK_DATE = (DUE + dt.timedelta(days=4)).isoformat()
    office = log_in(page, office_user)
    office.goto(live_server.url + "/office/")
    card = office.get_by_test_id("office-overdue-reports")
    expect(card.get_by_test_id(f"overdue-{first.pk}-{report_round.pk}")).to_contain_text("逾期 4 天")
    expect(card.get_by_test_id(f"overdue-{second.pk}-{report_round.pk}")).to_be_visible()
    card.get_by_test_id(f"overdue-{first.pk}-{report_round.pk}").get_by_role("link").click()
    row = office.get_by_test_id(f"org-{first.pk}")
    expect(row.get_by_test_id("days-overdue")).to_have_text("4")
    row.get_by_text("延期", exact=True).first.click()
    row.get_by_label("延期后截止日期").fill("2026-01-10")
    row.get_by_test_id(f"extend-submit-{first.pk}").click()  # no reason: 422, the date kept
    expect(office.get_by_test_id("error-summary")).to_contain_text("延期理由")
    row = office.get_by_test_id(f"org-{first.pk}")
    expect(row.get_by_label("延期后截止日期")).to_have_value("2026-01-10")
    row.get_by_label("延期理由").fill("年度审计报告延迟出具")
    row.get_by_test_id(f"extend-submit-{first.pk}").click()
    row = office.get_by_test_id(f"org-{first.pk}")
    expect(row.get_by_test_id("extension")).to_contain_text("年度审计报告延迟出具")
    expect(row.get_by_test_id("days-overdue")).to_have_text("—")
    office.goto(live_server.url + "/office/")
    card = office.get_by_test_id("office-overdue-reports")
    expect(card.get_by_test_id(f"overdue-{first.pk}-{report_round.pk}")).to_have_count(0)
    expect(card.get_by_test_id(f"overdue-{second.pk}-{report_round.pk}")).to_be_visible()
