"""Programme set-up by the office in real Chromium (issue 4): from the dashboard to 项目设置, the scoring
scheme editor (a what-if of rank movements that saves nothing, a bad value named with the rest of the
input kept, saving version 2 with a reason), the ranking under the new version, version 1 still
viewable; the selection plan (a bad number named, a valid plan the selection page starts from); an
uploaded programme file that is not valid YAML.

Set-up through the domain, as tests/programmes/test_setup.py does: two applications submitted, passed
formal review and scored by three experts — 甲 strong on K3.1 (12 / 14) and weak on P5 (2), 乙 the
other way (K3.1 6, P5 9), both P7 5 — so 乙 ranks first (20 to 19) until K3.1's base goes 8 → 22
(its maximum 14 → 28; experts' scores rescale: 甲 24 + 2 + 5 = 31, 乙 12 + 9 + 5 = 26)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from guide import shot
from playwright.sync_api import expect
from test_office_flow import cell, messages_of, office_home, pdf_stand_in, png_upload

from zgcfund.accounts.models.user import Role
from zgcfund.applications.domain.editing import application_for, save_record
from zgcfund.applications.domain.evidence import store_commitment_scan
from zgcfund.applications.domain.submission import content_version, submit_application
from zgcfund.programmes.models import ProgrammeYear
from zgcfund.review.domain import assignment as assigning
from zgcfund.review.domain import scoring
from zgcfund.review.domain.formal import decide
from zgcfund.review.models import SelectionPlan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

K31 = {"phase": "prior", "date": "2025-03-02", "title": "人工智能产业对接会", "park": "海淀园", "participants": 85}
K31_B = {**K31, "date": "2025-04-12", "title": "大模型应用沙龙", "participants": 70}
P5 = {"phase": "prior", "date": "2025-05-30", "title": "中关村人工智能产业发展研究", "type": "commissioned", "completed": True}
P7 = {"phase": "prior", "date": "2025-07-12", "title": "中关村人工智能开发者大会", "type": "brand_event", "years_held": 3,
      "participants": 400}
STRONG_K = "北京中关村园区服务促进会"   # 甲: K3.1 12, P5 2
STRONG_P = "北京中关村产业研究促进会"   # 乙: K3.1 6, P5 9


@pytest.fixture
def scored(make_org, make_user, office_user, open_window):
    """(甲, 乙): submitted, passed formal review, scored and submitted by three experts; 乙 ranks first."""
    experts = [make_user(f"setup-expert{i}@zgc.example", role=Role.EXPERT, full_name=f"专家{i}") for i in (1, 2, 3)]

    def build(name, k31, p5):
        org = make_org(name)
        user = make_user(f"{org.credit_code}@example.org", organization=org)
        app = application_for(org, user)
        for clause, values in (("K3.1", K31), ("K3.1", K31_B), ("P5", P5), ("P7", P7)):
            save_record(app, user, clause, values)
        app.refresh_from_db()
        commitment = store_commitment_scan(app, user, png_upload("承诺书.png", "seal"))
        app.refresh_from_db()
        with pdf_stand_in():
            submit_application(app, user, commitment_accepted=True, commitment=commitment, opened_version=content_version(app))
        app.refresh_from_db()
        decide(app, office_user, "passed", "", {})
        for assignment in assigning.assign(app, experts, office_user):
            scoring.save_review(assignment, assignment.expert,
                               scoring.ReviewInput(scores={"K3.1": k31, "P5": p5, "P7": "5"}), submit=True)
        return app
    return build(STRONG_K, "12", "2"), build(STRONG_P, "6", "9")


# --- page helpers -------------------------------------------------------------------------------------

def to_programme(page, live_server, code: str):
    """Dashboard → 项目设置 → the programme's page."""
    office_home(page, live_server)
    page.get_by_role("link", name="项目设置（评分方案、遴选计划）").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("项目设置")
    page.get_by_test_id("programmes-table").get_by_role("row", name=code).get_by_role("link", name="设置").click()
    expect(page.get_by_test_id("versions-table")).to_be_visible()
    return page


def scheme_input(page, clause: str, label: str):
    """An input of the scheme editor, by clause and its label there (e.g. "基础分")."""
    return page.locator(f'[data-clause="{clause}"]').get_by_label(label, exact=True)


def ranking_order(page) -> list[str]:
    return page.get_by_test_id("ranking-table").locator("tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.testid)")


# --- the scheme: what-if, a bad value, version 2, the ranking, version 1 ------------------------------

