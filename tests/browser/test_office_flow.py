"""The project office's review work in real Chromium: logging in, the application window and one
organization's extension; formal review (return with a comment on a record, the applicant edits and
resubmits in a second browser, the office sees the diff and passes it); expert assignment (bulk, a
declared conflict of interest skips and blocks the expert, by hand, unassign); every expert's scores;
the ranking with its filters, spread flag, Excel export and an application's history; selection by
count → draft → confirm → 公示 → the public notice; objections (an anonymous one is refused); the
review exports. The office guide's screenshots (docs/guide/office.zh.md) are taken here (guide.shot).

Only the applicant's part (a submitted application) and, where the page under test comes later in the
process, the earlier decisions are made through the domain functions; everything else is clicked.
Submission PDFs are a one-page stand-in (test_applicant_journey.py covers the real one)."""

from __future__ import annotations

import io
from unittest import mock

import pytest
from confirming import accept, dismiss
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from guide import shot
from openpyxl import load_workbook
from playwright.sync_api import expect
from test_applicant_journey import FIXTURE_PASSWORD, log_in_with_form, pdf_bytes, png_bytes
from tests.review.decision_helpers import approve_pending

from zgcfund.accounts.models.user import Role
from zgcfund.applications.domain import submission as submission_domain
from zgcfund.applications.domain.editing import application_for, save_record
from zgcfund.applications.domain.evidence import store_commitment_scan, store_evidence
from zgcfund.applications.domain.submission import content_version, submit_application
from zgcfund.programmes.models import WindowExtension
from zgcfund.review.domain import assignment as assigning
from zgcfund.review.domain import scoring
from zgcfund.review.domain import selection as selection_domain
from zgcfund.review.domain.formal import decide
from zgcfund.review.models import Assignment, ConflictOfInterest, Objection, Selection

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

K31_A = {"phase": "prior", "date": "2025-03-02", "title": "人工智能产业对接会", "park": "海淀园", "participants": 85}
K31_B = {"phase": "prior", "date": "2025-06-18", "title": "大模型应用园区沙龙", "park": "昌平园", "participants": 64}
P5 = {"phase": "prior", "date": "2025-05-30", "title": "中关村人工智能产业发展研究", "type": "commissioned", "completed": True}
P7 = {"phase": "prior", "date": "2025-07-12", "title": "中关村人工智能开发者大会", "type": "brand_event", "years_held": 3,
      "participants": 400}
#: K3.1 (two park events), P5 and P7: meets the application threshold (X-P-TWO).
ELIGIBLE = (("K3.1", K31_A), ("K3.1", K31_B), ("P5", P5), ("P7", P7))
#: K3.1 only: no 专业服务能力 clause, so X-P-TWO fails (listed in the ranking without a rank).
K_ONLY = (("K3.1", K31_A), ("K3.1", K31_B))
STAND_IN_PDF = pdf_bytes()


# --- set-up through the domain (the applicant's part, and earlier decisions) -----------------------

def pdf_stand_in():
    """The submission PDF is not under test here (test_applicant_journey.py reads one): a one-page
    stand-in saves WeasyPrint's 2–5 s per submission."""
    return mock.patch.object(submission_domain, "_render_pdf", lambda *args, **kwargs: STAND_IN_PDF)


@pytest.fixture
def stand_in_pdf():
    """Submissions made through the UI during the test get the stand-in PDF too."""
    with pdf_stand_in():
        yield


def png_upload(name: str, text: str = "photo") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(text), "image/png")


def submitted_application(org, user, records=ELIGIBLE):
    """The organization's application with ``records`` (a photo on the first), submitted once."""
    app = application_for(org, user)
    saved = [save_record(app, user, clause, values) for clause, values in records]
    store_evidence(app, user, saved[0], png_upload("活动照片.png", "event"), "photos")
    app.refresh_from_db()
    commitment = store_commitment_scan(app, user, png_upload("承诺书.png", "seal"))
    app.refresh_from_db()
    with pdf_stand_in():
        submit_application(app, user, commitment_accepted=True, commitment=commitment, opened_version=content_version(app))
    app.refresh_from_db()
    return app


def passed_application(org, user, office_user, records=ELIGIBLE):
    app = submitted_application(org, user, records)
    decide(app, office_user, "passed", "", {})
    app.refresh_from_db()
    return app


@pytest.fixture
def make_expert(make_user):
    def make(n: int):
        return make_user(f"expert{n}@zgc.example", role=Role.EXPERT, full_name=f"专家{n}")
    return make


