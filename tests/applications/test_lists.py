"""Excel lists (K1.1, K1.3, K3.2, K3.3): templates generated from the programme file, row-by-row
validation naming row and column, all-or-nothing imports, round trips, refusals of bad files."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from xml.etree import ElementTree

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from zgcfund.applications.domain.document import assess, build_document
from zgcfund.applications.domain.editing import EditRefused, save_record
from zgcfund.applications.domain.lists import LIST_CLAUSES, ListInvalid, import_list
from zgcfund.applications.interfaces import excel
from zgcfund.applications.models import EvidenceFile
from zgcfund.audit.models import AuditEvent
from zgcfund.core.creditcode import make_valid
from zgcfund.programmes.domain import clock

pytestmark = pytest.mark.django_db


def code(n: int) -> str:
    return make_valid(f"91110108MA{n:06d}")


def broken(n: int) -> str:
    good = code(n)
    return good[:17] + ("0" if good[17] != "0" else "1")


def upload(data: bytes, name: str = "list.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=excel.XLSX_MIME)


def fill(template: bytes, rows: list[dict[str, object]]) -> bytes:
    """Write rows (header → value) into a downloaded template, as a user would in Excel."""
    wb = load_workbook(io.BytesIO(template))
    ws = wb[excel.DATA_SHEET]
    headers = {str(c.value).rstrip(" *"): c.column for c in ws[1] if c.value}
    start = ws.max_row + 1
    for i, row in enumerate(rows):
        for header, value in row.items():
            ws.cell(start + i, headers[header], value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def k11_rows(n: int, sti: int, start: int = 1) -> list[dict[str, object]]:
    return [{"阶段": "前期工作绩效", "日期": dt.date(2025, 5, 1) + dt.timedelta(days=i % 90),
             "调研企业名称": f"北京调研样本科技有限公司{i:03d}", "调研企业统一社会信用代码": code(i),
             "是否科技服务业企业": "是" if i - start < sti else "否"} for i in range(start, start + n)]


def read(application, clause: str, data: bytes):
    return excel.read_upload(upload(data), application, clause)


def do_import(application, user, clause: str, data: bytes, mode: str = excel.AUTO):
    parsed = read(application, clause, data)
    if mode == excel.AUTO:
        mode = "replace" if parsed.filled else "append"
    return import_list(application, user, clause, parsed.rows, mode, exported=parsed.exported, source="list.xlsx")


def problems_of(application, clause, exc: ListInvalid) -> list[str]:
    cols = excel.columns_for(excel.programme_of(application), clause)
    return [str(p) for p in excel.shown_problems(cols, exc.problems)]


# --- templates -----------------------------------------------------------------------------------

@pytest.mark.parametrize("clause", LIST_CLAUSES)
def test_list_template_headers_come_from_the_programme_file(application, programme, clause):
    wb = load_workbook(io.BytesIO(excel.build_template(application, clause)))
    headers = [c.value for c in wb[excel.DATA_SHEET][1]]
    expected = ["记录编号", "阶段 *", "日期 *", "名称"]
    flags = {f.self_declared for f in programme.clauses[clause].fields.values() if f.self_declared}
    for spec in programme.clauses[clause].fields.values():
        if spec.name in flags:  # the self-declared flag is the system's, not a column (K3.2/K3.3)
            assert spec.label not in {str(c.value) for c in wb[excel.DATA_SHEET][1]}
            continue
        if spec.type == "party":
            expected += [f"{spec.label}名称" + (" *" if spec.required else ""), f"{spec.label}统一社会信用代码"]
        elif spec.type == "contact":
            expected += [f"{spec.label}姓名", f"{spec.label}电话"]
        else:
            expected.append(spec.label + (" *" if spec.required else ""))
    assert headers == expected
    help_text = "\n".join(str(c.value) for row in wb[excel.HELP_SHEET].iter_rows() for c in row if c.value)
    assert programme.clauses[clause].basic_condition in help_text
    meta = wb[excel.META_SHEET]
    assert meta.sheet_state == "hidden"
    assert (meta["B1"].value, meta["B2"].value, meta["B3"].value) == (excel.MARKER, programme.code, clause)


def test_k11_template_offers_yes_no_and_phase_dropdowns(application):
    wb = load_workbook(io.BytesIO(excel.build_template(application, "K1.1")))
    ws = wb[excel.DATA_SHEET]
    validations = {str(dv.sqref).split(":")[0]: dv for dv in ws.data_validations.dataValidation}
    headers = {c.value: c.column_letter for c in ws[1]}
    bool_dv = validations[headers["是否科技服务业企业"] + "2"]
    phase_dv = validations[headers["阶段 *"] + "2"]
    assert bool_dv.type == phase_dv.type == "list"
    meta = wb[excel.META_SHEET]

    def listed(dv):
        ref = dv.formula1.split("!")[1].replace("$", "")
        return [c.value for row in meta[ref] for c in row]
    assert listed(bool_dv) == ["是", "否"]
    assert listed(phase_dv) == ["前期工作绩效", "实施期内工作计划"]
    assert ws.column_dimensions[headers["调研企业统一社会信用代码"]].number_format == "@"


# --- good imports --------------------------------------------------------------------------------

def test_k11_sixty_enterprises_imported_from_excel_meet_the_condition(application, applicant, open_window):
    data = fill(excel.build_template(application, "K1.1"), k11_rows(60, sti=35))
    result = do_import(application, applicant, "K1.1", data)
    assert (result.created, result.updated, result.deleted, result.mode) == (60, 0, 0, "append")
    keys = sorted(application.records.filter(clause="K1.1").values_list("key", flat=True))
    assert keys[0] == "K1.1-001" and keys[-1] == "K1.1-060"
    record = application.records.get(key="K1.1-001")
    assert record.title == "北京调研样本科技有限公司001"  # empty 名称 defaults to the enterprise's name
    assert record.fields == {"enterprise": {"name": "北京调研样本科技有限公司001", "credit_code": code(1)}, "sti_service": True}
    evaluation = assess(application).prior["clauses"]["K1.1"]
    assert evaluation["status"] == "met"
    assert len(evaluation["counted"]) == 60
    events = AuditEvent.objects.filter(application=application, action="records.import_list")
    assert events.count() == 1 and events.get().changes["created"] == 60


def test_k11_fewer_than_thirty_sti_enterprises_import_but_the_condition_is_not_met(application, applicant, open_window):
    do_import(application, applicant, "K1.1", fill(excel.build_template(application, "K1.1"), k11_rows(55, sti=29)))
    assert assess(application).prior["clauses"]["K1.1"]["status"] == "not_met"


def test_k11_text_dates_and_loose_yes_no_are_read(application, applicant, open_window):
    rows = k11_rows(3, sti=3)
    rows[0]["日期"], rows[1]["日期"], rows[2]["日期"] = "2025-06-01", "2025/6/2", "2025年6月3日"
    rows[1]["是否科技服务业企业"] = "Y"
    do_import(application, applicant, "K1.1", fill(excel.build_template(application, "K1.1"), rows))
    assert sorted(application.records.values_list("date", flat=True)) == [dt.date(2025, 6, d) for d in (1, 2, 3)]


def test_k13_amounts_and_dates_import_as_numbers_and_dates(application, applicant, open_window):
    row = {"阶段": "前期工作绩效", "日期": dt.date(2025, 8, 31), "名称": "服务绩效企业甲", "绩效企业名称": "北京甲科技有限公司",
           "绩效企业统一社会信用代码": code(7), "纳统日期": dt.date(2024, 10, 1), "是否规上企业": "是",
           "2025年1-11月营收（万元）": 1234.5, "2024年1-11月营收（万元）": "1,000", "2026年1-2月营收（万元）": 300,
           "2025年1-2月营收（万元）": 250}
    do_import(application, applicant, "K1.3", fill(excel.build_template(application, "K1.3"), [row]))
    record = application.records.get(clause="K1.3")
    assert record.fields["included_on"] == "2024-10-01"
    assert record.fields["revenue_2025_jan_nov"] == 1234.5 and record.fields["revenue_2024_jan_nov"] == 1000
    assert assess(application).prior["clauses"]["K1.3"]["status"] == "met"


# --- round trips ---------------------------------------------------------------------------------

K32 = {"phase": "prior", "date": "2025-06-30", "title": "新注册外资企业", "registered_in": "海淀区",
       "registered_capital": 800, "foreign": True, "business_scope": "技术开发、技术服务", "notified_on": "2025-05-06",
       "registered_on": "2025-06-20"}


def test_k32_filled_template_round_trips_unchanged(application, applicant, open_window):
    for i in range(1, 4):
        save_record(application, applicant, "K3.2", {**K32, "title": f"新注册企业{i}",
                                                      "enterprise": {"name": f"北京新企业{i}有限公司", "credit_code": code(i)}})
    save_record(application, applicant, "K3.2", {**K32, "phase": "plan", "date": "2026-03-01", "registered_on": None,
                                                  "notified_on": None, "enterprise": {"name": "计划注册企业"}})
    before = build_document(application)
    exported = excel.build_template(application, "K3.2", filled=True)
    result = do_import(application, applicant, "K3.2", exported)
    assert (result.mode, result.created, result.updated, result.unchanged, result.deleted) == ("replace", 0, 0, 4, 0)
    assert build_document(application) == before


def test_k13_edited_export_updates_in_place_keeps_evidence_and_deletes_removed_rows(application, applicant, open_window):
    base = {"phase": "prior", "date": "2025-08-31", "included_on": "2024-09-01", "scale_above": True,
            "revenue_2025_jan_nov": 120, "revenue_2024_jan_nov": 100}
    first = save_record(application, applicant, "K1.3",
                        {**base, "title": "甲", "enterprise": {"name": "甲公司", "credit_code": code(1)}})
    save_record(application, applicant, "K1.3",
                {**base, "title": "乙", "enterprise": {"name": "乙公司", "credit_code": code(2)}})
    EvidenceFile.objects.create(application=application, record=first, name="营收表.pdf", sha256="a" * 64)
    wb = load_workbook(io.BytesIO(excel.build_template(application, "K1.3", filled=True)))
    ws = wb[excel.DATA_SHEET]
    headers = {str(c.value).rstrip(" *"): c.column for c in ws[1]}
    assert ws.cell(2, headers["记录编号"]).value == first.key
    ws.cell(2, headers["2025年1-11月营收（万元）"], 150)
    ws.delete_rows(3)
    ws.cell(3, headers["阶段"], "前期工作绩效")
    ws.cell(3, headers["日期"], dt.date(2025, 8, 31))
    ws.cell(3, headers["绩效企业名称"], "丙公司")
    out = io.BytesIO()
    wb.save(out)
    result = do_import(application, applicant, "K1.3", out.getvalue())
    assert (result.mode, result.created, result.updated, result.deleted) == ("replace", 1, 1, 1)
    first.refresh_from_db()
    assert first.fields["revenue_2025_jan_nov"] == 150 and first.version == 2
    assert first.evidence_files.count() == 1
    assert sorted(r.fields["enterprise"]["name"] for r in application.records.filter(clause="K1.3")) == ["丙公司", "甲公司"]


def test_append_mode_keeps_existing_records_and_warns_about_the_same_enterprise(application, applicant, open_window):
    template = excel.build_template(application, "K1.1")
    do_import(application, applicant, "K1.1", fill(template, k11_rows(2, sti=2)))
    result = do_import(application, applicant, "K1.1", fill(template, k11_rows(2, sti=2, start=2)))
    assert result.created == 2 and application.records.count() == 4
    assert [w.line for w in result.warnings] == [2]
    assert "K1.1-002" in result.warnings[0].message and "只计一次" in result.warnings[0].message


# --- bad rows: nothing is imported ---------------------------------------------------------------

def test_k11_one_bad_credit_code_among_sixty_rows_imports_nothing(application, applicant, open_window):
    save_record(application, applicant, "K1.1", {"phase": "prior", "date": "2025-03-01", "title": "已有调研",
                                                 "enterprise": {"name": "已有企业"}, "sti_service": True})
    rows = k11_rows(60, sti=35)
    rows[5]["调研企业统一社会信用代码"] = broken(6)  # sheet row 7
    data = fill(excel.build_template(application, "K1.1"), rows)
    with pytest.raises(ListInvalid) as exc:
        do_import(application, applicant, "K1.1", data)
    assert [(p.line, p.path) for p in exc.value.problems] == [(7, "enterprise.credit_code")]
    [shown] = problems_of(application, "K1.1", exc.value)
    assert shown.startswith("第 7 行“调研企业统一社会信用代码”：统一社会信用代码无效：") and "校验码应为" in shown
    assert application.records.count() == 1
    assert not AuditEvent.objects.filter(action="records.import_list").exists()


def test_k11_cells_of_the_wrong_type_are_all_reported_with_row_and_column(application, applicant, open_window):
    rows = k11_rows(4, sti=4)
    rows[0]["是否科技服务业企业"] = "可能"
    rows[1]["日期"] = "2025-13-01"
    rows[2]["阶段"] = "去年"
    rows[3]["调研企业名称"] = None
    with pytest.raises(ListInvalid) as exc:
        do_import(application, applicant, "K1.1", fill(excel.build_template(application, "K1.1"), rows))
    shown = problems_of(application, "K1.1", exc.value)
    assert shown[0].startswith("第 2 行“是否科技服务业企业”：应填“是”或“否”")
    assert shown[1].startswith("第 3 行“日期”：不是有效日期")
    assert shown[2].startswith("第 4 行“阶段”：应为“前期工作绩效”或“实施期内工作计划”")
    assert shown[3] == "第 5 行“调研企业名称”：必填，未填写"
    assert application.records.count() == 0


def test_k32_amount_that_is_not_a_number_is_named(application, applicant, open_window):
    row = {"阶段": "前期工作绩效", "日期": "2025-06-30", "新注册企业名称": "北京新企业有限公司", "注册资本金（万元）": "五百",
           "注册地": "北京市海淀区", "业务范围": "技术开发", "提供企业信息日期": "2025-05-06", "注册日期": "2025-06-20"}
    with pytest.raises(ListInvalid) as exc:
        do_import(application, applicant, "K3.2", fill(excel.build_template(application, "K3.2"), [row]))
    assert problems_of(application, "K3.2", exc.value) == ["第 2 行“注册资本金（万元）”：应为数字（单位：万元），实际为“五百”"]


def test_exact_duplicate_rows_in_the_file_are_refused(application, applicant, open_window):
    rows = k11_rows(2, sti=2)
    rows.append(dict(rows[0]))
    with pytest.raises(ListInvalid) as exc:
        do_import(application, applicant, "K1.1", fill(excel.build_template(application, "K1.1"), rows))
    assert [(p.line, p.message) for p in exc.value.problems] == [(4, "与第 2 行内容完全相同（重复行）")]


def test_a_key_of_another_clause_or_unknown_key_is_refused(application, applicant, open_window):
    other = save_record(application, applicant, "K3.1", {"phase": "prior", "date": "2025-03-02", "title": "活动",
                                                         "park": "海淀园", "participants": 80})
    rows = k11_rows(2, sti=2)
    rows[0]["记录编号"], rows[1]["记录编号"] = other.key, "K1.1-999"
    with pytest.raises(ListInvalid) as exc:
        do_import(application, applicant, "K1.1", fill(excel.build_template(application, "K1.1"), rows))
    shown = problems_of(application, "K1.1", exc.value)
    assert shown[0].startswith("第 2 行“记录编号”：记录编号“K3.1-001”是 K3.1 的记录")
    assert shown[1].startswith("第 3 行“记录编号”：记录编号“K1.1-999”不是本申报书中的现有记录")


# --- concurrent edits are never overwritten ------------------------------------------------------

def test_a_record_changed_after_the_export_is_not_overwritten(application, applicant, make_user, org, open_window):
    colleague = make_user("colleague@ai-assoc.example", organization=org, full_name="陈同事")
    data = {"phase": "prior", "date": "2025-03-01", "title": "调研甲", "enterprise": {"name": "甲公司"}, "sti_service": True}
    record = save_record(application, applicant, "K1.1", data)
    exported = excel.build_template(application, "K1.1", filled=True)
    save_record(application, colleague, "K1.1", {**data, "sti_service": False}, record=record, expected_version=record.version)
    with pytest.raises(ListInvalid) as exc:
        do_import(application, applicant, "K1.1", exported)
    assert "陈同事" in exc.value.problems[0].message
    record.refresh_from_db()
    assert record.fields["sti_service"] is False


def test_replace_does_not_delete_a_record_added_after_the_export(application, applicant, open_window):
    data = {"phase": "prior", "date": "2025-03-01", "title": "调研甲", "enterprise": {"name": "甲公司"}, "sti_service": True}
    save_record(application, applicant, "K1.1", data)
    exported = excel.build_template(application, "K1.1", filled=True)
    save_record(application, applicant, "K1.1", {**data, "title": "调研乙", "enterprise": {"name": "乙公司"}})
    with pytest.raises(ListInvalid) as exc:
        do_import(application, applicant, "K1.1", exported)
    assert "K1.1-002" in exc.value.problems[0].message
    assert application.records.count() == 2


# --- bad files -----------------------------------------------------------------------------------

def file_error(application, clause: str, data: bytes, name: str = "list.xlsx") -> str:
    with pytest.raises(excel.ListFileError) as exc:
        excel.read_upload(upload(data, name), application, clause)
    return exc.value.message


def test_empty_file_is_refused_with_a_clear_message(application):
    assert "空的" in file_error(application, "K1.1", b"")


def test_csv_renamed_to_xlsx_is_refused(application):
    message = file_error(application, "K1.1", "阶段,日期\n前期工作绩效,2025-03-01\n".encode(), "list.xlsx")
    assert "不是 Excel 工作簿" in message and "CSV" in message


def test_old_xls_file_is_refused(application):
    assert ".xls" in file_error(application, "K1.1", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "list.xls")


def test_corrupt_xlsx_is_refused(application):
    data = excel.build_template(application, "K1.1")
    assert "损坏" in file_error(application, "K1.1", data[: len(data) // 2])
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("xl/workbook.xml", "<not-xml")
    assert "损坏" in file_error(application, "K1.1", buf.getvalue())


def _with_doctype(data: bytes, part: str, doctype: str, replace: tuple[str, str] | None = None) -> bytes:
    """The workbook with a DOCTYPE put before ``part``'s root element (and one text replaced)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == part:
                text = body.decode()
                root = text.index("<", text.index("?>") + 2 if text.startswith("<?xml") else 0)
                text = text[:root] + doctype + text[root:]
                if replace:
                    assert replace[0] in text
                    text = text.replace(replace[0], replace[1], 1)
                body = text.encode()
            dst.writestr(info, body)
    return out.getvalue()


