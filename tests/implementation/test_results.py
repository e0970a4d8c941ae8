"""The programme results dashboard (implementation.domain.results and its pages): the declared headline
table agrees with the programme file; prior / committed / delivered per clause and per organization over
the programme's contracts; applications by phase; money; the Excel export (formula-safe), the PDF, the
SVG charts; office only."""

from __future__ import annotations

import datetime as dt
import io
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from tests.review.decision_helpers import approve_pending
from tests.review.test_ranking_web import same

from zgcfund.applications.domain import workflow
from zgcfund.applications.models import Application
from zgcfund.audit.models import AuditEvent
from zgcfund.core.programme import DEFAULT_PROGRAMME, load_programme
from zgcfund.implementation.domain import contracts, results
from zgcfund.implementation.domain.contracts import TrancheInput
from zgcfund.implementation.domain.results import HEADLINES, Headline, problems
from zgcfund.implementation.interfaces import results as interface
from zgcfund.implementation.models import Commitment, CommitmentOrigin, CommitmentStatus

pytestmark = pytest.mark.django_db

SIGNED = dt.date(2025, 10, 10)
EVIL = '=HYPERLINK("http://evil.example","点击")'

K31_PRIOR = {"id": "A1", "clause": "K3.1", "phase": "prior", "date": "2025-03-02", "title": "人工智能产业对接会",
             "park": "海淀园", "participants": 85}
K31_REJECTED = {"id": "A2", "clause": "K3.1", "phase": "prior", "date": "2025-04-02", "title": "未核实的活动",
                "park": "海淀园", "participants": 70, "verified": False}
K2_PRIOR = {"id": "A3", "clause": "K2", "phase": "prior", "date": "2025-05-02", "title": "中试平台设备购置",
            "unit": {"name": "某科技公司"}, "project": "中试平台", "project_type": "equipment", "amount": 1500,
            "plan": "2025年购置", "contact": {"name": "张三"}}
K31_PLAN = {"id": "B1", "clause": "K3.1", "phase": "plan", "date": "2026-03-10", "title": "大模型应用对接会",
            "park": "海淀园", "participants": 120}
K31_PLAN2 = {"id": "B2", "clause": "K3.1", "phase": "plan", "date": "2026-04-10", "title": "科技服务沙龙",
             "park": "昌平园", "participants": 80}
K2_PLAN = {"id": "B3", "clause": "K2", "phase": "plan", "date": "2026-02-01", "title": "实验室扩建",
           "unit": {"name": "某科技公司"}, "project": "实验室", "project_type": "construction", "amount": 2000,
           "plan": "2026年建设", "contact": {"name": "张三"}}
P5_PLAN = {"id": "B4", "clause": "P5", "phase": "plan", "date": "2026-04-01", "title": "产业研究报告",
           "type": "commissioned", "completed": False}


def sign(app, by, amount: str):
    contract = contracts.record_contract(app, by, signed_on=SIGNED, amount=Decimal(amount),
                                         tranches=[TrancheInput(SIGNED, Decimal(amount), "签约后拨付")])
    approve_pending("contract", contract)
    contract.refresh_from_db()
    return contract


def verify(contract, key, status, *, verified=True, delivered=None):
    c = contract.commitments.get(record_key=key)
    c.status, c.verified, c.delivered = status, verified, delivered or {}
    c.save()
    return c


@pytest.fixture
def contracted(pipeline, office_user, settings):
    """甲 (15 万元) and 乙 (10 万元, its name a formula), both contracted; delivery verified as below."""
    first = pipeline.application("甲协会", same("12", "8"),
                                 records=[K31_PRIOR, K31_REJECTED, K2_PRIOR, K31_PLAN, K31_PLAN2, K2_PLAN, P5_PLAN])
    second = pipeline.application(EVIL, same("10", "5"), records=[K31_PRIOR, K31_PLAN])
    pipeline.publish(settings)
    a, b = sign(first, office_user, "15"), sign(second, office_user, "10")
    # 甲: B1 delivered with more participants than planned; B2 delivered but not verified; B3 partly
    # delivered (1200 of 2000); B4 not delivered; extra K3.1 work verified delivered
    verify(a, "B1", CommitmentStatus.DELIVERED, delivered={"participants": 150})
    verify(a, "B2", CommitmentStatus.DELIVERED, verified=False)
    verify(a, "B3", CommitmentStatus.PARTLY_DELIVERED, delivered={"amount": 1200})
    verify(a, "B4", CommitmentStatus.NOT_DELIVERED)
    Commitment.objects.create(contract=a, record_key="X1", origin=CommitmentOrigin.EXTRA, clause="K3.1",
                              title="新增园区活动", date=dt.date(2026, 5, 1), targets={"park": "丰台园", "participants": 90},
                              status=CommitmentStatus.DELIVERED, verified=True)
    # 乙: B1 delivered as planned (no delivered figures: the targets count)
    verify(b, "B1", CommitmentStatus.DELIVERED)
    return a, b