@pytest.fixture
def submitted(org, applicant, open_window):
    return submitted_application(org, applicant)


# --- page helpers -----------------------------------------------------------------------------

def messages_of(page):
    return page.locator("ul.messages")


def office_home(page, live_server):
    page.goto(live_server.url + reverse("office:dashboard"))
    expect(page.get_by_role("heading", level=1)).to_have_text("项目办公室工作台")
    return page


def cell(table, row, header: str):
    """The cell of ``row`` under the column whose heading starts with ``header`` (columns may move)."""
    index = table.locator("thead th").evaluate_all(
        "(ths, h) => ths.findIndex(th => th.textContent.trim().startsWith(h))", header)
    assert index >= 0, f"no column {header!r}"
    return row.locator("td").nth(index)


# --- logging in, the application window, one organization's extension ------------------------------

def test_office_logs_in_sets_the_window_and_extends_it_for_one_organization(live_server, page, office_user, org,
                                                                           open_window):
    log_in_with_form(page, live_server.url, office_user.email, FIXTURE_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("项目办公室工作台")  # the office lands on its dashboard
    expect(page.get_by_role("navigation", name="用户导航")).to_contain_text("赵办公室")
    shot(page, "office-dashboard")

    # The window: closed the day before the programme clock's 2025-09-20.
    page.get_by_role("link", name="设置申报时间").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("申报时间")
    expect(page.get_by_test_id("current-window")).to_contain_text("申报中")
    page.get_by_label("申报开始时间").fill("2025-08-15T09:00")
    page.get_by_label("申报截止时间").fill("2025-09-19T17:00")
    page.get_by_role("button", name="保存申报时间").click()
    expect(messages_of(page)).to_contain_text("申报时间已保存。")
    current = page.get_by_test_id("current-window")
    expect(current).to_contain_text("2025-08-15 09:00 — 2025-09-19 17:00")
    expect(current).to_contain_text("已截止")
    expect(current).to_contain_text("赵办公室")
    shot(page, "office-window")

    # One organization may go on after the deadline, until a date and with a reason on record.
    page.goto(live_server.url + reverse("office:window_extensions", args=[open_window.code]))
    expect(page.get_by_role("heading", level=1)).to_have_text("单个申报单位延期")
    page.get_by_label("申报单位").select_option(label=f"{org.name}（{org.credit_code}）")
    page.get_by_label("延长至（北京时间）").fill("2025-09-26T17:00")
    page.get_by_label("理由").fill("截止当日系统维护，未能按时提交")
    page.get_by_role("button", name="批准延期").click()
    expect(messages_of(page)).to_contain_text(f"已为“{org.name}”延长申报时间。")
    row = page.get_by_test_id("extensions").get_by_role("row", name=org.name)
    expect(row).to_contain_text("2025-09-26 17:00")
    expect(row).to_contain_text("截止当日系统维护，未能按时提交")
    expect(row).to_contain_text("赵办公室")
    shot(page, "office-extension")
    assert WindowExtension.objects.get().organization == org


def test_the_window_page_links_to_extensions(live_server, page, log_in, office_user, open_window):
    office_home(log_in(page, office_user), live_server)
    page.get_by_role("link", name="设置申报时间").click()
    page.get_by_role("link", name="单位延期").click(timeout=1000)
    expect(page.get_by_role("heading", level=1)).to_have_text("单个申报单位延期")


# --- formal review ------------------------------------------------------------------------------

def test_formal_review_return_with_record_comment_resubmit_diff_and_pass(live_server, page, new_page, log_in, office_user,
                                                                         applicant, submitted, org, stand_in_pdf):
    office_home(log_in(page, office_user), live_server)
    page.get_by_test_id("formal-queue-link").click()
    queue = page.get_by_test_id("formal-queue")
    expect(queue.get_by_role("row", name=org.name)).to_contain_text("第 1 次")
    expect(queue.get_by_role("row", name=org.name).get_by_text("满足", exact=True)).to_be_visible()
    shot(page, "office-formal-queue", full_page=False)
    queue.get_by_role("row", name=org.name).get_by_role("link", name="审查").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(org.name)
    expect(page.get_by_test_id("review-status")).to_have_text("待形式审查")
    expect(page.get_by_test_id("version-diff")).to_have_count(0)
    # per-record checks: the photo on K3.1-001 opens, the other records have no evidence
    photo = page.get_by_test_id("check-K3.1-001").get_by_role("link", name="活动照片.png")
    response = page.request.get(live_server.url + photo.get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "image/png"
    expect(page.get_by_test_id("check-K3.1-001")).to_contain_text("材料齐全")
    expect(page.get_by_test_id("check-K3.1-002")).to_contain_text("缺少“活动图片”")

    # Returning without any comment is refused, with the reason; nothing is decided.
    page.get_by_label("退回修改").check()
    page.get_by_test_id("decide").click()
    expect(page.get_by_test_id("decision-error")).to_have_text("退回修改时请填写审查意见（总体意见或针对记录的意见）。")
    expect(page.get_by_label("退回修改")).to_be_checked()  # the choice survives the refusal
    # Now with a comment on K3.1-002 (kept while the overall comment is typed).
    page.get_by_label("针对该记录的意见 K3.1-002").fill("参加人数与签到表不一致，请核实")
    page.get_by_label("审查意见（退回时必填，申报单位可见）").fill("请核实园区沙龙的参加人数后重新提交。")
    shot(page, "office-formal-return")
    page.get_by_test_id("decide").click()
    expect(messages_of(page)).to_contain_text(f"已保存对“{org.name}”的形式审查结论。")
    expect(page.get_by_test_id("formal-queue")).to_contain_text("没有待形式审查的申报书。")

    # The applicant, in a browser of their own: the comments, the record, the edit, the resubmission.
    mine = log_in(new_page(), applicant)
    mine.goto(live_server.url + reverse("dashboard"))
    expect(mine.get_by_test_id("application-status")).to_have_text("退回修改")
    mine.get_by_role("link", name="继续填报").click()
    comments = mine.get_by_test_id("return-comments")
    expect(comments).to_contain_text("请核实园区沙龙的参加人数后重新提交。")
    expect(comments).to_contain_text("K3.1-002（K3.1）：参加人数与签到表不一致，请核实")
    comments.get_by_role("link", name="K3.1-002").click()
    card = mine.get_by_test_id("record-K3.1-002")
    expect(card.get_by_test_id("record-comment")).to_have_text("形式审查意见：参加人数与签到表不一致，请核实")
    expect(mine.get_by_test_id("record-K3.1-001").get_by_test_id("record-comment")).to_have_count(0)
    card.get_by_role("link", name="修改").click()
    card.get_by_label("参加人数", exact=True).fill("72")
    card.get_by_test_id("save-record").click()
    expect(mine.locator("#clause-body .message--success")).to_contain_text("已保存记录 K3.1-002")
    expect(mine.get_by_test_id("record-K3.1-002")).to_contain_text("72")
    mine.locator(".editor-nav").get_by_role("link", name="总览").click()
    mine.get_by_test_id("go-submit").click()
    expect(mine.get_by_text("已上传：承诺书.png")).to_be_visible()  # the sealed scan from the first submission
    mine.get_by_test_id("commitment-box").check()
    mine.get_by_test_id("submit-button").click()
    accept(mine, "提交后申报书将锁定", ok="确认提交")
    expect(mine.locator(".messages")).to_contain_text("申报书已提交（第 2 次提交）")
    expect(mine.get_by_test_id("status-name")).to_have_text("已提交，待形式审查")

    # The office: back in the queue (second submission), the diff between the versions, pass.
    page.reload()
    queue = page.get_by_test_id("formal-queue")
    expect(queue.get_by_role("row", name=org.name)).to_contain_text("第 2 次")
    queue.get_by_role("row", name=org.name).get_by_role("link", name="审查").click()
    diff = page.get_by_test_id("version-diff")
    expect(diff.get_by_role("heading", level=2)).to_have_text("与第 1 次提交相比的修改")
    changed = diff.get_by_role("row", name="K3.1-002").get_by_role("cell")
    expect(changed.nth(0)).to_have_text("K3.1-002（K3.1）")
    expect(changed.nth(2)).to_have_text("64")
    expect(changed.nth(3)).to_have_text("72")
    expect(diff.get_by_role("row", name="K3.1-001")).to_have_count(0)
    expect(page.get_by_text("K3.1-002：参加人数与签到表不一致，请核实")).to_be_visible()  # the earlier review, on record
    shot(page, "office-formal-diff", locator=diff)
    page.get_by_label("形式审查通过").check()
    page.get_by_test_id("decide").click()
    expect(messages_of(page)).to_contain_text(f"已保存对“{org.name}”的形式审查结论。")
    expect(page.get_by_test_id("formal-queue")).not_to_contain_text(org.name)

    mine.reload()
    expect(mine.get_by_test_id("status-name")).to_have_text("形式审查通过，待专家评审")
    steps = mine.get_by_test_id("status-steps")
    expect(steps.locator('[data-state="done"]')).to_have_text(["填报", "形式审查"])
    expect(steps.locator('[aria-current="step"]')).to_have_text("专家评审")
    submitted.refresh_from_db()
    assert submitted.status == "formal_passed" and submitted.submissions.count() == 2


def test_version_diff_shows_field_labels_and_choice_names(live_server, page, log_in, office_user, applicant, submitted):
    decide(submitted, office_user, "returned", "请核实后重新提交。", {})
    records = {r.key: r for r in submitted.records.all()}
    for key, clause, values in (("K3.1-002", "K3.1", {**K31_B, "participants": 72}),
                                ("P5-001", "P5", {**P5, "type": "government_topic"})):
        save_record(submitted, applicant, clause, values, record=records[key], expected_version=records[key].version)
    submitted.refresh_from_db()
    with pdf_stand_in():
        submit_application(submitted, applicant, commitment_accepted=True,
                           commitment=submission_domain.latest_commitment(submitted),
                           opened_version=content_version(submitted))
    log_in(page, office_user).goto(live_server.url + reverse("office:formal_review", args=[submitted.pk]))
    diff = page.get_by_test_id("version-diff")
    expect(diff.get_by_role("row", name="K3.1-002")).to_contain_text("64")  # the diff is there
    # … and should read as the form did (today: "participants", "commissioned → government_topic").
    expect(diff.get_by_role("row", name="K3.1-002")).to_contain_text("参加人数", timeout=1000)
    expect(diff.get_by_role("row", name="P5-001")).to_contain_text("委托研究", timeout=1000)
    expect(diff.get_by_role("row", name="P5-001")).to_contain_text("国家部委或省级部门研究课题", timeout=1000)


# --- assignment ------------------------------------------------------------------------------------

@pytest.fixture
def two_passed(org, applicant, other_org, other_applicant, office_user, open_window):
    return (passed_application(org, applicant, office_user),
            passed_application(other_org, other_applicant, office_user, K_ONLY))


def test_bulk_assignment_skips_a_declared_conflict_then_by_hand_and_unassign(live_server, page, new_page, log_in, office_user,
                                                                            make_expert, two_passed, org, other_org):
    mine, other = two_passed
    experts = [make_expert(n) for n in range(1, 5)]

    # 专家1 declares a conflict with the first organization on the expert pages.
    expert_page = log_in(new_page(), experts[0])
    expert_page.goto(live_server.url + reverse("expert:tasks"))
    expect(expert_page.get_by_test_id("expert-tasks")).to_contain_text("目前没有分配给您的评审任务。")
    expert_page.get_by_role("link", name="声明利益冲突").click()
    expert_page.get_by_label("申报单位").select_option(label=org.name)
    expert_page.get_by_label("回避理由").fill("曾任该会理事")
    expert_page.get_by_test_id("declare").click()
    expect(expert_page.locator(".messages")).to_contain_text(f"已声明与“{org.name}”存在利益冲突；您不会被分配评审该单位的申报书。")
    expect(expert_page.get_by_test_id("declared").get_by_role("row", name=org.name)).to_contain_text("曾任该会理事")
    shot(expert_page, "office-expert-conflict")

    # Bulk: 4 experts per application; the first can only get 3 (专家1 is skipped), and the page says so.
    office_home(log_in(page, office_user), live_server)
    page.get_by_test_id("assign-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("评审专家分配")
    table = page.get_by_test_id("assign-table")
    expect(cell(table, table.get_by_test_id(f"assign-row-{mine.pk}"), "专家人数")).to_have_text("0")
    page.get_by_label("每份申报书至少分配的专家人数").fill("4")
    page.get_by_test_id("bulk-assign").click()
    expect(messages_of(page)).to_contain_text("已新增 7 项评审分配。")
    expect(messages_of(page)).to_contain_text(f"“{org.name}”只有 3 位可分配的专家，未达到 4 位。")
    row = table.get_by_test_id(f"assign-row-{mine.pk}")
    expect(cell(table, row, "专家人数")).to_have_text("3")
    expect(row).to_contain_text("专家2")
    expect(row).not_to_contain_text("专家1")
    expect(cell(table, table.get_by_test_id(f"assign-row-{other.pk}"), "专家人数")).to_have_text("4")
    load = page.get_by_test_id("expert-load")
    for name, count in (("专家1", "1"), ("专家2", "2"), ("专家3", "2"), ("专家4", "2")):
        expect(cell(load, load.get_by_role("row", name=name), "已分配")).to_have_text(count)
    shot(page, "office-assign-bulk")

    # One application's page: the conflicted expert cannot be ticked; forcing it is refused with the reason.
    row.get_by_role("link", name="分配", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(org.name)
    expect(page.get_by_test_id("assignments").locator("tbody tr")).to_have_count(3)
    conflicted = page.get_by_test_id("assign-form").get_by_role("checkbox", name="专家1")
    expect(conflicted).to_be_disabled()
    expect(page.get_by_test_id("assign-form")).to_contain_text("利益冲突：曾任该会理事")
    shot(page, "office-assign-one")
    conflicted.evaluate("box => { box.disabled = false; box.checked = true; }")  # a tampered form
    page.get_by_test_id("assign").click()
    expect(page.get_by_test_id("assign-error")).to_have_text(
        f"专家专家1已声明与“{org.name}”存在利益冲突（曾任该会理事），不能分配该申报书。")
    assert not Assignment.objects.filter(application=mine, expert=experts[0]).exists()

    # Unassign 专家2, then assign them again by hand.
    page.get_by_test_id(f"assignment-{experts[1].pk}").get_by_role("button", name="取消分配").click()
    expect(messages_of(page)).to_contain_text("已取消专家专家2的评审分配。")
    expect(page.get_by_test_id("assignments").locator("tbody tr")).to_have_count(2)
    expect(page.get_by_test_id(f"assignment-{experts[1].pk}")).to_have_count(0)
    page.get_by_test_id("assign-form").get_by_role("checkbox", name="专家2").check()
    page.get_by_test_id("assign").click()
    expect(messages_of(page)).to_contain_text(f"已为“{org.name}”分配 1 位评审专家。")
    assigned = page.get_by_test_id(f"assignment-{experts[1].pk}")
    expect(assigned).to_contain_text("第 1 次提交")
    expect(assigned).to_contain_text("未提交")
    expect(assigned).to_contain_text("赵办公室")
    expect(page.get_by_test_id("assignments").locator("tbody tr")).to_have_count(3)

    # The expert's task list follows: 专家1 sees only the other organization.
    expert_page.get_by_role("navigation", name="用户导航").get_by_role("link", name="评审任务").click()
    tasks = expert_page.get_by_test_id("expert-tasks")
    expect(tasks).to_contain_text(other_org.name)
    expect(tasks).not_to_contain_text(org.name)
    assert ConflictOfInterest.objects.filter(expert=experts[0], organization=org).count() == 1


# --- scores, ranking, selection, 公示, objections ---------------------------------------------------

SHEETS = {  # expert n → the three experts' scores for K3.1, P5, P7 (the first application; K3.1 spread 8 > 5)
    1: {"K3.1": "14", "P5": "8", "P7": "9"},
    2: {"K3.1": "6", "P5": "7.5", "P7": "8"},
    3: {"K3.1": "13", "P5": "8.5", "P7": "7"},
}


@pytest.fixture
def scored(org, applicant, make_org, make_user, office_user, make_expert, open_window):
    """Three applications through formal review, each scored and submitted by the same three experts:
    the first ranks 1 (its K3.1 scores spread by 8, so it is flagged), the second 2; the third is not
    eligible (no P clause) and gets no rank."""
    experts = [make_expert(n) for n in (1, 2, 3)]
    second_org = make_org("北京市中关村智能制造促进会")
    third_org = make_org("北京市中关村区块链协会")
    apps = [passed_application(org, applicant, office_user),
            passed_application(second_org, make_user("admin@im.example", organization=second_org), office_user),
            passed_application(third_org, make_user("admin@bc.example", organization=third_org), office_user, K_ONLY)]
    for app in apps:
        for n, expert in enumerate(experts, start=1):
            [assignment] = assigning.assign(app, [expert], office_user)
            if app == apps[0]:
                scores = SHEETS[n]
            elif app == apps[1]:
                scores = {"K3.1": "6", "P5": "5", "P7": "5"}
            else:
                scores = {"K3.1": "9"}
            comments = {"K3.1": f"专家{n}：活动组织扎实"} if app == apps[0] else {}
            scoring.save_review(assignment, expert, scoring.ReviewInput(scores=scores, comments=comments), submit=True)
    return apps


def test_expert_scores_ranking_selection_publication_and_objections(live_server, page, new_page, log_in, office_user,
                                                                    scored, loaded, org):
    first, second, third = scored
    code = loaded.code
    office_home(log_in(page, office_user), live_server)

    # Every expert's scores for one application (the ranking links each organization there).
    page.get_by_test_id("ranking-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("2025年中关村社会组织支持项目 排序")
    table = page.get_by_test_id("ranking-table")
    table.get_by_role("link", name=org.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"专家评审意见：{org.name}")
    scores = page.get_by_test_id("all-scores")
    for n in (1, 2, 3):
        expect(scores.get_by_role("columnheader", name=f"专家{n}")).to_contain_text("已提交")
    k31 = scores.get_by_role("row", name="K3.1")
    expect(k31.get_by_test_id("score-K3.1")).to_have_text(["14.00", "6.00", "13.00"])
    expect(k31).to_contain_text("专家2：活动组织扎实")
    expect(scores.get_by_role("row", name="P5").get_by_test_id("score-P5")).to_have_text(["8.00", "7.50", "8.50"])
    shot(page, "office-expert-scores")
    page.go_back()

    # The ranking: K/P/total are the experts' means (K 11, P 8 + 8 = 16); the ineligible one comes last.
    rows = page.get_by_test_id("ranking-table").locator("tbody tr")
    expect(rows).to_have_count(3)
    top = page.get_by_test_id(f"ranking-row-{first.pk}")
    ranking = page.get_by_test_id("ranking-table")
    for header, text in (("名次", "1"), ("申报条件", "符合"), ("K 科技重点工作", "11.00"), ("P 专业服务能力", "16.00"),
                         ("专家汇总总分", "27.00"), ("已提交专家", "3 / 3")):
        expect(cell(ranking, top, header)).to_have_text(text)
    expect(cell(ranking, top, "申报单位")).to_contain_text(org.name)
    expect(rows.first).to_have_attribute("data-testid", f"ranking-row-{first.pk}")
    expect(cell(ranking, page.get_by_test_id(f"ranking-row-{second.pk}"), "名次")).to_have_text("2")
    expect(rows.last).to_have_attribute("data-testid", f"ranking-row-{third.pk}")
    expect(page.get_by_test_id(f"ranking-row-{third.pk}")).to_contain_text("不符合")
    expect(cell(ranking, page.get_by_test_id(f"ranking-row-{third.pk}"), "名次")).to_have_text("—")
    expect(cell(ranking, top, "分歧")).to_have_text("分歧")  # K3.1: 14, 6, 13 — more than 5 apart
    expect(cell(ranking, page.get_by_test_id(f"ranking-row-{second.pk}"), "分歧")).to_have_text("")
    expect(page.get_by_test_id("tie-rule").locator("ol li").first).to_contain_text("总分")
    shot(page, "office-ranking")
    # The Excel export: the same rows in the same order.
    export = page.request.get(live_server.url + page.get_by_test_id("ranking-export").get_attribute("href"))
    assert export.ok and "spreadsheetml" in export.headers["content-type"]
    names = [c.value for c in load_workbook(io.BytesIO(export.body())).active["C"]]
    listed = [n for n in names if n in {org.name, second.organization.name, third.organization.name}]
    assert listed == [org.name, second.organization.name, third.organization.name]
    # One application's history: who decided what, when; filtered by kind.
    page.get_by_test_id(f"history-{first.pk}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"历史记录：{org.name}")
    history = page.get_by_test_id("history")
    expect(history.locator('[data-action="formal.passed"]')).to_contain_text("赵办公室")
    expect(history.locator('[data-action="review.submit"]')).to_have_count(3)
    expect(history.locator('[data-action="application.submit"]')).to_have_count(1)
    page.get_by_test_id("kind-expert").click()
    expect(history.locator("tbody tr")).to_have_count(7)  # three assignments, entering review, three submissions
    expect(history.locator('[data-action="review.start"]')).to_contain_text("开始专家评审")
    expect(history.locator('[data-kind="application"]')).to_have_count(0)
    shot(page, "office-history")
    page.goto(live_server.url + reverse("office:ranking", args=[code]))
    # filters: eligible only, then a name
    page.get_by_label("只看符合申报条件的").check()
    page.get_by_role("button", name="筛选").click()
    expect(page.get_by_text("显示 2 份")).to_be_visible()
    expect(page.get_by_test_id(f"ranking-row-{third.pk}")).to_have_count(0)
    page.get_by_label("单位名称").fill("智能制造")
    page.get_by_role("button", name="筛选").click()
    expect(page.get_by_text("显示 1 份")).to_be_visible()
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-testid", f"ranking-row-{second.pk}")
    expect(page.get_by_label("只看符合申报条件的")).to_be_checked()
    page.get_by_label("单位名称").fill("")
    page.get_by_label("只看专家评分分歧较大的").check()
    page.get_by_role("button", name="筛选").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-testid", f"ranking-row-{first.pk}")

    # Selection by count: preview, save a draft, confirm, publish.
    page.get_by_role("link", name="遴选", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("2025年中关村社会组织支持项目 遴选")
    expect(page.get_by_role("radio", name="按数量")).to_be_checked()
    page.get_by_label("入选数量（按数量）").fill("1")
    page.get_by_test_id("preview").click()
    preview = page.get_by_test_id("preview-card")
    expect(preview).to_contain_text("入选 1 项")
    expect(preview.get_by_test_id(f"selected-{first.pk}")).to_contain_text(org.name)
    expect(preview.get_by_test_id(f"not-selected-{second.pk}")).to_contain_text("未入选")
    expect(preview.get_by_test_id(f"not-selected-{third.pk}")).to_contain_text("未参加排名")
    shot(page, "office-selection-preview")
    assert not Selection.objects.exists()  # a preview saves nothing
    page.get_by_test_id("save-draft").click()
    expect(messages_of(page)).to_contain_text("遴选草稿已保存。")
    expect(page.get_by_test_id("selection-state")).to_contain_text("草稿，尚未确认。")
    expect(page.get_by_role("heading", level=1)).to_contain_text("（按数量）")
    page.get_by_role("button", name="提请集体研究确认").click()
    accept(page, "确认后，本遴选结果不能再修改", ok="提请集体研究确认")
    expect(messages_of(page)).to_contain_text("已提请集体研究确认：需 2 名项目办公室人员同意")
    expect(page.get_by_test_id("decision-status")).to_contain_text("集体研究：已同意 1/2")
    expect(page.get_by_test_id("confirm-form")).to_have_count(0)
    approve_pending("selection", Selection.objects.get())  # a second office user approves (集体研究)
    page.reload()
    expect(page.get_by_test_id("selection-state")).to_contain_text("确认，不能再修改")
    expect(page.get_by_test_id("confirm-form")).to_have_count(0)
    public_url = reverse("public:notice", args=[code])
    visitor = new_page()
    assert visitor.goto(live_server.url + public_url).status == 404  # nothing public before 公示
    page.get_by_label("公示天数").fill("7")
    page.get_by_role("button", name="发布公示").click()
    # publishing cannot be undone: the dialog says so; cancelling sends nothing
    expect(page.get_by_test_id("confirm-dialog")).to_contain_text("公示不能撤回")
    dismiss(page)
    expect(page.get_by_role("button", name="发布公示")).to_be_focused()
    assert Selection.objects.get().published_at is None
    page.get_by_role("button", name="发布公示").click()
    accept(page, "各申报单位即可看到结果", ok="发布公示")
    expect(messages_of(page)).to_contain_text("遴选结果已公示；各申报单位可在申报状态页看到结果。")
    expect(page.get_by_test_id("selection-state")).to_contain_text("已公示 7 天，至 2025-09-27")
    shot(page, "office-selection-published", full_page=False)

    # The public notice, seen by someone not logged in.
    expect(page.get_by_role("link", name="公示页面")).to_have_attribute("href", public_url)
    visitor.goto(live_server.url + public_url)
    expect(visitor).to_have_title("遴选结果公示 · 2025年中关村社会组织支持项目")
    expect(visitor.get_by_role("heading", level=1)).to_have_text("2025年中关村社会组织支持项目遴选结果公示")
    expect(visitor.get_by_test_id("notice-issuer")).to_have_text("中关村科技园区管理委员会")
    expect(visitor.get_by_test_id("notice-published")).to_have_text("2025年9月20日")
    expect(visitor.get_by_test_id("notice-period")).to_have_text("7 天：2025年9月20日 至 2025年9月27日")
    objection = visitor.get_by_test_id("notice-objection")
    expect(objection).to_contain_text("请于 2025年9月27日（公示期最后一天）前以书面形式提出")
    expect(objection).to_contain_text("须署真实姓名")
    expect(objection).to_contain_text("加盖单位公章")
    expect(visitor.get_by_test_id("notice-contact")).to_contain_text("中关村科技园区管理委员会")
    public = visitor.get_by_test_id("public-table").locator("tbody tr")
    expect(public).to_have_count(1)
    expect(public.first.get_by_role("cell")).to_have_text(["1", "1", org.name])  # by count: no bands, no amounts
    expect(visitor.get_by_test_id("public-table")).not_to_contain_text(second.organization.name)
    expect(visitor.get_by_role("link", name="登录", exact=True)).to_be_visible()
    shot(visitor, "office-public-notice")

    # Objections: an anonymous one is refused (what was typed stays); a signed one is recorded.
    objections = page.get_by_test_id("objections")
    expect(objections).to_contain_text("尚无异议。")
    page.get_by_label("所涉申报").select_option(label=org.name)
    page.get_by_label("异议内容").fill("该单位的园区活动参加人数存疑。")
    page.get_by_role("button", name="登记异议").click()
    expect(page.get_by_test_id("objection-errors")).to_have_text(
        "异议人：须以真实姓名或加盖单位公章提出，匿名异议不予受理。请填写姓名或单位。")
    expect(page.get_by_label("异议内容")).to_have_value("该单位的园区活动参加人数存疑。")
    assert not Objection.objects.exists()
    page.get_by_label("异议人姓名").fill("张实名")
    page.get_by_label("处理情况").fill("已转评审专家复核。")
    page.get_by_role("button", name="登记异议").click()
    expect(messages_of(page)).to_contain_text("异议已登记。")
    row = page.get_by_test_id("objections").get_by_role("row", name="张实名")
    expect(row).to_contain_text(org.name)
    expect(row).to_contain_text("2025-09-20")
    expect(row).to_contain_text("已转评审专家复核。")
    shot(page, "office-objection", locator=page.get_by_test_id("objections"))

    # The review exports: one page of workbooks (the expert scores, one row per expert and clause).
    office_home(page, live_server)
    page.get_by_test_id("exports-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("评审数据导出")
    expect(page.get_by_test_id("exports").locator("tbody tr")).to_have_count(4)
    shot(page, "office-exports")
    workbook = page.request.get(live_server.url + page.get_by_test_id("export-expert-scores").get_attribute("href"))
    assert workbook.ok
    cells = {str(c.value) for row in load_workbook(io.BytesIO(workbook.body())).active.iter_rows() for c in row}
    assert {org.name, "专家1", "专家2：活动组织扎实"} <= cells


def test_selection_preview_keeps_the_csrf_token_out_of_the_url(live_server, page, log_in, office_user, loaded):
    office_home(log_in(page, office_user), live_server)
    page.get_by_test_id("selection-link").click()
    page.get_by_label("入选数量（按数量）").fill("1")
    page.get_by_test_id("preview").click()
    expect(page.get_by_test_id("preview-card")).to_contain_text("入选 0 项")
    assert "csrfmiddlewaretoken" not in page.url


def test_saved_selections_name_their_method(live_server, page, log_in, office_user, loaded):
    selection_domain.save_draft(loaded.code, {"method": "by_count", "n": 1}, office_user)
    office_home(log_in(page, office_user), live_server)
    page.get_by_test_id("selection-link").click()
    saved = page.get_by_test_id("saved-selections")
    row = saved.locator("tbody tr").first
    expect(cell(saved, row, "状态")).to_have_text("草稿")
    expect(cell(saved, row, "方式")).to_have_text("按数量", timeout=1000)


def test_a_selection_is_saved_and_confirmed_on_the_same_clock(live_server, page, log_in, office_user, loaded):
    import re

    draft = selection_domain.save_draft(loaded.code, {"method": "by_count", "n": 1}, office_user)
    selection_domain.confirm(draft, office_user)
    log_in(page, office_user).goto(live_server.url + reverse("office:selection_detail", args=[draft.pk]))
    state = page.get_by_test_id("selection-state")
    expect(state).to_contain_text("确认，不能再修改")
    saved, confirmed = re.findall(r"于 (\d{4}-\d{2}-\d{2})", state.inner_text())[:2]
    assert saved == confirmed == "2025-09-20"