def test_openpyxl_parses_uploads_with_defusedxml():
    import openpyxl

    assert openpyxl.DEFUSEDXML


def _data_sheet(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return next(n for n in z.namelist() if n.startswith("xl/worksheets/") and b"<row" in z.read(n))


def test_xlsx_with_an_entity_in_a_cell_is_refused_not_expanded(application):
    """The stdlib parser would expand the entity silently; defusedxml refuses it."""
    good = fill(excel.build_template(application, "K1.1"), k11_rows(3, sti=3))
    sheet = _data_sheet(good)
    data = _with_doctype(good, sheet, '<!DOCTYPE worksheet [<!ENTITY co "北京某某科技有限公司">]>',
                         ("北京调研样本科技有限公司001", "&co;"))
    with zipfile.ZipFile(io.BytesIO(data)) as z:  # without defusedxml this would simply be read
        assert "北京某某科技有限公司" in "".join(ElementTree.fromstring(z.read(sheet)).itertext())
    assert "损坏" in file_error(application, "K1.1", data)


@pytest.mark.parametrize("doctype", [
    pytest.param('<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
                 + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8)) + "]>",
                 id="entity-bomb"),
    pytest.param('<!DOCTYPE worksheet [<!ENTITY x SYSTEM "file:///etc/passwd">]>', id="external-entity"),
])
def test_xlsx_with_an_xml_bomb_in_the_data_sheet_is_refused_with_a_chinese_message(application, doctype):
    good = fill(excel.build_template(application, "K1.1"), k11_rows(3, sti=3))
    sheet = _data_sheet(good)
    entity = "&i;" if "ENTITY a" in doctype else "&x;"
    data = _with_doctype(good, sheet, doctype, ("<row ", f"<row><c t=\"inlineStr\"><is><t>{entity}</t></is></c></row><row "))
    message = file_error(application, "K1.1", data)
    assert "文件可能已损坏" in message or "文件已损坏" in message
    assert "root:" not in message


