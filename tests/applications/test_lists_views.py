"""Excel list pages: download, upload, errors per row and column, access limited to the organization."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from zgcfund.applications.interfaces import excel
from zgcfund.core.creditcode import make_valid
from zgcfund.programmes.domain import clock

pytestmark = pytest.mark.django_db


def code(n: int) -> str:
    return make_valid(f"91110108MA{n:06d}")


def broken(n: int) -> str:
    good = code(n)
    return good[:17] + ("0" if good[17] != "0" else "1")


def fill(template: bytes, rows: list[dict[str, object]]) -> bytes:
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


def k11_rows(n: int, sti: int) -> list[dict[str, object]]:
    return [{"阶段": "前期工作绩效", "日期": dt.date(2025, 5, 1) + dt.timedelta(days=i % 90),
             "调研企业名称": f"北京调研样本科技有限公司{i:03d}", "调研企业统一社会信用代码": code(i),
             "是否科技服务业企业": "是" if i <= sti else "否"} for i in range(1, n + 1)]


@pytest.fixture
def client_of(client):
    def login(user):
        client.force_login(user)
        return client
    return login


def template_url(application, clause="K1.1"):
    return reverse("applications:list_template", args=[application.pk, clause])


def import_url(application, clause="K1.1"):
    return reverse("applications:list_import", args=[application.pk, clause])


def xlsx(data: bytes, name: str = "K1.1.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=excel.XLSX_MIME)


def good_file(application, n=60, sti=35) -> bytes:
    return fill(excel.build_template(application, "K1.1"), k11_rows(n, sti=sti))


def test_k11_template_download(client_of, application, applicant):
    response = client_of(applicant).get(template_url(application))
    assert response.status_code == 200
    assert response["Content-Type"] == excel.XLSX_MIME
    assert "attachment" in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(response.content))
    assert wb[excel.DATA_SHEET]["E1"].value == "调研企业名称 *"


def test_k11_current_list_download_has_the_records(client_of, application, applicant, open_window):
    client = client_of(applicant)
    client.post(import_url(application), {"file": xlsx(good_file(application, 5, 5)), "mode": "auto"})
    response = client.get(template_url(application) + "?filled=1")
    ws = load_workbook(io.BytesIO(response.content))[excel.DATA_SHEET]
    assert [ws.cell(r, 1).value for r in range(2, 7)] == [f"K1.1-00{i}" for i in range(1, 6)]


def test_office_may_download_but_not_import(client_of, application, office_user, open_window):
    client = client_of(office_user)
    assert client.get(template_url(application)).status_code == 200
    assert client.post(import_url(application), {"file": xlsx(good_file(application, 3, 3))}).status_code == 403
    assert application.records.count() == 0


def test_other_organization_gets_404_everywhere(client_of, application, other_applicant, open_window):
    client = client_of(other_applicant)
    assert client.get(template_url(application)).status_code == 404
    assert client.get(template_url(application) + "?filled=1").status_code == 404
    assert client.get(import_url(application)).status_code == 404
    assert client.post(import_url(application), {"file": xlsx(good_file(application, 3, 3))}).status_code == 404
    assert application.records.count() == 0


def test_anonymous_is_sent_to_login(client, application):
    response = client.get(template_url(application))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("clause", ["K2", "K3.1", "P1", "X9"])
def test_clauses_without_a_list_are_404(client_of, application, applicant, clause):
    client = client_of(applicant)
    assert client.get(template_url(application, clause)).status_code == 404
    assert client.get(import_url(application, clause)).status_code == 404


def test_k11_import_page_explains_the_clause(client_of, application, applicant, open_window):
    response = client_of(applicant).get(import_url(application))
    assert response.status_code == 200
    text = response.content.decode()
    assert application.programme_year and "不少于50家企业" in text
    assert 'data-testid="list-upload"' in text and 'name="mode"' in text


def test_k11_sixty_rows_upload_redirects_to_the_clause_page_with_the_count(client_of, application, applicant, open_window):
    client = client_of(applicant)
    response = client.post(import_url(application), {"file": xlsx(good_file(application)), "mode": "auto"})
    assert response.status_code == 302
    assert response["Location"] == reverse("applications:clause", args=[application.pk, "K1.1"])
    assert application.records.filter(clause="K1.1").count() == 60
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("新增 60 条" in m for m in messages)


def test_k11_bad_cell_shows_row_and_column_and_imports_nothing(client_of, application, applicant, open_window):
    rows = k11_rows(60, sti=35)
    rows[5]["调研企业统一社会信用代码"] = broken(6)
    response = client_of(applicant).post(import_url(application), {
        "file": xlsx(fill(excel.build_template(application, "K1.1"), rows)), "mode": "append"})
    assert response.status_code == 422
    problems = response.context["list_problems"]
    assert [(p.line, p.column) for p in problems] == [(7, "调研企业统一社会信用代码")]
    text = response.content.decode()
    assert 'data-testid="list-problem-table"' in text and "调研企业统一社会信用代码" in text and "校验码应为" in text
    assert application.records.count() == 0


def test_empty_and_non_excel_uploads_get_a_clear_message(client_of, application, applicant, open_window):
    client = client_of(applicant)
    response = client.post(import_url(application), {"file": SimpleUploadedFile("empty.xlsx", b"")})
    assert response.status_code == 422 and "空的" in response.content.decode()
    response = client.post(import_url(application), {"file": SimpleUploadedFile("list.xlsx", b"a,b\n1,2\n")})
    assert response.status_code == 422 and "不是 Excel 工作簿" in response.content.decode()
    response = client.post(import_url(application), {})
    assert "请选择要上传的 Excel 文件" in response.content.decode()
    assert application.records.count() == 0


def test_workbook_with_an_external_entity_gets_a_clear_message(client_of, application, applicant, open_window):
    good = good_file(application, 3, 3)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename.startswith("xl/worksheets/") and b"<row" in body:
                text = body.decode()
                root = text.index("<worksheet")
                body = (text[:root] + '<!DOCTYPE worksheet [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                        + text[root:].replace("北京调研样本科技有限公司001", "&x;", 1)).encode()
            dst.writestr(info, body)
    response = client_of(applicant).post(import_url(application), {"file": xlsx(out.getvalue()), "mode": "auto"})
    assert response.status_code == 422 and "损坏" in response.content.decode()
    assert "root:" not in response.content.decode() and application.records.count() == 0


def test_k32_template_on_the_k11_page_is_refused(client_of, application, applicant, open_window):
    data = fill(excel.build_template(application, "K3.2"), [{"阶段": "前期工作绩效", "日期": "2025-06-30",
                                                            "新注册企业名称": "北京新企业有限公司"}])
    response = client_of(applicant).post(import_url(application), {"file": xlsx(data)})
    assert response.status_code == 422
    assert response.context["list_errors"][0].startswith("该文件是 K3.2")
    assert application.records.count() == 0


def test_import_after_the_deadline_is_refused(client_of, application, applicant, open_window):
    data = good_file(application, 3, 3)
    open_window.opens_at = clock.now() - dt.timedelta(days=30)
    open_window.closes_at = clock.now() - dt.timedelta(minutes=1)
    open_window.save()
    client = client_of(applicant)
    page = client.get(import_url(application)).content.decode()
    assert 'data-testid="list-upload"' not in page and "截止" in page
    response = client.post(import_url(application), {"file": xlsx(data)})
    assert response.status_code == 422 and "截止" in response.content.decode()
    assert application.records.count() == 0


def test_htmx_upload_triggers_evaluation_refresh(client_of, application, applicant, open_window):
    response = client_of(applicant).post(import_url(application), {"file": xlsx(good_file(application, 3, 3))},
                                         HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Trigger"] == "evaluation-changed"
    assert response["HX-Redirect"] == reverse("applications:clause", args=[application.pk, "K1.1"])
    assert application.records.count() == 3


def test_htmx_upload_with_errors_returns_the_tools_card(client_of, application, applicant, open_window):
    rows = k11_rows(2, sti=2)
    rows[1]["是否科技服务业企业"] = "可能"
    response = client_of(applicant).post(import_url(application), {
        "file": xlsx(fill(excel.build_template(application, "K1.1"), rows))}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "HX-Trigger" not in response
    text = response.content.decode()
    assert text.lstrip().startswith('<section class="card list-tools" id="list-tools"')
    assert "是否科技服务业企业" in text and "应填“是”或“否”" in text
    assert application.records.count() == 0


def test_k11_clause_page_offers_the_list_tools_and_k2_does_not(client_of, application, applicant, open_window):
    client = client_of(applicant)
    k11 = client.get(reverse("applications:clause", args=[application.pk, "K1.1"]))
    assert k11.status_code == 200
    assert 'data-testid="list-tools"' in k11.content.decode()
    assert template_url(application) in k11.content.decode()
    k2 = client.get(reverse("applications:clause", args=[application.pk, "K2"]))
    assert 'data-testid="list-tools"' not in k2.content.decode()
