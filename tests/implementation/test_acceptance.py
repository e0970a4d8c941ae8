"""Acceptance (验收): the office's verification of each commitment, the acceptance copy read by the engine's
``final`` basis, X-P-GROW, the conclusion (通过 / 整改后通过 / 不通过) moving the phase, the stored results
frozen, the acceptance report PDF and who may see what."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.urls import reverse
from pypdf import PdfReader
from tests.implementation import acceptance_fixtures
from tests.implementation.acceptance_fixtures import ACCEPTED_ON, SIGNED
from tests.review.decision_helpers import approve_pending, second_office_user

from zgcfund.applications.domain import workflow
from zgcfund.applications.models import Application
from zgcfund.audit.models import AuditEvent
from zgcfund.core.application import validate
from zgcfund.core.programme import load_programme
from zgcfund.implementation.domain import acceptance as domain
from zgcfund.implementation.domain.acceptance import AcceptanceInvalid, AcceptanceRefused
from zgcfund.implementation.models import Acceptance, AcceptanceStatus, Commitment, CommitmentOrigin
from zgcfund.review.domain import decisions

pytestmark = pytest.mark.django_db
reporting = acceptance_fixtures.reporting


def commitment(contract, key):
    return contract.commitments.get(record_key=key)


def assess_all(contract, by, **overrides):
    """R2 (K3.1) delivered and verified, R3 (P5) not delivered, V2 (P7) delivered and verified."""
    plan = {"R2": dict(status="delivered", verified=True), "R3": dict(status="not_delivered", reason="课题未立项"),
            "V2": dict(status="delivered", verified=True), **overrides}
    for key, kwargs in plan.items():
        domain.assess_commitment(commitment(contract, key), by, **kwargs)


def clause(result, cid):
    return result.evaluation["clauses"][cid]


def propose(contract, by, **kwargs):
    """The office's proposal of the conclusion (集体研究: proposed until approved)."""
    args = dict(accepted_on=ACCEPTED_ON, conclusion="passed", comments="按合同完成实施任务。") | kwargs
    return domain.conclude(contract, by, **args)


def conclude(contract, by, **kwargs):
    """Propose the conclusion and give the collective decision's missing approvals: it is concluded."""
    acceptance = propose(contract, by, **kwargs)
    approve_pending("acceptance", acceptance)
    acceptance.refresh_from_db()
    return acceptance


# --- the acceptance copy and the final basis ---------------------------------------------------------------

def test_acceptance_copy_of_a_demo_like_application_validates(reporting, office_user):
    assess_all(reporting, office_user, R2=dict(status="partly_delivered", reason="一场延期", verified=True,
                                                 delivered={"participants": 90}, delivered_on=dt.date(2026, 3, 12)))
    Commitment.objects.create(contract=reporting, record_key="X1", origin=CommitmentOrigin.EXTRA, clause="P7",
                              title="新增企业服务沙龙", date=dt.date(2026, 2, 1),
                              targets={"type": "service_event", "participants": 30},
                              status="delivered", verified=True)
    doc = domain.acceptance_copy(reporting, ACCEPTED_ON)
    json.dumps(doc)  # JSON as stored
    app = validate(doc, load_programme())
    assert doc["accepted_on"] == "2026-07-01" and doc["contract_signed_on"] == SIGNED.isoformat()
    records = {r["id"]: r for r in doc["records"]}
    assert records["R2"]["participants"] == 90  # the delivered figure replaces the target
    assert records["R2"]["delivery"] == {"status": "partly_delivered", "reason": "一场延期", "verified": True,
                                         "delivered_on": "2026-03-12"}
    assert records["R3"]["delivery"] == {"status": "not_delivered", "reason": "课题未立项", "verified": False}
    assert records["X1"]["phase"] == "plan" and records["X1"]["delivery"]["status"] == "delivered"
    assert "delivery" not in records["R1"] and len(app.records) == 6


