"""An expert's review in real Chromium: the task list (own tasks only), the review page, verifying
records (accept one, reject one with a reason: the engine view follows), scoring clauses (an
out-of-range score is refused with a Chinese message naming the clause and the range, nothing typed
is lost), no anchoring (other experts' scores stay hidden until the expert submits), submitting.

Set-up through the domain: the applications (submitted, through formal review), the assignments and
the other expert's submitted review. The office guide's pictures of the expert's pages are taken here."""

from __future__ import annotations

import pytest
from confirming import accept
from django.urls import reverse
from guide import shot
from playwright.sync_api import expect
from test_office_flow import K_ONLY, cell, passed_application

from zgcfund.accounts.models.user import Role
from zgcfund.review.domain import assignment as assigning
from zgcfund.review.domain import scoring
from zgcfund.review.models import Assignment, ClauseScore

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def experts(make_user):
    return [make_user(f"expert{n}@zgc.example", role=Role.EXPERT, full_name=f"专家{n}") for n in (1, 2)]


@pytest.fixture
def tasks(org, applicant, other_org, other_applicant, office_user, experts, open_window):
    """Both experts review the first application; the second expert has already submitted (and alone
    reviews the other organization's application)."""
    mine = passed_application(org, applicant, office_user)
    theirs = passed_application(other_org, other_applicant, office_user, K_ONLY)
    first, second = assigning.assign(mine, experts, office_user)
    [elsewhere] = assigning.assign(theirs, [experts[1]], office_user)
    scoring.save_review(second, experts[1], scoring.ReviewInput(
        verdicts={"K3.1-001": "reject"}, reasons={"K3.1-001": "照片与活动主题不符"},
        scores={"K3.1": "3.75", "P5": "6", "P7": "7.25"}, comments={"K3.1": "独家评语：活动规模偏小"}), submit=True)
    return first, elsewhere


def score_input(page, clause: str):
    return page.get_by_label(f"{clause} 评分", exact=True)


def verdict(page, record: str, choice: str):
    return page.get_by_test_id(f"record-{record}").get_by_role("radio", name=choice, exact=True)