def test_word_document_is_refused(application):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<w/>")
    assert "Word" in file_error(application, "K1.1", buf.getvalue())


def test_template_without_rows_is_refused(application):
    assert "没有数据行" in file_error(application, "K1.1", excel.build_template(application, "K1.1"))


def test_k32_template_uploaded_for_k11_is_refused(application):
    data = fill(excel.build_template(application, "K3.2"), [{"阶段": "前期工作绩效", "日期": "2025-06-30",
                                                            "新注册企业名称": "北京新企业有限公司"}])
    message = file_error(application, "K1.1", data)
    assert "K3.2" in message and "K1.1" in message and "不能在" in message


def test_k33_and_k32_share_columns_but_the_marker_tells_them_apart(application):
    data = fill(excel.build_template(application, "K3.3"), [{"阶段": "前期工作绩效", "日期": "2025-06-30",
                                                            "新注册企业名称": "北京小企业有限公司"}])
    assert "K3.3" in file_error(application, "K3.2", data)


def test_a_sheet_with_other_headers_is_refused(application):
    wb = Workbook()
    wb.active.append(["企业", "日期"])
    wb.active.append(["某公司", "2025-01-01"])
    out = io.BytesIO()
    wb.save(out)
    message = file_error(application, "K1.1", out.getvalue())
    assert "缺少列" in message and "“阶段”" in message and "无法识别的列" in message


