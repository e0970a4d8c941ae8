"""The programme's judgement as the applicant and the office see it (issue 10), in real Chromium:
an unresolved K3 choice stops the submission until the two sub-items are chosen (X-K3-TWO); a
K3.2 enterprise registered outside Beijing is not counted, with the reason; a 注册前信息报送 lodged
in the system gives the notice date and the panel shows the working days before registration; each
kind of supporting material has its slot, and formal review lists the kinds a record lacks."""

from __future__ import annotations

import datetime as dt

import pytest
from confirming import accept
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from guide import shot
from playwright.sync_api import expect
from test_applicant_journey import pdf_bytes, png_bytes, upload
from test_office_flow import pdf_stand_in

from zgcfund.applications.domain.editing import save_record
from zgcfund.applications.domain.evidence import store_commitment_scan
from zgcfund.applications.domain.submission import content_version, submit_application
from zgcfund.applications.models import Record, RegistrationNotice, Submission
from zgcfund.core import creditcode
from zgcfund.core.workdays import working_days_between

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

K31_A = {"phase": "prior", "date": "2025-03-02", "title": "人工智能产业对接会", "park": "海淀园", "participants": 85}
K31_B = {"phase": "prior", "date": "2025-06-18", "title": "大模型应用园区沙龙", "park": "昌平园", "participants": 64}


def code(division: str, serial: int) -> str:
    """A valid credit code of an enterprise registered in ``division`` (GB/T 2260: 11… Beijing, 12… Tianjin)."""
    return creditcode.make_valid(f"91{division}MA{serial:06d}")


def new_enterprise(name: str, serial: int, *, capital: int, place: str = "北京市海淀区", division: str = "110108",
                   notified_on: str = "2025-05-06", registered_on: str = "2025-06-03") -> dict:
    """A prior K3.2/K3.3 record (tests/core/cases/k3.yaml's defaults): ≥ 10 working days from notice to
    registration, registered in the prior window, in Beijing by place and by credit code."""
    return {"phase": "prior", "date": registered_on, "title": f"服务{name}落地注册",
            "enterprise": {"name": name, "credit_code": code(division, serial)},
            "registered_in": place, "registered_capital": capital, "foreign": False, "business_scope": "技术开发、技术服务",
            "notified_on": notified_on, "registered_on": registered_on}


def url(live_server, name: str, *args) -> str:
    return live_server.url + reverse(name, args=args)


def panel_row(page, clause: str):
    return page.get_by_test_id(f"panel-clause-{clause}")


def new_record_form(page):
    form = page.locator("#new-record [data-testid=record-form]")
    expect(form.get_by_label("前期工作绩效", exact=True)).to_be_checked()
    return form


# --- X-K3-TWO: three K3 sub-items, no choice -----------------------------------------------------------

