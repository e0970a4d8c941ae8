"""Bad input on the applicant's entry paths: the record form, the JSON import and the Excel list import
accept or refuse the same input the same way, with the same Chinese message naming the field and the
limit (core.bounds); hostile files are answered in Chinese, within bounded work, keeping the records."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from zgcfund.applications.domain.document import build_document
from zgcfund.applications.domain.editing import save_record
from zgcfund.applications.domain.lists import ListInvalid, import_list
from zgcfund.applications.interfaces import excel
from zgcfund.applications.models import EvidenceFile, Record
from zgcfund.core import bounds
from zgcfund.core.creditcode import make_valid

pytestmark = pytest.mark.django_db

K31 = {"phase": "prior", "date": "2025-03-02", "title": "人工智能产业对接会", "park": "海淀园", "participants": 85}
COMPANY = "北京某某科技有限公司"


@pytest.fixture
def client_a(client, applicant):
    client.force_login(applicant)
    return client


@pytest.fixture
def kept(application, applicant, open_window):
    """The applicant's earlier work, which no refused input may lose."""
    return save_record(application, applicant, "K3.1", K31)


# --- the three entry paths ---------------------------------------------------------------------

def via_json(client, application, clause: str, values: dict) -> list[str]:
    doc = build_document(application)
    rec = {"id": "c1", "clause": clause, "phase": "prior", "date": "2025-04-01", "title": "调研",
           "enterprise": {"name": COMPANY}}
    rec.update(values)
    doc["records"].append(rec)
    upload = SimpleUploadedFile("a.json", json.dumps(doc, ensure_ascii=False).encode(), "application/json")
    response = client.post(reverse("applications:import_json", args=[application.pk]), {"file": upload})
    assert response.status_code == 422
    return [p.message for p in response.context["problems"]]


def workbook(application, clause: str, *rows: dict, extra=None) -> bytes:
    """A plain workbook with the clause's headers (as Excel users make them) and ``rows`` by header."""
    cols = excel.columns_for(excel.programme_of(application), clause)
    wb = Workbook()
    ws = wb.active
    ws.title = excel.DATA_SHEET
    ws.append([c.shown for c in cols])
    for row in rows:
        ws.append([row.get(c.header) for c in cols])
    if extra:
        extra(ws)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def read(application, clause: str, data: bytes) -> excel.ParsedList:
    return excel.read_upload(SimpleUploadedFile("list.xlsx", data, excel.XLSX_MIME), application, clause)


def file_error(application, clause: str, data: bytes) -> str:
    with pytest.raises(excel.ListFileError) as exc:
        read(application, clause, data)
    return exc.value.message


def via_excel(application, user, clause: str, values: dict) -> list[str]:
    party = "调研企业名称" if clause == "K1.1" else "绩效企业名称"
    row = {"阶段": "前期工作绩效", "日期": "2025-04-01", "名称": "调研", party: COMPANY}
    row.update(values)
    parsed = read(application, clause, workbook(application, clause, row))
    with pytest.raises(ListInvalid) as exc:
        import_list(application, user, clause, parsed.rows, "append", exported=parsed.exported)
    return [p.message for p in exc.value.problems]


def via_form(client, application, clause: str, values: dict) -> list[str]:
    data = {"phase": "prior", "date": "2025-04-01", "title": "调研", "enterprise__name": COMPANY}
    data.update(values)
    response = client.post(reverse("applications:record_new", args=[application.pk, clause]), data)
    assert response.status_code == 422
    return [m for messages in response.context["form"].errors.values() for m in messages]


def assert_kept(application, kept):
    assert list(application.records.all()) == [kept]


# --- the same input, the same answer on every path ----------------------------------------------

def test_over_long_title_is_refused_the_same_way_by_form_json_and_excel(client_a, application, applicant, kept):
    message = "名称过长（450字），不得超过200字"
    assert message in via_json(client_a, application, "K1.1", {"title": "题" * 450})
    assert message in via_excel(application, applicant, "K1.1", {"名称": "题" * 450})
    assert message in via_form(client_a, application, "K1.1", {"title": "题" * 450})
    assert_kept(application, kept)