def test_delivered_and_verified_counts_on_final(reporting, office_user):
    assess_all(reporting, office_user)
    result = domain.evaluate_final(reporting, ACCEPTED_ON)
    assert result.valid and result.evaluation["basis"] == "final"
    assert set(clause(result, "K3.1")["counted"]) == {"R1", "R2"} and clause(result, "K3.1")["status"] == "met"
    assert [r["rule"] for r in clause(result, "P5")["rejected"]] == ["DELIVERY"]
    assert "课题未立项" in clause(result, "P5")["rejected"][0]["message"]


def test_not_verified_is_a_delivery_rejection(reporting, office_user):
    assess_all(reporting, office_user, R2=dict(status="delivered", verified=False))
    result = domain.evaluate_final(reporting, ACCEPTED_ON)
    rejected = {r["record"]: r for r in clause(result, "K3.1")["rejected"]}
    assert rejected["R2"]["rule"] == "DELIVERY" and "未经验收核实" in rejected["R2"]["message"]
    assert clause(result, "K3.1")["status"] == "not_met"


def test_partly_delivered_counts_with_the_delivered_figures(reporting, office_user):
    assess_all(reporting, office_user, R2=dict(status="partly_delivered", reason="参会企业少于计划", verified=True,
                                                 delivered={"participants": 70}))
    result = domain.evaluate_final(reporting, ACCEPTED_ON)
    assert "R2" in clause(result, "K3.1")["counted"]
    assert any(w["rule"] == "DELIVERY" and "R2" in w["message"] for w in result.evaluation["warnings"])
    # below the clause's 60 participants per event the clause's own rule rejects it
    domain.assess_commitment(commitment(reporting, "R2"), office_user, status="partly_delivered", reason="参会不足",
                             verified=True, delivered={"participants": 45})
    result = domain.evaluate_final(reporting, ACCEPTED_ON)
    assert {r["record"]: r["rule"] for r in clause(result, "K3.1")["rejected"]} == {"R2": "K3.1"}


@pytest.mark.parametrize("status", ["partly_delivered", "not_delivered"])
def test_reason_required_unless_delivered(reporting, office_user, status):
    with pytest.raises(AcceptanceInvalid) as exc:
        domain.assess_commitment(commitment(reporting, "R2"), office_user, status=status, reason="  ",
                                 delivered={"participants": 70})
    assert "请填写原因" in exc.value.errors["reason"]
    assert commitment(reporting, "R2").assessed_at is None
    domain.assess_commitment(commitment(reporting, "R2"), office_user, status="delivered")  # no reason needed


def test_assessment_checks_figures_and_dates(reporting, office_user):
    c = commitment(reporting, "R2")
    with pytest.raises(AcceptanceInvalid) as exc:
        domain.assess_commitment(c, office_user, status="partly_delivered", reason="少", delivered={"participants": "-3"},
                                 delivered_on=dt.date(2026, 8, 1))
    assert "参加人数" in exc.value.errors["fig_participants"] and "不得晚于今天" in exc.value.errors["delivered_on"]
    with pytest.raises(AcceptanceInvalid) as exc:
        domain.assess_commitment(c, office_user, status="not_delivered", reason="取消", delivered_on=dt.date(2026, 3, 1))
    assert "未完成的承诺不填写完成日期" in exc.value.errors["delivered_on"]


def test_only_the_office_assesses(reporting):
    member = reporting.application.organization.memberships.first().user
    with pytest.raises(AcceptanceRefused, match="只有项目办公室"):
        domain.assess_commitment(commitment(reporting, "R2"), member, status="delivered")


def test_the_assessment_is_audited(reporting, office_user):
    domain.assess_commitment(commitment(reporting, "R2"), office_user, status="delivered", verified=True)
    event = AuditEvent.objects.get(action="acceptance.assess_commitment")
    assert event.changes["status"] == ["pending", "delivered"] and event.visibility == "office"


# --- the conclusion ----------------------------------------------------------------------------------------------