def test_a_plain_workbook_with_the_right_headers_is_accepted(application, applicant, open_window):
    wb = Workbook()
    wb.active.append(["阶段*", "日期*", "名称", "调研企业名称*", "调研企业统一社会信用代码", "是否科技服务业企业"])
    wb.active.append(["前期工作绩效", "2025-04-01", None, "北京某某公司", code(3), "是"])
    out = io.BytesIO()
    wb.save(out)
    assert do_import(application, applicant, "K1.1", out.getvalue()).created == 1


def test_more_than_the_row_limit_is_refused(application):
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(excel.DATA_SHEET)
    ws.append([c.shown for c in excel.columns_for(excel.programme_of(application), "K1.1")])
    for i in range(excel.MAX_ROWS + 1):
        ws.append([None, "前期工作绩效", "2025-05-01", None, f"企业{i}", None, "是"])
    out = io.BytesIO()
    wb.save(out)
    assert "5000" in file_error(application, "K1.1", out.getvalue())


def test_import_after_the_deadline_is_refused(application, applicant, open_window):
    data = fill(excel.build_template(application, "K1.1"), k11_rows(3, sti=3))
    open_window.opens_at = clock.now() - dt.timedelta(days=30)
    open_window.closes_at = clock.now() - dt.timedelta(minutes=1)
    open_window.save()
    with pytest.raises(EditRefused, match="截止"):
        do_import(application, applicant, "K1.1", data)
    assert application.records.count() == 0