def test_over_long_record_key_is_refused_the_same_way_by_json_and_excel(client_a, application, applicant, kept):
    # the form has no key field: keys are generated (K1.1-001), well within the limit
    message = "记录编号过长（80字），不得超过60字"
    assert via_json(client_a, application, "K1.1", {"id": "k" * 80}) == [message]
    assert via_excel(application, applicant, "K1.1", {"记录编号": "k" * 80}) == [message]
    assert_kept(application, kept)


def test_over_long_enterprise_name_is_refused_the_same_way_everywhere(client_a, application, applicant, kept):
    message = "调研企业名称过长（201字），不得超过200字"
    assert message in via_json(client_a, application, "K1.1", {"enterprise": {"name": "企" * 201}})
    assert message in via_excel(application, applicant, "K1.1", {"调研企业名称": "企" * 201})
    assert message in via_form(client_a, application, "K1.1", {"enterprise__name": "企" * 201})
    assert_kept(application, kept)


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_implausible_date_is_refused_the_same_way_everywhere(client_a, application, applicant, kept, day):
    message = f"日期超出合理范围（应在1900-01-01至2100-12-31之间），实际为{day}"
    assert message in via_json(client_a, application, "K1.1", {"date": day})
    assert message in via_excel(application, applicant, "K1.1", {"日期": day})
    assert message in via_form(client_a, application, "K1.1", {"date": day})
    included = f"纳统日期超出合理范围（应在1900-01-01至2100-12-31之间），实际为{day}"
    assert included in via_json(client_a, application, "K1.3", {"included_on": day})
    assert included in via_excel(application, applicant, "K1.3", {"纳统日期": day})
    assert included in via_form(client_a, application, "K1.3", {"included_on": day})
    assert_kept(application, kept)


def test_implausible_amount_is_refused_the_same_way_everywhere(client_a, application, applicant, kept):
    label = "2025年1-11月营收（万元）"
    message = f"{label}超出合理范围（不得超过1000000000万元），实际为2000000000"
    assert message in via_json(client_a, application, "K1.3", {"revenue_2025_jan_nov": 2_000_000_000})
    assert message in via_excel(application, applicant, "K1.3", {label: 2_000_000_000})
    assert message in via_form(client_a, application, "K1.3", {"revenue_2025_jan_nov": "2000000000"})
    negative = f"{label}应为非负数（单位：万元），实际为-1"
    assert negative in via_excel(application, applicant, "K1.3", {label: -1})
    assert negative in via_form(client_a, application, "K1.3", {"revenue_2025_jan_nov": "-1"})
    assert_kept(application, kept)


def test_an_astronomical_number_in_excel_is_refused_without_building_it(application, applicant, kept):
    label = "2025年1-11月营收（万元）"
    assert via_excel(application, applicant, "K1.3", {label: "1e5000"}) == [
        f"{label}超出合理范围（不得超过1000000000万元），实际为1E+5000"]


def test_model_columns_hold_what_the_validator_accepts():
    from zgcfund.review.models import ClauseScore, FormalReview, Objection, RecordComment, RecordVerdict

    assert Record._meta.get_field("key").max_length == bounds.LENGTHS["id"]
    assert Record._meta.get_field("title").max_length == bounds.LENGTHS["title"]
    assert EvidenceFile._meta.get_field("name").max_length == bounds.LENGTHS["name"]
    for model in (RecordComment, RecordVerdict):
        assert model._meta.get_field("record_key").max_length == bounds.LENGTHS["id"]
    for model in (FormalReview, RecordComment, ClauseScore):
        assert model._meta.get_field("comment").max_length == bounds.LENGTHS["comment"]
    assert RecordVerdict._meta.get_field("reason").max_length == bounds.LENGTHS["reason"]
    assert Objection._meta.get_field("content").max_length == bounds.LENGTHS["objection"]


# --- how many records ----------------------------------------------------------------------------

def test_json_import_caps_the_record_count(client_a, application, kept):
    doc = build_document(application)
    doc["records"] = [{**K31, "id": f"e{i}", "clause": "K3.1"} for i in range(bounds.RECORDS_MAX + 1)]
    upload = SimpleUploadedFile("a.json", json.dumps(doc, ensure_ascii=False).encode(), "application/json")
    response = client_a.post(reverse("applications:import_json", args=[application.pk]), {"file": upload})
    assert response.status_code == 422
    assert [str(p) for p in response.context["problems"]] == ["records: 共5001条记录，超过每份申报书5000条的上限"]
    assert_kept(application, kept)