def test_conclusion_passed_moves_the_phase_and_notifies(reporting, office_user, django_capture_on_commit_callbacks,
                                                        mailoutbox):
    assess_all(reporting, office_user)
    with django_capture_on_commit_callbacks(execute=True):
        acceptance = conclude(reporting, office_user, conclusion="passed_after_rectification",
                              comments="基本完成；研究课题未立项。", rectification="三个月内补交研究报告。")
    app = Application.objects.get(pk=reporting.application_id)
    assert app.status == workflow.ACCEPTED
    assert acceptance.concluded and acceptance.get_conclusion_display() == "整改后通过"
    assert acceptance.evaluation["basis"] == "final" and acceptance.document["accepted_on"] == "2026-07-01"
    assert acceptance.programme_sha256 == reporting.programme_year.sha256
    event = AuditEvent.objects.get(application=app, action="acceptance.passed")
    assert event.changes["conclusion"] == "passed_after_rectification"
    mail = next(m for m in mailoutbox if "验收" in m.subject)
    assert "整改后通过" in mail.body and "三个月内补交研究报告" in mail.body and "基本完成" in mail.body


def test_conclusion_failed(reporting, office_user, django_capture_on_commit_callbacks, mailoutbox):
    assess_all(reporting, office_user, R2=dict(status="not_delivered", reason="未举办"),
               V2=dict(status="not_delivered", reason="未举办"))
    with django_capture_on_commit_callbacks(execute=True):
        conclude(reporting, office_user, conclusion="failed", comments="主要承诺均未完成。")
    app = Application.objects.get(pk=reporting.application_id)
    assert app.status == workflow.FAILED
    assert AuditEvent.objects.get(application=app, action="acceptance.failed").changes["reason"] == "主要承诺均未完成。"
    assert any("主要承诺均未完成" in m.body for m in mailoutbox)


@pytest.mark.parametrize("day, ok", [(SIGNED - dt.timedelta(days=1), False), (SIGNED, True),
                                     (dt.date(2026, 7, 10), True), (dt.date(2026, 7, 11), False)])
def test_accepted_on_between_signing_and_today(reporting, office_user, day, ok):
    assess_all(reporting, office_user)
    if ok:
        assert conclude(reporting, office_user, accepted_on=day).accepted_on == day
    else:
        with pytest.raises(AcceptanceInvalid) as exc:
            conclude(reporting, office_user, accepted_on=day)
        assert "须在合同签署日 2025-10-10 至今天 2026-07-10 之间" in exc.value.errors["accepted_on"]


def test_conclusion_needs_every_commitment_assessed_and_the_comments(reporting, office_user):
    domain.assess_commitment(commitment(reporting, "R2"), office_user, status="delivered", verified=True)
    with pytest.raises(AcceptanceInvalid) as exc:
        conclude(reporting, office_user, conclusion="passed_after_rectification", comments="", rectification="")
    assert set(exc.value.errors) == {"commitments", "comments", "rectification"}
    assert "还有 2 项承诺未核实" in exc.value.errors["commitments"]
    assert Application.objects.get(pk=reporting.application_id).status == workflow.REPORTING


def test_conclusion_refused_while_implementing(pipeline, awaiting, office_user, settings):
    first = awaiting[0]
    from tests.implementation.test_contracts import sign

    contract = sign(first, office_user)
    workflow.transition(first, "start_implementation", office_user)
    settings.ZGCFUND_CLOCK_DATE = "2026-07-10"
    with pytest.raises(AcceptanceRefused, match="进入验收"):
        domain.conclude(contract, office_user, accepted_on=ACCEPTED_ON, conclusion="passed", comments="好")


