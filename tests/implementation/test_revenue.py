"""K1.3 服务营收增长: the revenue tables of a contract's performance enterprises (Excel template per enterprise,
upload, import refusals), the growth per enterprise and for the group against the office's industry rates
(as ``core.growth``), the pages and who may see them."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from tests.review.decision_helpers import approve_pending
from tests.review.test_ranking_web import same

from zgcfund.accounts.models.user import Role
from zgcfund.applications.domain import workflow
from zgcfund.audit.models import AuditEvent
from zgcfund.core import growth as core_growth
from zgcfund.core.scheme import scheme_values
from zgcfund.implementation.domain import contracts as contract_domain
from zgcfund.implementation.domain import revenue
from zgcfund.implementation.interfaces import revenue_excel
from zgcfund.implementation.interfaces.revenue_display import revenue_summary
from zgcfund.implementation.models import RevenueTable
from zgcfund.programmes.domain import current_version, parsed
from zgcfund.programmes.domain.scheme import save_scheme_version

pytestmark = pytest.mark.django_db

A_CODE, B_CODE, C_CODE = "91110108MA01AAAA1X", "91110108MA01BBBB2Y", "91110108MA01CCCC3Z"
FORMULA_NAME = "=HYPERLINK(\"http://evil.example\",\"点我\")科技有限公司"


def k13(key, phase, name, code, date="2025-08-01"):
    return {"id": key, "clause": "K1.3", "phase": phase, "date": date, "title": name,
            "enterprise": {"name": name, "credit_code": code}, "included_on": "2024-09-01", "scale_above": True,
            "industry_code": "7320"}


@pytest.fixture
def contracted(pipeline, settings, office_user):
    """甲协会: K1.3 enterprise A (plan, also a prior record: one enterprise) and B (prior), plus a code-less
    one; 乙协会: enterprise C with a formula-like name. Both contracted; the clock on 2026-03-15."""
    first = pipeline.application("甲协会", same("12", "8"), records=[
        k13("R1", "plan", "北京甲科技有限公司", A_CODE, "2026-02-28"), k13("R2", "prior", "北京乙科技有限公司", B_CODE),
        k13("R3", "prior", "北京甲科技有限公司", A_CODE), k13("R4", "prior", "北京无码科技有限公司", None)])
    second = pipeline.application("乙协会", same("10", "5"), records=[k13("R1", "plan", FORMULA_NAME, C_CODE, "2026-02-28")])
    pipeline.publish(settings)
    out = []
    for app, amount in ((first, "15"), (second, "10")):
        app.refresh_from_db()
        contract = contract_domain.record_contract(
            app, office_user, signed_on=dt.date(2025, 10, 10), amount=Decimal(amount),
            tranches=[contract_domain.TrancheInput(dt.date(2025, 10, 20), Decimal(amount))])
        approve_pending("contract", contract)
        contract.refresh_from_db()
        out.append(contract)
    settings.ZGCFUND_CLOCK_DATE = "2026-03-15"
    return out


def member(contract) -> Client:
    c = Client()
    c.force_login(contract.application.organization.memberships.first().user)
    return c


def page_url(contract) -> str:
    return reverse("revenue:page", args=[contract.application_id])


def template_bytes(client, contract, code) -> bytes:
    resp = client.get(reverse("revenue:template", args=[contract.application_id, code]))
    assert resp.status_code == 200 and resp["Content-Type"] == revenue_excel.XLSX_MIME
    assert resp["Cache-Control"] == "private, no-store"
    return resp.content


MONTHLY = {"2024年1-11月": 10, "2025年1-11月": 12, "2025年1-2月": 12, "2026年1-2月": 15}


def fill(data: bytes, monthly=None, *, cells=None, code=None) -> bytes:
    """The template with every month of a period given the same amount (None: left blank), and ``cells``
    overriding single cells."""
    monthly = MONTHLY if monthly is None else monthly
    wb = load_workbook(io.BytesIO(data))
    ws = wb[revenue_excel.DATA_SHEET]
    for row in ws.iter_rows(min_row=revenue_excel.FIRST_DATA_ROW):
        if row[0].value in monthly:
            row[2].value = monthly[row[0].value]
    for ref, value in (cells or {}).items():
        ws[ref] = value
    if code is not None:
        ws["B4"] = code
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(client, contract, code, data: bytes, name="营收情况表.xlsx"):
    return client.post(reverse("revenue:upload", args=[contract.application_id, code]),
                       {"file": SimpleUploadedFile(name, data)})


def set_rates(office_user, code, a, b):
    row = current_version(code)
    values = {**scheme_values(parsed(row)), "param.industry_growth_rate": a, "param.start_growth_rate": b}
    save_scheme_version(row, values, version=f"rates-{a}-{b}", note="", reason="录入行业增速", by=office_user)


# --- enterprises and template ----------------------------------------------------------------------

def test_k13_performance_enterprises_come_from_commitments_and_prior_records(contracted):
    first = contracted[0]
    found = revenue.performance_enterprises(first)
    assert [(e.name, e.credit_code) for e in found] == [
        ("北京甲科技有限公司", A_CODE), ("北京乙科技有限公司", B_CODE), ("北京无码科技有限公司", "")]
    assert found[0].sources == ["实施期承诺 R1", "前期绩效 R3"]
    html = member(first).get(page_url(first)).content.decode()
    assert f'data-testid="revenue-upload-{A_CODE}"' in html and "无法上传营收情况表" in html


def test_k13_template_round_trip_gives_the_period_totals(contracted):
    first = contracted[0]
    client = member(first)
    data = template_bytes(client, first, A_CODE)
    wb = load_workbook(io.BytesIO(data))
    ws = wb[revenue_excel.DATA_SHEET]
    assert ws["B2"].value == "甲协会" and ws["B3"].value == "北京甲科技有限公司" and ws["B4"].value == A_CODE
    labels = [(r[0].value, r[1].value) for r in ws.iter_rows(min_row=7) if r[0].value]
    assert labels[0] == ("2024年1-11月", "2024年1月") and labels[-1] == ("2026年1-2月", "2026年2月")
    assert len(labels) == 11 + 11 + 2 + 2
    assert "说明" in wb.sheetnames and not any(c.data_type == "f" for r in ws.iter_rows() for c in r)
    resp = upload(client, first, A_CODE, fill(data))
    assert resp.status_code == 302 and resp["Location"] == page_url(first)
    table = RevenueTable.objects.get(contract=first, credit_code=A_CODE)
    assert table.figures() == {"revenue_2024_jan_nov": Decimal("110.00"), "revenue_2025_jan_nov": Decimal("132.00"),
                               "revenue_2025_jan_feb": Decimal("24.00"), "revenue_2026_jan_feb": Decimal("30.00")}
    assert table.months["revenue_2026_jan_feb"] == {"2026-01": "15.00", "2026-02": "15.00"}
    assert table.file_name == "营收情况表.xlsx" and len(table.sha256) == 64
    stored = member(first).get(reverse("revenue:workbook", args=[first.application_id, A_CODE]))
    assert b"".join(stored.streaming_content) == fill(data)


def test_k13_reupload_replaces_the_figures_and_the_audit_keeps_old_and_new(contracted):
    first = contracted[0]
    client = member(first)
    data = template_bytes(client, first, A_CODE)
    upload(client, first, A_CODE, fill(data))
    upload(client, first, A_CODE, fill(data, {**MONTHLY, "2026年1-2月": 20}))
    table = RevenueTable.objects.get(contract=first, credit_code=A_CODE)
    assert table.revenue_2026_jan_feb == Decimal("40.00")
    event = AuditEvent.objects.filter(action="revenue.upload").order_by("-pk").first()
    assert event.changes["before"]["revenue_2026_jan_feb"] == "30.00"
    assert event.changes["after"]["revenue_2026_jan_feb"] == "40.00"
    assert event.visibility == "organization" and RevenueTable.objects.count() == 1
    assert event.changes["before"]["stored"] != event.changes["after"]["stored"]  # the earlier file is kept


# --- import refusals -------------------------------------------------------------------------------

def _refused(client, contract, data, *expected, code=A_CODE):
    resp = upload(client, contract, code, data)
    html = resp.content.decode()
    assert resp.status_code == 422 and 'data-testid="error-summary"' in html
    assert "未导入，已上传的数据保持不变" in html or not expected
    for text in expected:
        assert text in html, text
    return html


def test_k13_import_refusals_name_the_cell_and_save_nothing(contracted):
    first = contracted[0]
    client = member(first)
    data = template_bytes(client, first, A_CODE)
    upload(client, first, A_CODE, fill(data))
    before = RevenueTable.objects.get(contract=first, credit_code=A_CODE).figures()
    # negative, not a number, a blank month of an ended period, the same month twice with different amounts
    _refused(client, first, fill(data, cells={"C7": -5, "C8": "十万", "C9": None, "C18": 99}),
             "工作表“营收情况表”单元格 C7：营业收入不能为负数", "单元格 C8：应为数字（万元），实际为“十万”",
             "单元格 C9：2024年1-11月 统计期已于 2024-11-30 结束，请填写该月营业收入",
             "单元格 C29：2025年1月 营业收入 12.00 万元与单元格 C18 的 99.00 万元不一致")
    # more than two decimals; a label changed
    _refused(client, first, fill(data, cells={"C10": "1.234", "A11": "2023年1-11月"}),
             "单元格 C10：最多保留两位小数", "单元格 A11：“2023年1-11月 2024年5月”不是模板中的统计期和月份")
    assert RevenueTable.objects.get(contract=first, credit_code=A_CODE).figures() == before


def test_k13_import_refuses_files_that_are_not_the_template(contracted):
    first = contracted[0]
    client = member(first)
    _refused(client, first, "企业,营收\n甲,1\n".encode(), "不是 Excel 工作簿")
    _refused(client, first, b"PK\x03\x04" + b"0" * (revenue_excel.MAX_UPLOAD_BYTES + 10), "文件过大")
    wb = Workbook()
    wb.active.title = revenue_excel.DATA_SHEET
    for i in range(1, 260):
        wb.active.cell(row=i, column=1, value="x")
    out = io.BytesIO()
    wb.save(out)
    _refused(client, first, out.getvalue(), "工作表超过 200 行")
    macro = io.BytesIO()
    with zipfile.ZipFile(macro, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/vbaProject.bin", b"\0" * 16)
    _refused(client, first, macro.getvalue(), "文件含有宏（.xlsm），不能上传")
    other = io.BytesIO()
    Workbook().save(other)
    _refused(client, first, other.getvalue(), "文件中没有“营收情况表”工作表")
    assert not RevenueTable.objects.exists()


def test_k13_credit_code_of_the_sheet_must_be_the_enterprises(contracted):
    first = contracted[0]
    client = member(first)
    data_b = template_bytes(client, first, B_CODE)
    _refused(client, first, fill(data_b), f"单元格 B4：统一社会信用代码 {B_CODE} 与本企业（{A_CODE}）不一致")
    assert not RevenueTable.objects.exists()
    # an enterprise not in the contract: no such upload
    assert upload(client, first, C_CODE, fill(data_b)).status_code == 404


def test_k13_a_period_not_ended_may_be_blank_and_its_months_not_filled(contracted, settings):
    first = contracted[0]
    settings.ZGCFUND_CLOCK_DATE = "2026-01-20"
    client = member(first)
    data = template_bytes(client, first, A_CODE)
    # 2026年1月 has not ended on 2026-01-20: a figure for it is refused
    _refused(client, first, fill(data, {**MONTHLY, "2026年1-2月": None}, cells={"C31": 3}),
             "单元格 C31：2026年1月 尚未结束（今天是 2026-01-20），不能填写营业收入")
    assert upload(client, first, A_CODE, fill(data, {**MONTHLY, "2026年1-2月": None})).status_code == 302
    table = RevenueTable.objects.get(contract=first, credit_code=A_CODE)
    assert table.revenue_2026_jan_feb is None and table.revenue_2025_jan_nov == Decimal("132.00")
    html = client.get(page_url(first)).content.decode()
    assert 'data-testid="revenue-pending-b"' in html and 'data-testid="revenue-table-a"' in html


def test_k13_no_upload_once_acceptance_is_decided(contracted):
    first = contracted[0]
    client = member(first)
    data = fill(template_bytes(client, first, A_CODE))
    first.application.status = workflow.ACCEPTED
    first.application.save(update_fields=["status"])
    assert 'data-testid="revenue-upload-' not in client.get(page_url(first)).content.decode()
    resp = upload(client, first, A_CODE, data)
    assert resp.status_code == 422 and "本项目当前状态为“验收通过”，不能再上传营收情况表。" in resp.content.decode()
    assert not RevenueTable.objects.exists()


# --- growth ----------------------------------------------------------------------------------------

def test_k13_growth_per_enterprise_and_group_against_the_office_rates(contracted, office_user):
    first = contracted[0]
    client = member(first)
    upload(client, first, A_CODE, fill(template_bytes(client, first, A_CODE)))  # a: +20%, b: +25%
    upload(client, first, B_CODE, fill(template_bytes(client, first, B_CODE),
                                       {"2024年1-11月": 10, "2025年1-11月": 10.5, "2025年1-2月": 10.5,
                                        "2026年1-2月": 10}))  # a: +5%, b: -4.76%
    set_rates(office_user, first.application.programme_code, "0.10", "0.12")
    summary = revenue_summary(first)
    a, b = summary.aims
    assert (a.result.rate, b.result.rate) == (Decimal("0.10"), Decimal("0.12"))
    # group a: (132+115.5)/(110+110) - 1 = 12.5% > 10%: met; group b: (30+20)/(24+21) - 1 = 11.1% < 12%: not met
    assert a.result.status == core_growth.MET and a.growth_text == "12.50%"
    assert b.result.status == core_growth.NOT_MET
    assert [r["ea"].status for r in a.rows] == [core_growth.MET, core_growth.NOT_MET, core_growth.UNDETERMINED]
    expected = core_growth.k13_growth(
        [core_growth.EnterpriseRevenue(A_CODE, "甲", RevenueTable.objects.get(credit_code=A_CODE).figures()),
         core_growth.EnterpriseRevenue(B_CODE, "乙", RevenueTable.objects.get(credit_code=B_CODE).figures())],
        dt.date(2026, 3, 15), {"a": Decimal("0.10"), "b": Decimal("0.12")}, programme=summary.programme)
    assert [r.status for r in expected.aims] == [a.result.status, b.result.status]
    assert [r.growth for r in expected.aims] == [a.result.growth, b.result.growth]
    html = client.get(page_url(first)).content.decode()
    assert "行业增速（科技服务业2025年1-11月营收增速（项目办公室录入））：10%" in html
    chart = re.search(r'data-testid="revenue-chart-a">(.*?)</figure>', html, re.S)[1]
    assert "<svg" in chart and "北京甲科技有限公司" in chart and "北京乙科技有限公司" in chart and "绩效企业合计" in chart
    assert "行业增速 10.0%" in chart
    assert 'data-testid="revenue-group-a"' in html and "满足" in html and "未满足" in html


def test_k13_a_missing_rate_is_said_instead_of_computing(contracted, monkeypatch):
    first = contracted[0]
    programme = revenue.programme_for(first)
    real = programme.params_on
    monkeypatch.setattr(type(programme), "params_on",
                        lambda self, day: {**real(day), "start_growth_rate": None} if self is programme else real(day))
    html = member(first).get(page_url(first)).content.decode()
    assert 'data-testid="revenue-rate-missing-b"' in html
    assert "项目办公室尚未录入“科技服务业2026年1-2月营收增速（项目办公室录入）”，暂不计算本目标的增速" in html
    assert 'data-testid="revenue-table-b"' not in html and 'data-testid="revenue-table-a"' in html


def test_k13_office_pages_read_only_overview_and_rate_link(contracted, office_client):
    first, second = contracted
    client = member(first)
    upload(client, first, A_CODE, fill(template_bytes(client, first, A_CODE)))
    html = office_client.get(reverse("office:revenue", args=[first.application_id])).content.decode()
    assert "北京甲科技有限公司" in html and 'data-testid="revenue-upload-' not in html
    assert reverse("office:scheme_edit", args=[first.application.programme_code]) in html
    assert 'data-testid="revenue-chart-a"' in html
    assert reverse("office:revenue_overview") in office_client.get(reverse("office:contracts")).content.decode()
    overview = office_client.get(reverse("office:revenue_overview")).content.decode()
    assert f'data-testid="revenue-overview-{first.application_id}"' in overview
    assert f'data-testid="revenue-overview-{second.application_id}"' in overview
    assert "20%" in overview and "行业增速未录入" not in overview
    contract_page = office_client.get(reverse("office:contract", args=[first.application_id])).content.decode()
    assert reverse("office:revenue", args=[first.application_id]) in contract_page
    status = client.get(reverse("applications:status", args=[first.application_id])).content.decode()
    assert 'data-testid="contract-revenue-link"' in status and page_url(first) in status


# --- access ----------------------------------------------------------------------------------------

def test_k13_access(contracted, office_client, make_user):
    first, second = contracted
    data = template_bytes(member(first), first, A_CODE)
    other = member(second)
    expert = Client()
    expert.force_login(make_user("k13-expert@zgc.example", role=Role.EXPERT, full_name="评审专家"))
    for c in (other, expert):
        assert c.get(page_url(first)).status_code == 404
        assert c.get(reverse("revenue:template", args=[first.application_id, A_CODE])).status_code == 404
        assert upload(c, first, A_CODE, fill(data)).status_code == 404
        assert c.get(reverse("office:revenue", args=[first.application_id])).status_code == 403
        assert c.get(reverse("office:revenue_overview")).status_code == 403
    # the office reads (template, office page) but does not upload
    assert office_client.get(reverse("revenue:template", args=[first.application_id, A_CODE])).status_code == 200
    assert upload(office_client, first, A_CODE, fill(data)).status_code == 403
    assert Client().get(page_url(first))["Location"].startswith(reverse("accounts:login"))
    assert not RevenueTable.objects.exists()


def test_k13_formula_text_stays_text_in_the_template(contracted):
    second = contracted[1]
    data = template_bytes(member(second), second, C_CODE)
    ws = load_workbook(io.BytesIO(data))[revenue_excel.DATA_SHEET]
    assert ws["B3"].value == FORMULA_NAME and ws["B3"].data_type == "s" and ws["B3"].quotePrefix