def test_expert_verifies_scores_and_submits_then_sees_the_others(live_server, page, log_in, experts, tasks, org,
                                                                 other_org):
    assignment, elsewhere = tasks
    log_in(page, experts[0]).goto(live_server.url + reverse("home"))
    page.get_by_role("navigation", name="用户导航").get_by_role("link", name="评审任务").click()

    # The task list: only this expert's own task.
    expect(page.get_by_role("heading", level=1)).to_have_text("评审任务")
    table = page.get_by_test_id("expert-tasks")
    row = table.get_by_role("row", name=org.name)
    expect(row).to_contain_text("第 1 次提交")
    expect(row).to_contain_text("待评审")
    expect(table).not_to_contain_text(other_org.name)
    shot(page, "office-expert-tasks", full_page=False)
    row.get_by_role("link", name="评审").click()

    # The review page: the records as submitted, the engine's view, nothing of the other expert's review.
    expect(page.get_by_role("heading", level=1)).to_have_text(org.name)
    expect(page.get_by_test_id("review-state")).to_have_text("草稿")
    first = page.get_by_test_id("record-K3.1-001")
    expect(first).to_contain_text("人工智能产业对接会")
    expect(first).to_contain_text("海淀园")
    expect(first.get_by_role("link", name="活动照片.png")).to_be_visible()
    evaluation = page.get_by_test_id("expert-evaluation")
    k31 = evaluation.get_by_test_id("clause-K3.1")
    expect(k31).to_have_attribute("data-status", "met")
    expect(cell(evaluation, k31, "计入记录")).to_have_text("2")
    expect(cell(evaluation, k31, "规则得分")).not_to_have_text("0")
    expect(page.get_by_test_id("other-reviews")).to_have_count(0)
    for secret in ("3.75", "独家评语", "照片与活动主题不符", "专家2"):
        expect(page.locator("main")).not_to_contain_text(secret)
    # The office's page with every expert's scores is not for experts.
    response = page.request.get(live_server.url + reverse("office:expert_reviews", args=[assignment.application_id]))
    assert response.status == 403
    # Another expert's task, by its URL: not found.
    response = page.request.get(live_server.url + reverse("expert:review", args=[elsewhere.pk]))
    assert response.status == 404

    # Verify: accept K3.1-001, reject K3.1-002 — first without the required reason.
    verdict(page, "K3.1-001", "认可").check()
    verdict(page, "K3.1-002", "不认可").check()
    page.get_by_test_id("save-draft").click()
    expect(page.get_by_test_id("review-errors")).to_contain_text("记录 K3.1-002：不认可时请填写理由。")
    expect(verdict(page, "K3.1-001", "认可")).to_be_checked()
    expect(verdict(page, "K3.1-002", "不认可")).to_be_checked()
    page.get_by_label("不认可的理由 K3.1-002").fill("签到表显示参加人数不足 60 人")
    page.get_by_test_id("save-draft").click()
    expect(page.locator(".messages")).to_contain_text("草稿已保存。")
    # The engine view follows this expert's verdicts: one park event left, K3.1 (two events) is not met.
    expect(k31).to_have_attribute("data-status", "not_met")
    expect(cell(evaluation, k31, "结论")).to_have_text("未达到")
    expect(cell(evaluation, k31, "规则得分")).to_have_text("0")
    expect(cell(evaluation, k31, "计入记录")).to_have_text("1")
    expect(page.get_by_test_id("record-K3.1-002")).to_contain_text("评审核实未通过")
    expect(page.get_by_test_id("record-K3.1-001")).not_to_contain_text("评审核实未通过")
    expect(verdict(page, "K3.1-002", "不认可")).to_be_checked()
    expect(page.get_by_label("不认可的理由 K3.1-002")).to_have_value("签到表显示参加人数不足 60 人")
    shot(page, "office-expert-verify")

    # Score: K3.1 is out of range (max 14); the message names the clause and the range; nothing typed is lost.
    expect(page.get_by_test_id("score-row-K3.1")).to_contain_text("/ 14")
    score_input(page, "K3.1").fill("15")
    page.get_by_label("K3.1 评语", exact=True).fill("两场活动中一场规模不足")
    score_input(page, "P5").fill("8")
    score_input(page, "P7").fill("7.5")
    page.get_by_test_id("submit-review").click()
    accept(page, "不能再修改", ok="提交评审意见")
    errors = page.get_by_test_id("review-errors")
    expect(errors).to_contain_text("未保存，请修改以下内容：")
    expect(errors.locator("li")).to_have_text(["K3.1 分数：分数须在 0 至 14 之间。"])
    expect(score_input(page, "K3.1")).to_have_value("15")
    expect(page.get_by_label("K3.1 评语", exact=True)).to_have_value("两场活动中一场规模不足")
    expect(score_input(page, "P5")).to_have_value("8")
    expect(score_input(page, "P7")).to_have_value("7.5")
    shot(page, "office-expert-score-error", full_page=False)  # the top: what is wrong, by clause and range
    expect(verdict(page, "K3.1-002", "不认可")).to_be_checked()
    expect(page.get_by_label("不认可的理由 K3.1-002")).to_have_value("签到表显示参加人数不足 60 人")
    expect(page.get_by_test_id("review-state")).to_have_text("草稿")
    expect(page.get_by_test_id("other-reviews")).to_have_count(0)
    assert not ClauseScore.objects.filter(assignment=assignment).exists()

    # Correct it and submit: locked, and now the other expert's submitted review shows (anonymised).
    score_input(page, "K3.1").fill("6.5")
    page.get_by_test_id("submit-review").click()
    accept(page, "不能再修改", ok="提交评审意见")
    expect(page.locator(".messages")).to_contain_text("评审意见已提交，不能再修改。")
    expect(page.get_by_test_id("review-state")).to_contain_text("提交")
    expect(score_input(page, "K3.1")).to_be_disabled()
    expect(score_input(page, "K3.1")).to_have_value("6.5")
    expect(verdict(page, "K3.1-002", "不认可")).to_be_disabled()
    expect(page.get_by_test_id("submit-review")).to_have_count(0)
    others = page.get_by_test_id("other-reviews")
    expect(others.get_by_role("heading", level=3)).to_have_text(["专家 1"])
    expect(others).to_contain_text("K3.1：3.75 — 独家评语：活动规模偏小")
    expect(others).to_contain_text("P7：7.25")
    expect(others).to_contain_text("K3.1-001（照片与活动主题不符）")
    expect(others).not_to_contain_text("专家2")
    shot(page, "office-expert-submitted", locator=others)

    page.get_by_role("link", name="评审任务").first.click()
    row = page.get_by_test_id("expert-tasks").get_by_role("row", name=org.name)
    expect(row).to_contain_text("已提交")
    expect(row.get_by_role("link", name="查看")).to_be_visible()
    assignment = Assignment.objects.get(pk=assignment.pk)
    assert assignment.is_submitted
    assert {s.clause: str(s.score) for s in assignment.scores.all()} == {"K3.1": "6.50", "P5": "8.00", "P7": "7.50"}
    assert {v.record_key: v.accepted for v in assignment.verdicts.all()} == {
        "K3.1-001": True, "K3.1-002": False, "P5-001": True, "P7-001": True}


def test_record_phases_read_as_the_form_names_them(live_server, page, new_page, log_in, experts, tasks, office_user):
    assignment, _elsewhere = tasks
    log_in(page, experts[0]).goto(live_server.url + reverse("expert:review", args=[assignment.pk]))
    expect(page.get_by_test_id("record-K3.1-001")).to_contain_text("人工智能产业对接会")
    expect(page.get_by_test_id("record-K3.1-001")).not_to_contain_text("prior", timeout=1000)
    office = log_in(new_page(), office_user)
    office.goto(live_server.url + reverse("office:formal_review", args=[assignment.application_id]))
    expect(office.get_by_test_id("check-K3.1-001")).to_contain_text("前期工作绩效", timeout=1000)