def test_concluded_acceptance_is_frozen(reporting, office_user):
    assess_all(reporting, office_user)
    acceptance = conclude(reporting, office_user)
    stored = json.dumps([acceptance.evaluation, acceptance.pgrow, acceptance.document], sort_keys=True)
    with pytest.raises(AcceptanceRefused, match="验收结论已作出"):
        domain.assess_commitment(commitment(reporting, "R2"), office_user, status="not_delivered", reason="改")
    with pytest.raises(AcceptanceRefused, match="不能重复登记"):
        conclude(reporting, office_user, conclusion="failed")
    assert commitment(reporting, "R2").status == "delivered"
    acceptance = Acceptance.objects.get(pk=acceptance.pk)
    assert json.dumps([acceptance.evaluation, acceptance.pgrow, acceptance.document], sort_keys=True) == stored


def test_x_p_grow_verdict_is_stored(reporting, office_user):
    assess_all(reporting, office_user)
    acceptance = conclude(reporting, office_user)
    assert acceptance.pgrow["rule"] == "X-P-GROW" and acceptance.pgrow["verdict"] == "grew"
    p7 = next(a for a in acceptance.pgrow["areas"] if a["area"] == "P7")
    assert p7["grew"] and p7["more_kinds"]  # a brand event added to the service events


def test_x_p_grow_did_not_grow_without_delivered_p_work(reporting, office_user):
    assess_all(reporting, office_user, V2=dict(status="not_delivered", reason="取消"))
    acceptance = conclude(reporting, office_user)
    assert acceptance.pgrow["verdict"] == "did_not_grow"


# --- pages, the PDF and who may see them --------------------------------------------------------------------------

def test_office_page_shows_commitments_final_panel_and_pgrow(reporting, office_user, client):
    assess_all(reporting, office_user)
    client.force_login(office_user)
    resp = client.get(reverse("office:acceptance", args=[reporting.application_id]))
    assert resp.status_code == 200
    html = resp.content.decode()
    for testid in ("acceptance-commitments", "final-panel", "pgrow", "conclusion-form", "commitment-R2"):
        assert f'data-testid="{testid}"' in html
    assert "<svg" in html and "课题未立项" in html


def test_assessment_form_422_keeps_the_input(reporting, office_user, client):
    client.force_login(office_user)
    c = commitment(reporting, "R2")
    url = reverse("office:acceptance_assess", args=[reporting.application_id, c.pk])
    resp = client.post(url, {"status": "partly_delivered", "reason": "", "fig_participants": "77"})
    assert resp.status_code == 422
    html = resp.content.decode()
    assert 'value="77"' in html and "请填写原因" in html
    assert f'href="#id_{c.pk}_reason"' in html  # the error summary links to the row's field
    resp = client.post(url, {"status": "partly_delivered", "reason": "少一场", "fig_participants": "77",
                             "verified": "on"})
    assert resp.status_code == 302
    c.refresh_from_db()
    assert c.office_delivered == {"participants": 77} and c.verified


def test_conclusion_form_422_and_success(reporting, office_user, client):
    assess_all(reporting, office_user)
    client.force_login(office_user)
    url = reverse("office:acceptance_conclude", args=[reporting.application_id])
    resp = client.post(url, {"conclusion": "passed", "accepted_on": "2027-01-01", "comments": "完成良好"})
    assert resp.status_code == 422 and "完成良好" in resp.content.decode()
    resp = client.post(url, {"conclusion": "passed", "accepted_on": "2026-07-01", "comments": "完成良好",
                             "note": "经验收小组核实"})
    assert resp.status_code == 302
    assert Application.objects.get(pk=reporting.application_id).status == workflow.REPORTING  # proposed
    html = client.get(resp["Location"]).content.decode()
    assert "验收结论已提请集体研究：2 名项目办公室人员同意后生效" in html and "集体研究：已同意 1/2" in html
    decision = decisions.pending_for("acceptance", Acceptance.objects.get(contract=reporting))
    assert decision.note == "经验收小组核实" and f'href="{reverse("office:decision", args=[decision.pk])}"' in html
    approve_pending("acceptance", Acceptance.objects.get(contract=reporting))
    assert Application.objects.get(pk=reporting.application_id).status == workflow.ACCEPTED


# --- the collective decision (集体研究) on the conclusion ---------------------------------------------------------