# --- the declared table --------------------------------------------------------------------------------

def test_headline_table_matches_the_programme_file():
    programme = load_programme(DEFAULT_PROGRAMME)
    assert problems(programme) == []
    assert {h.clause for h in HEADLINES} == set(programme.clauses)  # every clause has its headline
    by_id = {h.id: h for h in HEADLINES}
    # the quantities the issue names, on the programme file's own fields
    assert by_id["K1.1:enterprises"].field is None and by_id["K1.2:enterprises"].field is None
    assert by_id["K2:investment"].field == "amount" and by_id["K2:investment"].unit == "万元"
    assert by_id["K3.1:participants"].field == "participants"
    assert by_id["K5.2:contract_value"].field == "amount"
    assert {h.clause for h in HEADLINES if h.theme == "reports"} == {"K5.4", "P5"}


@pytest.mark.parametrize("bad, reason", [
    (Headline("K9.9", "x", "不存在", "项"), "no clause K9.9"),
    (Headline("K3.1", "x", "不存在的字段", "人", field="attendance"), "has no field attendance"),
    (Headline("K3.1", "x", "园区", "个", field="park"), "is a string"),
    (Headline("K2", "x", "投资额", "元", field="amount"), "does not fit"),
    (Headline("K3.1", "x", "参加人数", "万元", field="participants"), "does not fit"),
])
def test_an_unknown_clause_or_field_is_a_problem(bad, reason):
    found = problems(load_programme(DEFAULT_PROGRAMME), [*HEADLINES, bad])
    assert any(reason in p for p in found), found


def test_a_clause_without_headline_is_a_problem():
    found = problems(load_programme(DEFAULT_PROGRAMME), [h for h in HEADLINES if h.clause != "P6"])
    assert found == ["P6: no headline declared"]


# --- aggregation ------------------------------------------------------------------------------------------

def test_prior_committed_delivered_over_two_contracts(contracted):
    res = results.results(contracted[0].application.programme_code)
    t = res.totals
    # prior: 甲 A1 (85) + 乙 A1 (85); 甲's rejected A2 is left out; 甲 A3 K2 1500
    assert (t["K3.1:events"].prior, t["K3.1:participants"].prior) == (2, 170)
    assert t["K2:investment"].prior == 1500
    # committed: 甲 B1 120 + B2 80, 乙 B1 120 (the extra work is no commitment)
    assert (t["K3.1:events"].committed, t["K3.1:participants"].committed) == (3, 320)
    # delivered: 甲 B1 (150 delivered) + X1 extra (90), 乙 B1 (targets 120); B2 unverified is left out
    assert (t["K3.1:events"].delivered, t["K3.1:participants"].delivered) == (3, 360)
    # partly delivered counts with its delivered figure; not delivered not at all
    assert (t["K2:investment"].committed, t["K2:investment"].delivered) == (2000, 1200)
    assert (t["P5:reports"].committed, t["P5:reports"].delivered) == (1, 0)
    assert t["K3.1:events"].rate == 1
    jia, yi = sorted(res.organizations, key=lambda o: o.amount, reverse=True)
    assert (jia.organization, jia.amount, jia.commitments, jia.delivered) == ("甲协会", 15, 4, 3)
    assert (yi.organization, yi.commitments, yi.delivered) == (EVIL, 1, 1)
    assert jia.figures["K3.1:participants"] == results.Figures(85, 200, 240)
    # cards add up their clauses
    cards = {theme: f for theme, _label, _unit, f in res.themes()}
    assert cards["participants"].delivered == 360 and cards["investment"].delivered == 1200


def test_family_filter_keeps_one_family(contracted):
    code = contracted[0].application.programme_code
    assert {h.family for h in results.results(code, "P").headlines} == {"P"}
    assert "K3.1:events" in results.results(code, "K").totals and "P5:reports" not in results.results(code, "K").totals


def test_other_programmes_are_left_out(contracted):
    a, b = contracted
    code = a.application.programme_code
    Application.objects.filter(pk=b.application_id).update(programme_code="zgc-social-org-2024")
    res = results.results(code)
    assert [o.organization for o in res.organizations] == ["甲协会"]
    assert res.totals["K3.1:participants"].delivered == 240
    assert results.money(code).committed == 15
    assert dict((p.name, n) for p, n in results.by_phase(code))[workflow.CONTRACTED] == 1


