"""Bad input in real Chromium: every case shows a Chinese message on the page and loses nothing that
was already saved. Wrong file type, oversized file, duplicate upload, empty/corrupt/invalid Excel,
a JSON import with an unknown field, a double-clicked submit, edits after the deadline, two
colleagues saving the same record."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from confirming import accept
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from guide import shot
from openpyxl import load_workbook
from playwright.sync_api import expect
from test_applicant_journey import fill_k11_template, k11_code, pdf_bytes, png_bytes, upload

from zgcfund.accounts.models.organization import MemberRole
from zgcfund.applications.domain.document import build_document
from zgcfund.applications.domain.editing import save_record
from zgcfund.applications.domain.evidence import store_evidence
from zgcfund.applications.interfaces import excel
from zgcfund.applications.models import EvidenceFile, Record, Submission
from zgcfund.programmes.domain import clock

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

K31 = {"phase": "prior", "date": "2025-03-02", "title": "人工智能产业对接会", "park": "海淀园", "participants": 85}
K31_B = {**K31, "date": "2025-06-18", "title": "大模型应用园区沙龙", "park": "昌平园", "participants": 64}
# A Windows executable's first bytes (libmagic: application/x-dosexec).
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 44 + b"\x80\x00\x00\x00" + b"\x00" * 200


@pytest.fixture
def record(application, applicant, open_window):
    return save_record(application, applicant, "K3.1", K31)


@pytest.fixture
def photo(record, applicant, application):
    """A photo already uploaded to the record: it must survive every refused upload."""
    return store_evidence(application, applicant, record, SimpleUploadedFile("现场照片.png", png_bytes(), "image/png"))


def clause_url(live_server, application, clause: str) -> str:
    return live_server.url + reverse("applications:clause", args=[application.pk, clause])


def evidence_of(page, record):
    section = page.locator(f"#evidence-{record.pk}")
    expect(section.locator(".dropzone.is-enhanced").first).to_be_attached()
    return section


# --- evidence uploads -----------------------------------------------------------------------------

def test_wrong_file_type_is_refused(live_server, page, log_in, applicant, application, record, photo):
    log_in(page, applicant).goto(clause_url(live_server, application, "K3.1"))
    evidence = evidence_of(page, record)
    evidence.locator("input[type=file]").first.set_input_files([upload("活动通知.pdf", EXE, "application/pdf")])
    expect(evidence.get_by_role("alert")).to_contain_text("文件“活动通知.pdf”的实际类型为Windows 可执行程序")
    expect(evidence.get_by_role("alert")).to_contain_text("不在允许范围内（允许：JPEG、PNG、GIF、WebP 图片，PDF 文档")
    expect(evidence.locator(".evidence-file")).to_have_count(1)
    expect(evidence.locator(".evidence-file")).to_contain_text("现场照片.png")
    shot(page, "error-file-type", locator=page.get_by_test_id("record-K3.1-001"))
    assert list(EvidenceFile.objects.values_list("name", flat=True)) == ["现场照片.png"]
    assert Record.objects.get().title == K31["title"]


def test_oversized_file_is_refused(live_server, page, log_in, settings, applicant, application, record, photo):
    settings.EVIDENCE_MAX_BYTES = 1024 * 1024  # 1 MB (ZGCFUND_EVIDENCE_MAX_MB=1)
    log_in(page, applicant).goto(clause_url(live_server, application, "K3.1"))
    evidence = evidence_of(page, record)
    expect(evidence.locator(".dropzone__hint").first).to_contain_text("单个文件不超过 1 MB")
    big = png_bytes() + b"\0" * (1300 * 1024)  # a PNG with trailing bytes: 1.3 MB
    evidence.locator("input[type=file]").first.set_input_files([upload("会场全景.png", big, "image/png")])
    expect(evidence.get_by_role("alert")).to_contain_text("文件“会场全景.png”大小为 1.3 MB，超过 1 MB 上限，未保存。")
    expect(evidence.locator(".dropzone__hint").first).to_contain_text("单个文件不超过 1 MB")
    expect(evidence.locator(".evidence-file")).to_have_count(1)
    shot(page, "error-file-size", locator=page.get_by_test_id("record-K3.1-001"))
    assert list(EvidenceFile.objects.values_list("name", flat=True)) == ["现场照片.png"]


def test_duplicate_upload_is_not_stored_twice(live_server, page, log_in, applicant, application, record, photo):
    log_in(page, applicant).goto(clause_url(live_server, application, "K3.1"))
    evidence = evidence_of(page, record)
    # The same bytes under another name, with a new file beside it: the new one is kept, the copy is not.
    evidence.locator("input[type=file]").first.set_input_files([
        upload("现场照片（副本）.png", png_bytes(), "image/png"),
        upload("签到表.pdf", pdf_bytes(), "application/pdf"),
    ])
    expect(evidence.get_by_role("alert")).to_contain_text("该记录已上传相同文件“现场照片.png”（上传于 ")
    expect(evidence.get_by_role("alert")).to_contain_text("未重复保存。")
    expect(evidence.locator(".message--success")).to_contain_text("已上传 1 个文件：签到表.pdf")
    expect(evidence.locator(".evidence-file")).to_have_count(2)
    shot(page, "error-duplicate", locator=page.get_by_test_id("record-K3.1-001"))
    assert sorted(EvidenceFile.objects.values_list("name", flat=True)) == ["现场照片.png", "签到表.pdf"]


# --- Excel lists ----------------------------------------------------------------------------------

def test_empty_corrupt_and_invalid_excel_files_import_nothing(live_server, page, log_in, tmp_path, applicant,
                                                              application, open_window):
    for i in range(1, 4):
        save_record(application, applicant, "K1.1", {"phase": "prior", "date": "2025-04-01", "title": f"调研{i}",
                                                     "enterprise": {"name": f"北京已填企业{i}", "credit_code": k11_code(900 + i)},
                                                     "sti_service": True})
    before = sorted(Record.objects.values_list("key", "title", "version"))
    log_in(page, applicant).goto(clause_url(live_server, application, "K1.1"))
    tools = page.get_by_test_id("list-tools")
    template = excel.build_template(application, "K1.1")

    def send(name: str, data: bytes) -> None:
        path = tmp_path / name
        path.write_bytes(data)
        details = page.get_by_test_id("list-tools").locator("details")
        if details.get_attribute("open") is None:  # folded once the list has records
            details.locator("summary").click()
        page.get_by_test_id("list-tools").locator("input[type=file]").set_input_files(str(path))
        page.get_by_test_id("list-upload").get_by_role("button", name="上传并导入").click()

    send("空文件.xlsx", b"")
    expect(tools.get_by_test_id("list-errors")).to_contain_text("上传的文件是空的（0 字节），请选择填好的 Excel 文件。")
    send("只有表头.xlsx", template)
    expect(tools.get_by_test_id("list-errors")).to_contain_text("文件中没有数据行：请从第 2 行起填写，每行一条记录。")
    send("损坏.xlsx", b"\x00\x01garbage, not a workbook" * 40)
    expect(tools.get_by_test_id("list-errors")).to_contain_text("文件内容不是 Excel 工作簿（.xlsx）")
    send("截断.xlsx", template[: len(template) // 2])
    expect(tools.get_by_test_id("list-errors")).to_contain_text("文件已损坏")

    # A real list with two bad rows: every problem is listed by row and column; nothing is imported.
    wb = load_workbook(io.BytesIO(fill_k11_template(template, n=12, sti=8)))
    ws = wb.worksheets[0]
    headers = {str(c.value).rstrip(" *"): c.column for c in ws[1] if c.value}
    ws.cell(4, headers["调研企业统一社会信用代码"], "91110108MA00000X")  # row 4: too short
    ws.cell(7, headers["日期"], "2025-13-45")                             # row 7: no such date
    out = io.BytesIO()
    wb.save(out)
    send("调研企业清单.xlsx", out.getvalue())
    expect(tools.get_by_test_id("list-problems")).to_contain_text("发现 2 处错误，未导入任何内容")
    table = tools.get_by_test_id("list-problem-table")
    expect(table.get_by_role("row").filter(has_text="调研企业统一社会信用代码")).to_contain_text("4")
    expect(table.get_by_role("row").filter(has_text="日期")).to_contain_text("7")
    shot(page, "error-excel", locator=tools)
    assert sorted(Record.objects.values_list("key", "title", "version")) == before


# --- JSON import ----------------------------------------------------------------------------------

def test_json_import_with_unknown_field_changes_nothing(live_server, page, log_in, tmp_path, applicant, application,
                                                        record, photo):
    doc = build_document(application)
    doc["records"][0]["speaker"] = "张三"  # not a K3.1 field
    doc["records"][0]["title"] = "改过的名称"
    path = tmp_path / "申报数据.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    log_in(page, applicant).goto(live_server.url + reverse("applications:overview", args=[application.pk]))
    page.get_by_role("link", name="导入申报数据文件").click()
    page.get_by_label("申报数据文件（.json）").set_input_files(str(path))
    page.get_by_role("button", name="导入", exact=True).click()
    problems = page.get_by_test_id("import-problems")
    expect(problems).to_contain_text("未导入任何内容")
    expect(problems).to_contain_text("records[0].speaker：条款K3.1的记录没有此字段")
    shot(page, "error-json")
    current = Record.objects.get()
    assert (current.title, current.version) == (K31["title"], record.version)
    assert list(EvidenceFile.objects.values_list("name", flat=True)) == ["现场照片.png"]

    path.write_text("{\"format\": \"zgc-application/1\", ", "utf-8")  # cut short
    page.get_by_label("申报数据文件（.json）").set_input_files(str(path))
    page.get_by_role("button", name="导入", exact=True).click()
    expect(page.get_by_test_id("import-problems")).to_contain_text("不是有效的 JSON：第 1 行")
    assert Record.objects.get().title == K31["title"]


# --- submitting -----------------------------------------------------------------------------------

def test_double_clicked_submit_makes_one_submission(live_server, page, log_in, applicant, application,
                                                    record, photo):
    save_record(application, applicant, "K3.1", K31_B)
    submit_url = live_server.url + reverse("applications:submit", args=[application.pk])
    other_tab = page.context.new_page()  # the same user, a second tab opened on the submit page earlier
    log_in(page, applicant)
    other_tab.goto(submit_url)
    page.goto(submit_url)
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.get_by_test_id("commitment-box").check()
    page.locator("#id_commitment_scan").set_input_files([upload("承诺书.pdf", pdf_bytes(), "application/pdf")])
    page.get_by_test_id("submit-button").click()
    page.get_by_test_id("confirm-dialog-ok").dblclick()  # the final click, doubled
    expect(page.get_by_test_id("status-name")).to_have_text("已提交，待形式审查", timeout=15_000)  # the real PDF
    assert len(posts) == 1, posts
    assert Submission.objects.count() == 1

    # The stale tab submits too: refused, with the reason; still one submission.
    other_tab.get_by_test_id("commitment-box").check()
    other_tab.get_by_test_id("submit-button").click()
    accept(other_tab)
    expect(other_tab.get_by_test_id("submit-errors")).to_contain_text("申报书已于 ")
    expect(other_tab.get_by_test_id("submit-errors")).to_contain_text("提交，无需重复提交。")
    shot(other_tab, "submit-once")
    assert Submission.objects.count() == 1
    assert Submission.objects.get().number == 1


def test_submit_again_with_the_same_scan_after_a_refusal(live_server, page, log_in, applicant, application, record):
    log_in(page, applicant).goto(live_server.url + reverse("applications:submit", args=[application.pk]))
    save_record(application, applicant, "K3.1", K31_B)  # meanwhile a colleague adds a record
    scan = upload("承诺书.pdf", pdf_bytes(), "application/pdf")
    page.get_by_test_id("commitment-box").check()
    page.locator("#id_commitment_scan").set_input_files([scan])
    page.get_by_test_id("submit-button").click()
    accept(page)
    expect(page.get_by_test_id("submit-errors")).to_contain_text("申报书在您打开提交页面后已被修改")
    expect(page.locator("#submit-form")).to_contain_text("已上传：承诺书.pdf")
    page.get_by_test_id("commitment-box").check()
    page.locator("#id_commitment_scan").set_input_files([scan])  # the applicant chooses the same file again
    page.get_by_test_id("submit-button").click()
    accept(page)
    expect(page.get_by_test_id("status-name")).to_have_text("已提交，待形式审查", timeout=5_000)
    assert Submission.objects.count() == 1


# --- deadline -------------------------------------------------------------------------------------

def test_after_the_deadline_the_editor_refuses_and_shows_no_form(live_server, page, log_in, applicant, application,
                                                                 record, photo, open_window):
    open_window.opens_at = clock.now() - dt.timedelta(days=30)
    open_window.closes_at = clock.now() - dt.timedelta(hours=2)
    open_window.save()
    log_in(page, applicant).goto(clause_url(live_server, application, "K3.1"))
    expect(page.get_by_test_id("edit-refusal")).to_contain_text("申报已于 ")
    expect(page.get_by_test_id("edit-refusal")).to_contain_text("截止，不能再修改。")
    expect(page.get_by_test_id("record-form")).to_have_count(0)
    expect(page.locator(".record-evidence form.evidence-upload")).to_have_count(0)
    expect(page.get_by_test_id("record-K3.1-001")).to_contain_text(K31["title"])
    expect(page.get_by_test_id("record-K3.1-001")).to_contain_text("现场照片.png")
    expect(page.get_by_test_id("record-K3.1-001").get_by_role("link", name="修改")).to_have_count(0)
    shot(page, "deadline-closed")

    # The edit URL typed in by hand: back to the clause page with the same refusal; nothing changed.
    page.goto(live_server.url + reverse("applications:record_edit", args=[application.pk, record.pk]))
    expect(page.locator(".messages")).to_contain_text("截止，不能再修改。")
    expect(page.get_by_test_id("record-form")).to_have_count(0)
    page.goto(live_server.url + reverse("applications:submit", args=[application.pk]))
    expect(page.get_by_test_id("submit-blockers")).to_contain_text("截止")
    expect(page.get_by_test_id("submit-button")).to_be_disabled()
    assert Record.objects.get().version == record.version
    assert EvidenceFile.objects.count() == 1


# --- editing --------------------------------------------------------------------------------------

def test_the_edit_form_shows_the_stored_date(live_server, page, log_in, applicant, application, record):
    log_in(page, applicant).goto(clause_url(live_server, application, "K3.1"))
    card = page.get_by_test_id("record-K3.1-001")
    card.get_by_role("link", name="修改").click()
    expect(card.get_by_label("日期", exact=True)).to_have_value("2025-03-02", timeout=2_000)


# --- two editors ----------------------------------------------------------------------------------

def test_two_colleagues_save_the_same_record(live_server, page, new_page, log_in, make_user, org, applicant, application,
                                             record):
    colleague = make_user("colleague@ai-assoc.example", organization=org, full_name="孙填报", member_role=MemberRole.EDITOR)
    other = new_page()
    url = clause_url(live_server, application, "K3.1")
    for who, p in ((applicant, page), (colleague, other)):
        log_in(p, who).goto(url)
        p.get_by_test_id("record-K3.1-001").get_by_role("link", name="修改").click()
        expect(p.get_by_test_id("record-K3.1-001").get_by_test_id("record-form")).to_be_visible()

    mine = page.get_by_test_id("record-K3.1-001").get_by_test_id("record-form")
    mine.get_by_label("参加人数").fill("120")
    mine.get_by_test_id("save-record").click()
    expect(page.locator("#clause-body .message--success")).to_contain_text("已保存记录 K3.1-001")

    theirs = other.get_by_test_id("record-K3.1-001").get_by_test_id("record-form")
    theirs.get_by_label("名称/主题").fill("人工智能产业对接会（第二场）")
    theirs.get_by_label("参加人数").fill("90")
    theirs.get_by_test_id("save-record").click()
    form = other.get_by_test_id("record-K3.1-001").get_by_test_id("record-form")
    expect(form.get_by_role("alert").first).to_contain_text("该记录已被王管理于 ")
    expect(form.get_by_role("alert").first).to_contain_text("修改，您的修改未保存。请查看最新内容后重新填写。")
    expect(form.get_by_test_id("conflict")).to_contain_text("参加人数：120")
    expect(form.get_by_label("名称/主题")).to_have_value("人工智能产业对接会（第二场）")  # their input is kept
    expect(form.get_by_label("参加人数")).to_have_value("90")
    shot(other, "edit-conflict", locator=other.get_by_test_id("record-K3.1-001"))
    current = Record.objects.get()
    assert (current.title, current.fields["participants"], current.version) == (K31["title"], 120, record.version + 1)

    # Having seen the current content, they save again on purpose: now theirs is stored.
    form.get_by_test_id("save-record").click()
    expect(other.locator("#clause-body .message--success")).to_contain_text("已保存记录 K3.1-001")
    current.refresh_from_db()
    assert (current.title, current.fields["participants"]) == ("人工智能产业对接会（第二场）", 90)



def test_saving_on_the_standalone_edit_page_says_so(live_server, page, log_in, applicant, application, record):
    log_in(page, applicant).goto(live_server.url + reverse("applications:record_edit", args=[application.pk, record.pk]))
    form = page.get_by_test_id("record-form")
    form.get_by_label("参加人数").fill("99")
    form.get_by_test_id("save-record").click()
    expect(page.get_by_text("已保存记录 K3.1-001")).to_be_visible(timeout=3_000)