def test_a_proposed_conclusion_moves_nothing_and_the_applicant_sees_nothing(
        reporting, office_user, client, django_capture_on_commit_callbacks, mailoutbox):
    assess_all(reporting, office_user)
    member = reporting.application.organization.memberships.first().user
    with django_capture_on_commit_callbacks(execute=True):
        acceptance = propose(reporting, office_user, conclusion="failed", comments="主要承诺未完成。")
    assert acceptance.status == AcceptanceStatus.PROPOSED and not acceptance.concluded
    assert acceptance.evaluation["basis"] == "final" and acceptance.pgrow["rule"] == "X-P-GROW"
    assert Application.objects.get(pk=reporting.application_id).status == workflow.REPORTING
    decision = decisions.pending_for("acceptance", acceptance)
    assert decision.required == 2 and decision.approved_count == 1
    assert dict(decision.payload["summary"])["验收结论"] == "不通过"
    assert not any(member.email in m.to for m in mailoutbox)
    assert not AuditEvent.objects.filter(action__in=("acceptance.passed", "acceptance.failed")).exists()
    # the commitments are frozen, no second proposal
    with pytest.raises(AcceptanceRefused, match="已提请集体研究"):
        domain.assess_commitment(commitment(reporting, "R2"), office_user, status="not_delivered", reason="改")
    with pytest.raises(AcceptanceRefused, match="已提请集体研究，尚待研究结果"):
        propose(reporting, office_user)
    # the organization sees nothing: no conclusion on its status page, no report
    client.force_login(member)
    status = client.get(reverse("applications:status", args=[reporting.application_id])).content.decode()
    assert 'data-testid="acceptance-conclusion"' not in status and "主要承诺未完成" not in status
    assert client.get(reverse("implementation:acceptance_pdf", args=[reporting.application_id])).status_code == 404
    # the office page: the decision's status, the stored proposal, no forms
    client.force_login(office_user)
    html = client.get(reverse("office:acceptance", args=[reporting.application_id])).content.decode()
    assert 'data-testid="decision-status"' in html and "集体研究：已同意 1/2" in html
    assert 'data-testid="conclusion-proposed"' in html and 'data-testid="conclusion-form"' not in html
    assert 'data-testid="assess-R2"' not in html and 'data-testid="as-of-form"' not in html
    # the decision page: what is proposed, a link to the acceptance page
    page = client.get(reverse("office:decision", args=[decision.pk])).content.decode()
    assert "甲协会 验收结论：不通过" in page and "主要承诺未完成。" in page
    assert reverse("office:acceptance", args=[reporting.application_id]) in page


def test_the_approval_concludes_and_notifies(reporting, office_user, django_capture_on_commit_callbacks,
                                             mailoutbox):
    assess_all(reporting, office_user)
    acceptance = propose(reporting, office_user)
    approver = second_office_user()
    with django_capture_on_commit_callbacks(execute=True):
        decision = decisions.approve(decisions.pending_for("acceptance", acceptance), approver)
    acceptance.refresh_from_db()
    assert decision.status == "approved" and acceptance.concluded
    assert acceptance.concluded_by == office_user  # in the proposer's name
    app = Application.objects.get(pk=reporting.application_id)
    assert app.status == workflow.ACCEPTED
    assert AuditEvent.objects.get(application=app, action="acceptance.passed").changes["decision"] == decision.pk
    member = reporting.application.organization.memberships.first().user
    assert any(member.email in m.to and "验收" in m.subject for m in mailoutbox)