def test_excel_import_and_the_form_respect_the_application_record_cap(client_a, application, applicant, kept,
                                                                     monkeypatch):
    monkeypatch.setattr(bounds, "RECORDS_MAX", 2)
    rows = [{"阶段": "前期工作绩效", "日期": "2025-04-01", "调研企业名称": f"{COMPANY}{i}",
             "调研企业统一社会信用代码": make_valid(f"91110108MA{i:06d}")} for i in range(2)]
    parsed = read(application, "K1.1", workbook(application, "K1.1", *rows))
    with pytest.raises(ListInvalid) as exc:
        import_list(application, applicant, "K1.1", parsed.rows, "append")
    assert [p.message for p in exc.value.problems] == ["导入后本申报书共3条记录，超过每份申报书2条的上限。"]
    save_record(application, applicant, "K3.1", {**K31, "title": "第二场"})
    assert "共3条记录，超过每份申报书2条的上限" in via_form(client_a, application, "K3.1", {"park": "海淀园"})
    assert application.records.count() == 2


# --- hostile JSON files --------------------------------------------------------------------------

@pytest.mark.parametrize(("content", "message"), [
    (b"[" * 100_000, "嵌套层数过深"),
    (b'{"format": "zgc-application/1", "records": [{"participants": ' + b"9" * 4301 + b"}]}", "4301位的整数"),
    (b'{"format": "zgc-application/1", "format": "x"}', "重复出现"),
])
def test_hostile_json_is_answered_in_chinese_and_keeps_the_records(client_a, application, kept, content, message):
    upload = SimpleUploadedFile("x.json", content, "application/json")
    response = client_a.post(reverse("applications:import_json", args=[application.pk]), {"file": upload})
    assert response.status_code == 422
    assert message in response.content.decode()
    assert_kept(application, kept)


# --- hostile spreadsheets: the work is bounded ----------------------------------------------------

def with_rows_xml(data: bytes, rows_xml: str) -> bytes:
    """The workbook with ``rows_xml`` appended to its data sheet (as another program might write it)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = body.replace(b"</sheetData>", rows_xml.encode() + b"</sheetData>")
                body = body.replace(b'<dimension ref="A1:G2"/>', b'<dimension ref="A1:XFD1048576"/>')
            dst.writestr(info, body)
    return out.getvalue()


def one_row(application) -> bytes:
    return workbook(application, "K1.1", {"阶段": "前期工作绩效", "日期": "2025-04-01", "调研企业名称": COMPANY})


ROW_LIMIT = "工作表超过 10001 行（含空行），未导入"


def test_a_million_blank_rows_stop_at_the_row_limit(application):
    blank = "".join(f'<row r="{i}"/>' for i in range(3, 1_000_003))
    assert ROW_LIMIT in file_error(application, "K1.1", with_rows_xml(one_row(application), blank))


def test_a_row_far_below_the_data_stops_at_the_row_limit(application):
    data = workbook(application, "K1.1", {"阶段": "前期工作绩效", "日期": "2025-04-01", "调研企业名称": COMPANY},
                    extra=lambda ws: ws.cell(1_000_001, 1, " "))
    assert ROW_LIMIT in file_error(application, "K1.1", data)


def test_blank_rows_within_the_limit_are_skipped(application):
    blank = "".join(f'<row r="{i}"/>' for i in range(3, excel.SCAN_ROWS + 2))
    parsed = read(application, "K1.1", with_rows_xml(one_row(application), blank))
    assert len(parsed.rows) == 1


def test_a_row_with_endless_cells_stops_at_the_cell_limit(application):
    wide = '<row r="3">' + "<c/>" * (excel.SCAN_CELLS + 1) + "</row>"
    assert "单元格过多" in file_error(application, "K1.1", with_rows_xml(one_row(application), wide))


def test_a_header_beyond_the_column_limit_is_refused(application):
    data = workbook(application, "K1.1", {"阶段": "前期工作绩效", "日期": "2025-04-01", "调研企业名称": COMPANY},
                    extra=lambda ws: ws.cell(1, excel.SCAN_COLUMNS + 50, "备注"))
    assert f"第 1 行超过 {excel.SCAN_COLUMNS} 列" in file_error(application, "K1.1", data)