def test_applications_by_phase_and_money(contracted):
    code = contracted[0].application.programme_code
    phases = results.by_phase(code)
    assert [p.name for p, _n in phases] == list(workflow.PHASES)
    assert dict((p.name, n) for p, n in phases)[workflow.CONTRACTED] == 2
    assert results.money(code) == results.Money(committed=25, paid=0, refund_due=0, refunded=0)
    from zgcfund.implementation.models import Disbursement, DisbursementStatus

    first = contracted[0]
    Disbursement.objects.create(contract=first, amount=Decimal("3"), proposed_by=first.recorded_by,
                                status=DisbursementStatus.APPROVED)  # approved, not yet paid: not counted
    Disbursement.objects.create(contract=first, paid_on=first.signed_on, amount=Decimal("6"), status=DisbursementStatus.PAID,
                                proposed_by=first.recorded_by, recorded_by=first.recorded_by, recorded_at=first.recorded_at)
    assert results.money(code).paid == 6


# --- exports and pages ------------------------------------------------------------------------------------

def test_charts_name_the_clauses(contracted):
    board = interface.dashboard(contracted[0].application.programme_code)
    clauses = next(t for t in board.tables if t.key == "clauses")
    svg = "".join(str(s) for s in clauses.charts)
    for chart in clauses.charts:
        ET.fromstring(str(chart))  # well-formed
    assert "K3.1 园区服务活动" in svg and "K3.1 参加人数" in svg and "K2 固定资产投资额" in svg
    assert "P5 研究课题" in svg and "验收核实交付" in svg
    assert "K1.1" not in svg  # no figures: in the table only
    table = next(t for t in board.tables if t.key == "clauses")
    assert [r[0] for r in table.rows] == [h.clause for h in HEADLINES]


def test_excel_has_the_tables_figures_and_no_formula(contracted, office_client):
    resp = office_client.get(reverse("office:results_export"))
    assert resp.status_code == 200 and "no-store" in resp["Cache-Control"]
    wb = load_workbook(io.BytesIO(resp.content))
    assert wb.sheetnames == ["申报书阶段分布", "资金（万元）", "各条款成果", "各申报单位", "各申报单位分条款成果"]
    phases = {r[0]: r[1] for r in wb["申报书阶段分布"].iter_rows(min_row=2, values_only=True)}
    assert phases["已签约"] == 2
    money = {r[0]: r[1] for r in wb["资金（万元）"].iter_rows(min_row=2, values_only=True) if r[0]}
    assert money["合同金额（已承诺）"] == 25 and money["已拨付"] == 0
    clauses = {(r[0], r[2]): r[4:] for r in wb["各条款成果"].iter_rows(min_row=2, values_only=True)}
    assert clauses[("K3.1", "园区服务活动参加人数")][:3] == (170, 320, 360)
    orgs = wb["各申报单位"]
    names = [orgs.cell(row=r, column=1) for r in range(2, orgs.max_row + 1)]
    evil = next(c for c in names if c.value == EVIL)
    assert evil.data_type == "s"  # text, not a formula
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            assert all(c.data_type != "f" for c in row)
    assert AuditEvent.objects.filter(action="export.results").count() == 1


def test_downloads_are_chinese_in_the_english_interface(contracted, office_client):
    resp = office_client.get(reverse("office:results_export"), {"language": "en"})
    wb = load_workbook(io.BytesIO(resp.content))
    assert wb.sheetnames[0] == "申报书阶段分布"
    assert wb["申报书阶段分布"]["A2"].value == "草稿"  # the phase's staff name, not its English one
    assert "项目成效" in resp["Content-Disposition"] or "%E9%A1%B9%E7%9B%AE" in resp["Content-Disposition"]


def test_pdf(contracted, office_client):
    resp = office_client.get(reverse("office:results_pdf"), {"family": "K"})
    assert resp.status_code == 200 and resp.content.startswith(b"%PDF")
    assert "no-store" in resp["Cache-Control"]
    html = interface.render_html(interface.dashboard(contracted[0].application.programme_code), "2025")
    assert "<svg" in html and "K3.1 园区服务活动" in html and "<script" not in html


def test_dashboard_page(contracted, office_client):
    resp = office_client.get(reverse("office:results"))
    assert resp.status_code == 200 and "no-store" in resp["Cache-Control"]
    page = resp.content.decode()
    assert page.count("<svg") >= 5 and 'data-testid="table-clauses"' in page
    assert "甲协会" in page and "HYPERLINK(&quot;" in page  # escaped, shown as text
    p_only = office_client.get(reverse("office:results"), {"family": "P"}).content.decode()
    assert "P5 研究课题" in p_only and "产业行业研究课题" in p_only and "K3.1" not in p_only
    assert reverse("office:results") in office_client.get(reverse("office:dashboard")).content.decode()
    assert reverse("office:results") in office_client.get(reverse("office:contracts")).content.decode()


def test_office_only(contracted, client, make_user, pipeline):
    for name in ("office:results", "office:results_export", "office:results_pdf"):
        assert client.get(reverse(name)).status_code == 302  # to the login page
    member = make_user("results-member@example.org", organization=contracted[0].application.organization)
    for user in (member, pipeline.experts[0]):
        client.force_login(user)
        for name in ("office:results", "office:results_export", "office:results_pdf"):
            assert client.get(reverse(name)).status_code == 403