@pytest.mark.parametrize("how", ["send_back", "withdraw"])
def test_a_conclusion_sent_back_or_withdrawn_is_a_draft_again(reporting, office_user, client, how):
    assess_all(reporting, office_user)
    acceptance = propose(reporting, office_user, conclusion="passed_after_rectification", comments="基本完成。",
                         rectification="补交研究报告。")
    decision = decisions.pending_for("acceptance", acceptance)
    if how == "send_back":
        decisions.request_changes(decision, second_office_user(), "P5 的核实需要补充材料")
    else:
        decisions.withdraw(decision, office_user)
    acceptance.refresh_from_db()
    assert acceptance.status == AcceptanceStatus.DRAFT and acceptance.evaluation is None
    assert Application.objects.get(pk=reporting.application_id).status == workflow.REPORTING
    # editable again; the form offers the conclusion as proposed
    domain.assess_commitment(commitment(reporting, "R3"), office_user, status="not_delivered", reason="课题未立项，已说明")
    client.force_login(office_user)
    html = client.get(reverse("office:acceptance", args=[reporting.application_id])).content.decode()
    assert 'data-testid="conclusion-form"' in html and "补交研究报告。" in html and "基本完成。" in html
    assert 'value="passed_after_rectification" checked' in html
    again = propose(reporting, office_user, conclusion="passed", comments="补充核实后通过。")
    assert again.status == AcceptanceStatus.PROPOSED
    assert decisions.pending_for("acceptance", again).pk != decision.pk


def pdf_bytes(resp) -> bytes:
    return b"".join(resp.streaming_content) if resp.streaming else resp.content


def test_acceptance_report_pdf(reporting, office_user, client):
    assess_all(reporting, office_user)
    conclude(reporting, office_user)
    client.force_login(office_user)
    resp = client.get(reverse("implementation:acceptance_pdf", args=[reporting.application_id]))
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    assert "no-store" in resp["Cache-Control"]
    body = pdf_bytes(resp)
    assert body.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    assert "甲协会" in text and "验收结论 通过" in text and "按合同完成实施任务。" in text
    assert "草稿" not in text and "课题未立项" in text  # the commitments table with the reasons
    assert AuditEvent.objects.filter(action="download.acceptance_pdf").count() == 1


def test_applicant_sees_the_conclusion_only_once_concluded(reporting, office_user, client):
    member = reporting.application.organization.memberships.first().user
    client.force_login(member)
    pdf = reverse("implementation:acceptance_pdf", args=[reporting.application_id])
    status = reverse("applications:status", args=[reporting.application_id])
    assert client.get(pdf).status_code == 404
    assert 'data-testid="acceptance-conclusion"' not in client.get(status).content.decode()
    assess_all(reporting, office_user)
    conclude(reporting, office_user, comments="完成良好，予以通过。")
    html = client.get(status).content.decode()
    assert 'data-testid="acceptance-conclusion"' in html and "完成良好，予以通过。" in html and pdf in html
    assert client.get(pdf).status_code == 200
    assert client.get(reverse("office:acceptance", args=[reporting.application_id])).status_code == 403


def test_other_organization_and_experts_do_not_see_it(reporting, office_user, client, make_org, make_user):
    from zgcfund.accounts.models.user import Role

    assess_all(reporting, office_user)
    conclude(reporting, office_user)
    pdf = reverse("implementation:acceptance_pdf", args=[reporting.application_id])
    other = make_user("other-acc@example.org", organization=make_org("丁协会"))
    expert = make_user("expert-acc@zgc.example", role=Role.EXPERT)
    for user in (other, expert):
        client.force_login(user)
        assert client.get(pdf).status_code == 404
        assert client.get(reverse("office:acceptance", args=[reporting.application_id])).status_code == 403


def test_assessment_by_htmx_answers_the_live_part(reporting, office_user, client):
    client.force_login(office_user)
    url = reverse("office:acceptance_assess", args=[reporting.application_id, commitment(reporting, "R2").pk])
    resp = client.post(url, {"status": "not_delivered", "reason": ""}, HTTP_HX_REQUEST="true")
    assert resp.status_code == 200  # htmx swaps 2xx only: the row shows the error
    html = resp.content.decode()
    assert html.startswith('<div id="acceptance-live">') and "请填写原因" in html and "<html" not in html
    resp = client.post(url, {"status": "delivered", "verified": "on", "as_of": "2026-07-01"}, HTTP_HX_REQUEST="true")
    html = resp.content.decode()
    assert resp.status_code == 200 and 'data-testid="assess-saved"' in html
    assert 'data-testid="final-score-K3.1">8<' in html  # R1 and R2 count now: K3.1 met