def test_scheme_edit_what_if_bad_value_new_version_and_ranking(live_server, page, log_in, office_user, scored, loaded):
    strong_k, strong_p = scored
    code = loaded.code
    to_programme(log_in(page, office_user), live_server, code)
    expect(page.get_by_role("heading", level=1)).to_have_text(loaded.title)
    expect(page.get_by_test_id("versions-table").locator("tbody tr")).to_have_count(1)
    expect(page.get_by_test_id("plan-summary")).to_contain_text("尚未设置遴选计划")
    shot(page, "office-programme")

    # The editor shows the current numbers; K1.3's growth rate is one of the parameters (folded away).
    page.get_by_test_id("scheme-edit-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("评分方案与参数")
    base = scheme_input(page, "K3.1", "基础分")
    expect(base).to_have_value("8")
    growth = page.get_by_label("科技服务业2025年1-11月营收增速（项目办公室录入）（K1.3）")
    expect(growth).to_be_hidden()
    page.locator("summary").filter(has_text="参数").click()
    expect(growth).to_be_visible()
    expect(growth).to_have_value("0")
    shot(page, "office-k13-rate", locator=page.locator(".scheme-clause", has=growth))

    # What-if: K3.1 base 8 → 22 flips the two; nothing is saved.
    base.fill("22")
    page.get_by_test_id("preview-button").click()
    whatif = page.get_by_test_id("what-if")
    expect(whatif.get_by_role("heading", level=2)).to_have_text("排名变化预览（未保存）")
    expect(whatif).to_contain_text("K3.1 基础分：8 → 22")
    expect(page.get_by_test_id("what-if-summary")).to_contain_text("2 项申报的名次、总分或遴选结果发生变化")
    table = page.get_by_test_id("what-if-table")
    up, down = table.get_by_test_id(f"moved-{strong_k.pk}"), table.get_by_test_id(f"moved-{strong_p.pk}")
    for row, name, old, new, movement, old_total, new_total in ((up, STRONG_K, "2", "1", "↑1", "19.00", "31.00"),
                                                                (down, STRONG_P, "1", "2", "↓1", "20.00", "26.00")):
        expect(cell(table, row, "申报单位")).to_have_text(name)
        expect(cell(table, row, "原名次")).to_have_text(old)
        expect(cell(table, row, "新名次")).to_have_text(new)
        expect(cell(table, row, "变化")).to_have_text(movement)
        expect(cell(table, row, "原总分")).to_have_text(old_total)
        expect(cell(table, row, "新总分")).to_have_text(new_total)
    expect(scheme_input(page, "K3.1", "基础分")).to_have_value("22")  # the edit stays in the form
    shot(page, "office-scheme-whatif", locator=whatif)
    other = page.context.new_page()  # another tab: the programme still has one version
    other.goto(live_server.url + reverse("office:programme", args=[code]))
    expect(other.get_by_test_id("versions-table").locator("tbody tr")).to_have_count(1)
    other.close()
    assert ProgrammeYear.objects.filter(code=code).count() == 1

    # A bad value: named in Chinese, everything typed kept, nothing saved.
    cap = scheme_input(page, "K3.1", "园区活动每多1场：加分上限")
    expect(cap).to_have_value("6")
    cap.fill("-1")
    page.get_by_label("新评分方案版本号").fill("2025-office-2")
    page.get_by_label("修改理由（记入操作记录）").fill("加大园区服务活动的权重")
    page.get_by_test_id("save-button").click()
    expect(page.get_by_test_id("scheme-errors")).to_have_text("K3.1 园区活动每多1场：加分上限：不能为负数。")
    k31 = page.locator('[data-clause="K3.1"]')
    expect(k31.locator(".errorlist")).to_have_text("K3.1 园区活动每多1场：加分上限：不能为负数。")
    expect(scheme_input(page, "K3.1", "基础分")).to_have_value("22")
    expect(cap).to_have_value("-1")
    expect(cap).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("新评分方案版本号")).to_have_value("2025-office-2")
    expect(page.get_by_label("修改理由（记入操作记录）")).to_have_value("加大园区服务活动的权重")
    shot(page, "office-scheme-error", locator=k31)
    assert ProgrammeYear.objects.filter(code=code).count() == 1

    # Fixed and saved: version 2, which names what changed from version 1.
    cap.fill("6")
    page.get_by_test_id("save-button").click()
    expect(messages_of(page)).to_contain_text("评分方案已保存为第 2 版（2025-office-2），排名已按新版本重新计算。")
    expect(page.get_by_role("heading", level=1)).to_have_text("2025年中关村社会组织支持项目 第 2 版 当前版本")
    changes = page.get_by_test_id("version-changes")
    expect(changes.get_by_role("heading", level=2)).to_have_text("与第 1 版相比")
    expect(changes.locator("tbody tr")).to_have_count(1)
    expect(changes.locator("tbody tr td")).to_have_text(["K3.1", "K3.1 基础分", "8", "22"])
    v2 = page.get_by_test_id("scheme-table").locator('tr[data-clause="K3.1"]')
    expect(cell(page.get_by_test_id("scheme-table"), v2, "基础分")).to_have_text("22")
    expect(cell(page.get_by_test_id("scheme-table"), v2, "满分")).to_have_text("28")
    shot(page, "office-version", full_page=False)

    # The ranking follows version 2: 甲 first now.
    page.locator(".breadcrumbs").get_by_role("link", name=code).click()
    page.get_by_role("link", name="排序", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("2025年中关村社会组织支持项目 排序")
    expect(page.get_by_test_id("ranking-table").locator("tbody tr")).to_have_count(2)
    assert ranking_order(page) == [f"ranking-row-{strong_k.pk}", f"ranking-row-{strong_p.pk}"]
    ranking = page.get_by_test_id("ranking-table")
    expect(cell(ranking, page.get_by_test_id(f"ranking-row-{strong_k.pk}"), "专家汇总总分")).to_have_text("31.00")
    expect(cell(ranking, page.get_by_test_id(f"ranking-row-{strong_p.pk}"), "名次")).to_have_text("2")

    # Version 1 is still there, unchanged; the set-up log has the reason.
    page.go_back()
    versions = page.get_by_test_id("versions-table")
    expect(versions.locator("tbody tr")).to_have_count(2)
    expect(versions.get_by_test_id("version-2")).to_contain_text("当前")
    expect(versions.get_by_test_id("version-2")).to_contain_text("2025-office-2")
    expect(page.get_by_test_id("setup-events")).to_contain_text("加大园区服务活动的权重")
    versions.get_by_test_id("version-1").get_by_role("link", name="查看").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("2025年中关村社会组织支持项目 第 1 版")
    expect(page.get_by_test_id("version-sha")).to_have_text(loaded.sha256)
    v1 = page.get_by_test_id("scheme-table").locator('tr[data-clause="K3.1"]')
    expect(cell(page.get_by_test_id("scheme-table"), v1, "基础分")).to_have_text("8")
    expect(cell(page.get_by_test_id("scheme-table"), v1, "满分")).to_have_text("14")
    source = page.request.get(live_server.url + page.get_by_role("link", name="下载项目文件").get_attribute("href"))
    assert source.ok and source.text() == loaded.source_text


# --- the selection plan -----------------------------------------------------------------------------------

def test_selection_plan_refuses_a_bad_number_then_sets_the_selection_default(live_server, page, log_in, office_user,
                                                                            scored, loaded):
    _strong_k, strong_p = scored
    code = loaded.code
    to_programme(log_in(page, office_user), live_server, code)
    page.get_by_test_id("plan-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("遴选计划")
    expect(page.get_by_label("最少专家人数（少于此数不参加排名）")).to_have_value("3")  # the defaults

    page.get_by_label("遴选方式").select_option(label="按数量")
    page.get_by_label("入选数量（按数量）").fill("0")
    page.get_by_label("总分分差提示阈值（分）").fill("12")
    page.get_by_test_id("plan-save").click()
    expect(page.get_by_test_id("plan-errors")).to_have_text("入选数量：请填写正整数（收到“0”）。")
    expect(page.locator("#n").locator("xpath=..").locator(".errorlist")).to_have_text("入选数量：请填写正整数（收到“0”）。")
    expect(page.get_by_label("入选数量（按数量）")).to_have_value("0")
    expect(page.get_by_label("总分分差提示阈值（分）")).to_have_value("12")  # what was typed stays
    shot(page, "office-plan-error", full_page=False)
    assert not SelectionPlan.objects.exists()

    page.get_by_label("入选数量（按数量）").fill("1")
    page.get_by_test_id("plan-save").click()
    expect(messages_of(page)).to_contain_text("遴选计划已保存。")
    expect(page.get_by_test_id("plan-summary")).to_contain_text("按数量：择优支持 1 项。")
    expect(page.get_by_test_id("setup-events")).to_contain_text("设置遴选计划：按数量")
    shot(page, "office-plan", locator=page.get_by_test_id("plan-summary"))

    # The selection page starts from the plan: by count, 1, previewed.
    office_home(page, live_server)
    page.get_by_test_id("selection-link").click()
    expect(page.get_by_role("radio", name="按数量")).to_be_checked()
    expect(page.get_by_label("入选数量（按数量）")).to_have_value("1")
    preview = page.get_by_test_id("preview-card")
    expect(preview).to_contain_text("入选 1 项")
    expect(preview.get_by_test_id(f"selected-{strong_p.pk}")).to_contain_text(STRONG_P)


# --- uploads ------------------------------------------------------------------------------------------------

def test_a_broken_programme_file_is_refused_in_chinese(live_server, page, log_in, office_user, loaded):
    office_home(log_in(page, office_user), live_server)
    page.get_by_test_id("programmes-link").click()
    page.get_by_label("项目文件（YAML）").set_input_files(
        {"name": "zgc-2026.yaml", "mimeType": "text/yaml", "buffer": "code: [zgc-2026\ntitle: 缺少括号\n".encode()})
    page.get_by_role("button", name="校验并载入").click()
    expect(page.get_by_test_id("upload-error")).to_contain_text("项目文件无效")
    expect(page.get_by_test_id("programmes-table").locator("tbody tr")).to_have_count(1)  # nothing loaded
    shot(page, "office-upload-error", full_page=False)
    assert ProgrammeYear.objects.count() == 1