def test_X_K3_TWO_three_k3_items_without_a_choice_submit_page_asks_for_the_choice(live_server, page, log_in, applicant,
                                                                                  application, open_window):
    save_record(application, applicant, "K3.1", K31_A)
    save_record(application, applicant, "K3.1", K31_B)
    save_record(application, applicant, "K3.2", new_enterprise("北京智算科技有限公司", 1, capital=800))
    for i, name in enumerate(("北京数联科技有限公司", "北京云图科技有限公司", "北京芯测科技有限公司"), start=2):
        save_record(application, applicant, "K3.3",
                    new_enterprise(name, i, capital=100, place="北京市昌平区", division="110114"))

    log_in(page, applicant).goto(url(live_server, "applications:submit", application.pk))
    # Until a choice is made the panel counts the two best for now, and warns.
    expect(panel_row(page, "K3.1")).to_have_attribute("data-status", "met")
    expect(panel_row(page, "K3.2")).to_have_attribute("data-status", "met")
    expect(panel_row(page, "K3.3")).to_have_attribute("data-status", "not_chosen")
    expect(page.get_by_test_id("evaluation-warnings")).to_contain_text("X-K3-TWO")
    expect(page.get_by_test_id("evaluation-warnings")).to_contain_text("3项均有记录且未作选择")
    choices = page.get_by_test_id("submit-choices")
    expect(choices).to_contain_text("提交前请选择 K1、K3 计入的子项")
    expect(choices).to_contain_text("K3 的以下子项都有记录，最多只能计入 2 项（X-K3-TWO）")
    for clause in ("K3.1", "K3.2", "K3.3"):
        expect(choices.locator("li").filter(has_text=clause)).to_have_count(1)
    expect(choices).not_to_contain_text("K1 的以下子项")
    shot(page, "choice-before-submit", locator=choices)

    # Submitting anyway is refused, with the same request; nothing is submitted.
    page.get_by_test_id("commitment-box").check()
    page.locator("#id_commitment_scan").set_input_files([upload("承诺书.pdf", pdf_bytes(), "application/pdf")])
    page.get_by_test_id("submit-button").click()
    accept(page)
    expect(page.get_by_test_id("submit-errors")).to_contain_text(
        "K3 的 K3.1、K3.2、K3.3 都有记录，最多只能计入 2 项（X-K3-TWO）")
    expect(page.get_by_test_id("submit-choices")).to_be_visible()
    expect(page.get_by_test_id("commitment-box")).to_be_checked()  # the tick is kept
    assert Submission.objects.count() == 0

    # The link goes to the overview's choices: choose K3.1 and K3.2, save.
    page.get_by_test_id("choices-link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("申报书")
    k3 = page.locator("form.choice-form").filter(has=page.get_by_text("K3（最多选 2 项）"))
    k3.get_by_label("K3.1", exact=False).check()
    k3.get_by_label("K3.2", exact=False).check()
    expect(k3.get_by_label("K3.3", exact=False)).not_to_be_checked()
    k3.get_by_role("button", name="保存选项").click()
    expect(page.locator(".messages")).to_contain_text("已保存 K3 的选项")
    expect(panel_row(page, "K3.3")).to_have_attribute("data-status", "not_chosen")
    application.refresh_from_db()
    assert application.choices.get("K3") == ["K3.1", "K3.2"]

    # Back on the submit page: the request is gone, the commitment can be submitted.
    page.goto(url(live_server, "applications:submit", application.pk))
    expect(page.get_by_role("heading", level=1)).to_have_text("提交申报书")
    expect(page.get_by_test_id("submit-choices")).to_have_count(0)
    expect(page.get_by_test_id("submit-blockers")).to_have_count(0)
    expect(page.get_by_test_id("submit-button")).to_be_enabled()
    expect(page.get_by_test_id("eval-panel")).not_to_contain_text("未作选择")  # the warning is gone
    expect(panel_row(page, "K3.3")).to_contain_text("K3.3-001：本组织选取了K3.1、K3.2，本项未选取")


# --- K3.2: an enterprise registered in Tianjin ----------------------------------------------------------

def test_K3_2_tianjin_registration_rejected_with_the_reason(live_server, page, log_in, applicant, application,
                                                          open_window):
    tianjin = code("120116", 7)  # 120116: 天津市滨海新区
    log_in(page, applicant).goto(url(live_server, "applications:clause", application.pk, "K3.2"))
    expect(page.get_by_test_id("basic-condition")).to_contain_text("新注册的外资企业")
    form = new_record_form(page)
    values = {"日期": "2025-06-03", "名称/主题": "服务天津滨海新注册企业", "新注册企业 · 名称": "天津滨海智造科技有限公司",
              "新注册企业 · 统一社会信用代码": tianjin, "注册地": "天津市滨海新区", "注册资本金（万元）": "800",
              "业务范围": "智能制造技术开发", "提供企业信息日期": "2025-05-06", "注册日期": "2025-06-03"}
    for label, value in values.items():
        form.get_by_label(label, exact=True).fill(value)
    form.get_by_label("是否外资企业", exact=True).select_option(label="否")
    form.get_by_test_id("save-record").click()
    expect(page.locator("#clause-body .message--success")).to_contain_text("已新增记录 K3.2-001")
    card = page.get_by_test_id("record-K3.2-001")
    expect(card).to_contain_text("天津市滨海新区")

    row = panel_row(page, "K3.2")
    expect(row).to_have_attribute("data-status", "not_met")
    expect(row).not_to_contain_text("计入")
    reason = "企业“天津滨海智造科技有限公司”注册地“天津市滨海新区”不在北京，不属于在京新注册企业"
    expect(row.locator(".eval-panel__reasons")).to_contain_text(f"K3.2-001：{reason}")
    # Place and code agree (both Tianjin): the code-vs-place check has nothing to say.
    expect(row).not_to_contain_text("行政区划码")
    card.scroll_into_view_if_needed()
    shot(page, "k32-tianjin-rejected", full_page=False)
    record = Record.objects.get()
    assert record.fields["enterprise"] == {"name": "天津滨海智造科技有限公司", "credit_code": tianjin}
    assert record.fields["notice_date_self_declared"] is True


# --- K3.2: a notice lodged in the system, then the registration ----------------------------------------

def test_K3_2_notice_lodged_then_registration_counted_with_working_days_shown(live_server, page, log_in, settings,
                                                                              applicant, application, open_window):
    settings.ZGCFUND_CLOCK_DATE = "2025-06-02"  # 端午节 (a holiday): the stamp is the date it arrived all the same
    log_in(page, applicant).goto(url(live_server, "applications:notices"))
    expect(page.get_by_role("heading", level=1)).to_have_text("企业注册前信息报送")
    form = page.get_by_test_id("notice-form")
    form.get_by_label("企业名称").fill("北京中关村智算科技有限公司")
    form.get_by_label("拟注册地").fill("北京市海淀区")
    form.get_by_label("注册资金（万元）").fill("800")
    form.get_by_label("是否外资企业").select_option(label="否")
    form.get_by_label("业务范围").fill("人工智能算力服务、技术开发、技术服务")
    page.get_by_test_id("lodge-notice").click()
    notice = RegistrationNotice.objects.get()
    assert notice.number == "ZC-2025-000001" and notice.received_on == dt.date(2025, 6, 2)
    lodged = page.get_by_test_id("notice-lodged")
    expect(lodged).to_contain_text("已报送，报送编号 ZC-2025-000001，系统登记送达日期 2025-06-02。")
    # 06-03..06-06, 06-09..06-13, 06-16: the 10th working day after the stamp, neither end counted
    assert working_days_between(dt.date(2025, 6, 2), dt.date(2025, 6, 17)) == 10
    assert working_days_between(dt.date(2025, 6, 2), dt.date(2025, 6, 16)) == 9
    expect(lodged).to_contain_text("企业须在送达日期后至少 10 个工作日再注册：最早可于 2025-06-17 注册。")
    expect(page.get_by_test_id("notice-ZC-2025-000001")).to_contain_text("北京中关村智算科技有限公司")
    expect(page.get_by_test_id("notice-ZC-2025-000001")).to_contain_text("2025-06-17")
    shot(page, "notice-lodged")

    # Later, in the application window: the enterprise registered on 06-20; its record names the notice.
    settings.ZGCFUND_CLOCK_DATE = "2025-09-20"
    assert open_window.opens_at.date() <= dt.date(2025, 9, 20) <= open_window.closes_at.date()
    registered = dt.date(2025, 6, 20)
    lead = working_days_between(notice.received_on, registered)
    assert lead == 13
    page.goto(url(live_server, "applications:clause", application.pk, "K3.2"))
    expect(page.get_by_test_id("notice-link")).to_be_visible()
    form = new_record_form(page)
    form.get_by_label("日期", exact=True).fill(registered.isoformat())
    form.get_by_label("名称/主题", exact=True).fill("服务智算企业在海淀新注册")
    form.get_by_label("注册前信息报送编号（系统登记）", exact=True).select_option("ZC-2025-000001")
    # The notice's facts fill the empty fields; the notice date is the stamp and cannot be typed.
    expect(form.get_by_label("新注册企业 · 名称", exact=True)).to_have_value("北京中关村智算科技有限公司")
    expect(form.get_by_label("注册地", exact=True)).to_have_value("北京市海淀区")
    notified = form.get_by_label("提供企业信息日期", exact=True)
    expect(notified).to_have_value("2025-06-02")
    expect(notified).to_have_attribute("readonly", "")
    expect(form).to_contain_text("系统登记：报送 ZC-2025-000001 的送达日期")
    form.get_by_label("新注册企业 · 统一社会信用代码", exact=True).fill(code("110108", 31))
    form.get_by_label("注册日期", exact=True).fill(registered.isoformat())
    form.get_by_test_id("save-record").click()
    expect(page.locator("#clause-body .message--success")).to_contain_text("已新增记录 K3.2-001")

    row = panel_row(page, "K3.2")
    expect(row).to_have_attribute("data-status", "met")
    expect(row).to_contain_text("计入 1 条")
    leads = page.get_by_test_id("panel-lead-K3.2")
    expect(leads).to_contain_text(f"K3.2-001：提前 {lead} 个工作日")
    expect(leads).to_contain_text("系统登记 ZC-2025-000001")
    expect(leads).not_to_contain_text("自报日期")
    page.get_by_test_id("details-K3.2-001").click()  # K3.2 is a list: the row's details open below it
    card = page.get_by_test_id("record-K3.2-001")
    expect(card).to_contain_text("ZC-2025-000001")
    expect(card.locator(".material-slot[data-material=notice]")).to_contain_text("已在系统中报送")
    card.scroll_into_view_if_needed()
    shot(page, "k32-notice-lead-days", full_page=False)
    fields = Record.objects.get().fields
    assert (fields["notice_ref"], fields["notified_on"], fields["notice_date_self_declared"]) == (
        "ZC-2025-000001", "2025-06-02", False)
    assert (fields["registered_in"], fields["registered_capital"]) == ("北京市海淀区", 800)


# --- evidence by kind, and what formal review lists --------------------------------------------------

def test_evidence_slots_show_required_kinds_and_formal_review_lists_missing_ones(live_server, page, log_in, applicant,
                                                                               application, office_user, open_window):
    save_record(application, applicant, "K3.1", K31_A)
    save_record(application, applicant, "K3.1", K31_B)
    record = save_record(application, applicant, "K3.2", new_enterprise("北京智算科技有限公司", 41, capital=800))
    log_in(page, applicant).goto(url(live_server, "applications:clause", application.pk, "K3.2"))
    page.get_by_test_id("details-K3.2-001").click()  # K3.2 is a list: the row's details open below it
    card = page.get_by_test_id("record-K3.2-001")
    notice_slot = card.locator(".material-slot[data-material=notice]")
    licence_slot = card.locator(".material-slot[data-material=licence]")
    expect(notice_slot).to_contain_text("注册前提供的企业信息")
    expect(notice_slot).to_contain_text("必需，尚未上传")  # a self-declared date: no notice in the system
    expect(notice_slot).to_contain_text("通过本系统“注册前信息报送”登记的，无需另传文件")
    expect(licence_slot).to_contain_text("营业执照照片或复印件")
    expect(licence_slot).to_contain_text("必需，尚未上传")
    expect(panel_row(page, "K3.2")).to_have_attribute("data-status", "met")
    expect(page.get_by_test_id("panel-missing-K3.2")).to_contain_text(
        "K3.2-001：缺少“注册前提供的企业信息”、“营业执照照片或复印件”")

    expect(licence_slot.locator(".dropzone.is-enhanced")).to_be_attached()  # evidence.js is ready
    licence_slot.locator("input[type=file]").set_input_files([upload("营业执照.png", png_bytes("licence"), "image/png")])
    licence_slot = page.get_by_test_id("record-K3.2-001").locator(".material-slot[data-material=licence]")
    expect(licence_slot).to_contain_text("必需，已上传")
    expect(licence_slot).to_contain_text("营业执照.png")
    expect(page.get_by_test_id("record-K3.2-001").locator(".record-evidence .message--success")).to_contain_text(
        "已上传 1 个文件：营业执照.png")
    expect(page.get_by_test_id("record-K3.2-001").locator(".material-slot[data-material=notice]")).to_contain_text(
        "必需，尚未上传")
    expect(page.get_by_test_id("panel-missing-K3.2")).to_contain_text("K3.2-001：缺少“注册前提供的企业信息”")
    expect(page.get_by_test_id("panel-missing-K3.2")).not_to_contain_text("营业执照")
    page.wait_for_function("[...document.querySelectorAll('.record-evidence img')].every(i => i.complete && i.naturalWidth > 0)")
    shot(page, "evidence-slots", locator=page.get_by_test_id("record-K3.2-001"))
    assert list(record.evidence_files.values_list("name", "material")) == [("营业执照.png", "licence")]

    # Submitted (K3.1 has no photos, K3.2 no notice): formal review, by clause, names what each record lacks.
    application.refresh_from_db()
    commitment = store_commitment_scan(application, applicant,
                                       SimpleUploadedFile("承诺书.png", png_bytes("seal"), "image/png"))
    application.refresh_from_db()
    with pdf_stand_in():
        submit_application(application, applicant, commitment_accepted=True, commitment=commitment,
                           opened_version=content_version(application))
    log_in(page, office_user).goto(url(live_server, "office:formal_review", application.pk))
    checks = page.get_by_test_id("record-checks")
    groups = checks.locator("tr.table__group")
    expect(groups).to_have_count(2)
    expect(groups.nth(0)).to_contain_text("K3.1 园区服务活动")
    expect(groups.nth(1)).to_contain_text("K3.2 新注册外资企业或注册资本金500万元及以上企业")
    for key in ("K3.1-001", "K3.1-002"):
        expect(page.get_by_test_id(f"check-{key}")).to_contain_text("缺少“活动图片”")
    k32 = page.get_by_test_id("check-K3.2-001")
    expect(k32).to_contain_text("缺少“注册前提供的企业信息”")
    expect(k32).not_to_contain_text("缺少“营业执照")
    expect(k32).to_contain_text("营业执照照片或复印件：营业执照.png")
    expect(k32.get_by_role("link", name="营业执照.png")).to_be_visible()
    expect(page.get_by_test_id("notice-K3.2-001")).to_contain_text("自报日期，待核实")
    expect(page.get_by_role("heading", name="逐条核对（3 条记录）")).to_be_visible()
    shot(page, "office-formal-review-materials", locator=page.locator("section.card").filter(has=checks))