def test_refused_once_concluded_on_the_page(reporting, office_user, client):
    assess_all(reporting, office_user)
    conclude(reporting, office_user)
    client.force_login(office_user)
    html = client.get(reverse("office:acceptance", args=[reporting.application_id])).content.decode()
    assert 'data-testid="conclusion-form"' not in html and 'data-testid="assess-R2"' not in html
    url = reverse("office:acceptance_assess", args=[reporting.application_id, commitment(reporting, "R2").pk])
    resp = client.post(url, {"status": "not_delivered", "reason": "改"})
    assert resp.status_code == 422 and "验收结论已作出" in resp.content.decode()


def test_office_draft_report_before_the_conclusion(reporting, office_user, client):
    domain.assess_commitment(commitment(reporting, "R2"), office_user, status="delivered", verified=True)
    client.force_login(office_user)
    resp = client.get(reverse("implementation:acceptance_pdf", args=[reporting.application_id]) + "?as_of=2026-07-01")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf_bytes(resp))).pages)
    assert resp.status_code == 200 and "草稿" in text and "2026-07-01" in text
    assert "待核实" in text  # R3 and V2 not yet verified


def test_extra_work_keeps_the_fields_the_organization_reported(reporting, office_user):
    """Extra work reported with a required text field (K3.1's park) is a whole record in the copy."""
    Commitment.objects.create(contract=reporting, record_key="X-1", origin=CommitmentOrigin.EXTRA, clause="K3.1",
                              title="新增园区活动", date=dt.date(2026, 2, 1), targets={},
                              delivered={"park": "丰台园", "participants": 80}, status="delivered", verified=True)
    assess_all(reporting, office_user)
    result = domain.evaluate_final(reporting, ACCEPTED_ON)
    assert result.valid, result.problems
    record = next(r for r in result.document["records"] if r["id"] == "X-1")
    assert record["park"] == "丰台园" and record["participants"] == 80
    assert "X-1" in clause(result, "K3.1")["counted"]


def test_delivered_counts_with_the_figures_the_office_verified(reporting, office_user):
    assess_all(reporting, office_user, R2=dict(status="delivered", verified=True, delivered={"participants": 150}))
    doc = domain.acceptance_copy(reporting, ACCEPTED_ON)
    assert next(r for r in doc["records"] if r["id"] == "R2")["participants"] == 150


def test_k13_records_take_the_uploaded_revenue_tables(reporting, office_user):
    """W-K13: at acceptance the K1.3 records' revenue fields come from the organization's 营收情况表."""
    from decimal import Decimal

    from zgcfund.implementation.models import RevenueTable

    code = "91110108MA01ABCD2X"
    Commitment.objects.create(contract=reporting, record_key="X-2", origin=CommitmentOrigin.EXTRA, clause="K1.3",
                              title="绩效企业", date=dt.date(2026, 1, 5), targets={},
                              delivered={"enterprise": {"name": "北京甲科技有限公司", "credit_code": code}})
    RevenueTable.objects.create(contract=reporting, enterprise_name="北京甲科技有限公司", credit_code=code,
                                revenue_2024_jan_nov=Decimal("1000"), revenue_2025_jan_nov=Decimal("1200.5"),
                                revenue_2025_jan_feb=Decimal("200"), revenue_2026_jan_feb=None, uploaded_by=office_user,
                                file_name="营收情况表.xlsx", sha256="0" * 64)
    record = next(r for r in domain.acceptance_copy(reporting, ACCEPTED_ON)["records"] if r["id"] == "X-2")
    assert record["revenue_2024_jan_nov"] == 1000 and record["revenue_2025_jan_nov"] == 1200.5
    assert record["revenue_2025_jan_feb"] == 200 and "revenue_2026_jan_feb" not in record
