"""Funds (implementation.domain.funds): the office proposes each disbursement (拨付) to its collective decision
(集体研究); approved, finance records the payment, and only then it counts as paid; a decision sent back or
withdrawn cancels it. After a failed acceptance finance records refunds (退回) and their return; each refusal
names the field; the programme's committed / paid / approved unpaid / refund due / refunded / outstanding
totals; audit entries; who may do what (the office proposes, finance pays and records refunds, each reads the
money pages; an organization sees only its own paid disbursements on its status page)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from tests.implementation.test_contracts import plan, sign
from tests.review.decision_helpers import approve_pending, second_office_user

from zgcfund.accounts.models.user import Role
from zgcfund.accounts.views.access import allowed
from zgcfund.applications.domain import workflow
from zgcfund.audit.models import AuditEvent, Visibility
from zgcfund.implementation.domain import funds
from zgcfund.implementation.domain.funds import FundsInvalid, FundsRefused
from zgcfund.implementation.models import Disbursement, DisbursementStatus, Refund
from zgcfund.review.domain import decisions

pytestmark = pytest.mark.django_db

TODAY = "2026-01-15"
D = Decimal


@pytest.fixture
def finance_user(make_user):
    return make_user("finance@zgc.example", role=Role.FINANCE, full_name="钱财务")


@pytest.fixture
def contracted(awaiting, office_user, settings):
    """甲 (15 万元: 9 + 6) and 乙 (10 万元: one tranche) signed on 2025-10-10; the clock at 2026-01-15."""
    first, second, _selection = awaiting
    a = sign(first, office_user)
    b = sign(second, office_user, amount="10", tranches=plan("10"))
    settings.ZGCFUND_CLOCK_DATE = TODAY
    return a, b


def fail(contract, office_user):
    app = contract.application
    for name in ("start_implementation", "request_report"):
        workflow.transition(app, name, office_user)
    workflow.transition(app, "fail", office_user, reason="承诺事项大部分未完成")
    contract.application.refresh_from_db()


def propose(contract, amount, **kwargs):
    """The office (who recorded the contract) proposes a disbursement: it waits for the collective decision."""
    return funds.propose_disbursement(contract, contract.recorded_by, amount=D(amount), **kwargs)


def approved(contract, amount, **kwargs):
    """Proposed and approved by the collective decision: finance may pay it."""
    d = propose(contract, amount, **kwargs)
    approve_pending("disbursement", d)
    d.refresh_from_db()
    return d


def pay(contract, by, amount, day="2025-11-01", *, tranche=None, reference="", note=""):
    """The whole practice: proposed, approved, paid by finance (``by``) on ``day``."""
    d = approved(contract, amount, tranche=tranche)
    return funds.record_payment(d, by, paid_on=dt.date.fromisoformat(day), reference=reference, note=note)


def test_totals_over_several_contracts_and_refunds(contracted, finance_user, office_user):
    a, b = contracted
    first_tranche = a.tranches.get(sequence=1)
    pay(a, finance_user, "9", tranche=first_tranche, reference="PZ-001")
    pay(a, finance_user, "3.5", day="2025-12-20")
    pay(b, finance_user, "10")
    fail(b, office_user)
    refund = funds.record_refund(b, finance_user, amount_due=D("6"), decided_on=dt.date(2026, 1, 5), reason="验收未通过")
    funds.record_refund(b, finance_user, amount_due=D("2"), decided_on=dt.date(2026, 1, 6), reason="补充退回")
    funds.mark_refund_returned(refund, finance_user, returned_on=dt.date(2026, 1, 10), returned_amount=D("5.5"))
    totals = funds.totals(a.application.programme_code)
    assert totals == funds.FundsTotals(committed=D("25"), paid=D("22.5"), refund_due=D("8"), refunded=D("5.5"),
                                       outstanding=D("2.5"))
    assert totals.refund_open == D("2.5")
    assert funds.contract_totals(a) == funds.FundsTotals(D("15"), D("12.5"), D("0"), D("0"), D("2.5"))
    assert funds.contract_totals(b) == funds.FundsTotals(D("10"), D("10"), D("8"), D("5.5"), D("0"))
    rows = {r.contract.pk: r.totals for r in funds.contract_rows(a.application.programme_code)}
    assert rows == {a.pk: funds.contract_totals(a), b.pk: funds.contract_totals(b)}
    assert [(t["tranche"].sequence, t["paid"], t["remaining"]) for t in funds.tranche_rows(a)] == [
        (1, D("9"), D("0")), (2, D("0"), D("6"))]


def test_totals_of_a_programme_without_contracts(loaded):
    assert funds.totals(loaded.code) == funds.FundsTotals(D(0), D(0), D(0), D(0), D(0))


@pytest.mark.parametrize(("amount", "field", "message"), [
    ("0", "amount", "拨付金额：须为大于 0 的金额"),
    ("-1", "amount", "拨付金额：须为大于 0 的金额"),
    ("1.005", "amount", "拨付金额：须为大于 0 的金额（万元，至多两位小数）"),
    ("15.01", "amount", "累计 15.01 万元，超过合同金额 15 万元"),
])
def test_proposal_refusals_name_the_field(contracted, amount, field, message):
    a, _b = contracted
    with pytest.raises(FundsInvalid) as exc:
        propose(a, amount)
    assert message in exc.value.errors[field]
    assert not Disbursement.objects.exists() and not AuditEvent.objects.filter(action__startswith="funds.").exists()
    assert not decisions.pending_count()


def test_a_planned_date_before_signing_is_refused(contracted):
    a, _b = contracted
    with pytest.raises(FundsInvalid) as exc:
        propose(a, "5", planned_on=dt.date(2025, 10, 9))
    assert exc.value.errors == {"planned_on": "计划拨付日期：不得早于合同签署日 2025-10-10。"}


@pytest.mark.parametrize(("day", "message"), [
    ("2025-10-09", "拨付日期：不得早于合同签署日 2025-10-10"),
    ("2026-01-16", "拨付日期：不得晚于今天（2026-01-15）"),
])
def test_payment_refusals_name_the_field(contracted, finance_user, day, message):
    a, _b = contracted
    d = approved(a, "5")
    with pytest.raises(FundsInvalid) as exc:
        funds.record_payment(d, finance_user, paid_on=dt.date.fromisoformat(day))
    assert message in exc.value.errors["paid_on"]
    d.refresh_from_db()
    assert d.status == DisbursementStatus.APPROVED and d.paid_on is None
    assert not AuditEvent.objects.filter(action="funds.disburse").exists()


def test_proposed_approved_paid(contracted, finance_user, office_user, office_client):
    a, _b = contracted
    d = propose(a, "9", tranche=a.tranches.get(sequence=1), planned_on=dt.date(2025, 10, 20), note="首期")
    decision = decisions.pending_for("disbursement", d)
    assert d.status == DisbursementStatus.PROPOSED and decision.required == 2 and decision.note == "首期"
    assert dict(decision.payload["summary"])["本次拨付金额（万元）"] == "9"
    page = office_client.get(reverse("office:decision", args=[decision.pk])).content.decode()
    assert "甲协会 拨付 9 万元（第 1 期）" in page and "2025-10-20" in page
    assert reverse("office:funds_contract", args=[a.application_id]) in page
    # not paid yet: finance may not record it, nothing counts
    with pytest.raises(FundsRefused, match="该笔拨付待集体研究，只有经集体研究批准的拨付可以登记"):
        funds.record_payment(d, finance_user, paid_on=dt.date(2025, 11, 1))
    assert funds.contract_totals(a).paid == 0 and funds.contract_totals(a).approved_unpaid == 0
    decisions.approve(decision, second_office_user())
    d.refresh_from_db()
    assert d.status == DisbursementStatus.APPROVED
    assert funds.contract_totals(a).approved_unpaid == D("9") and funds.contract_totals(a).paid == 0
    assert list(funds.payments_due(a.application.programme_code)) == [d]
    funds.record_payment(d, finance_user, paid_on=dt.date(2025, 11, 1), reference="PZ-1", note="已到账")
    d.refresh_from_db()
    assert (d.status, d.paid_on, d.reference, d.payment_note, d.recorded_by) == (
        DisbursementStatus.PAID, dt.date(2025, 11, 1), "PZ-1", "已到账", finance_user)
    assert funds.contract_totals(a).paid == D("9") and funds.contract_totals(a).approved_unpaid == 0
    assert not funds.payments_due(a.application.programme_code).exists()
    with pytest.raises(FundsRefused, match="已于 2025-11-01 登记，不能重复登记"):
        funds.record_payment(d, finance_user, paid_on=dt.date(2025, 11, 2))


@pytest.mark.parametrize("how", ["send_back", "withdraw"])
def test_a_proposal_sent_back_or_withdrawn_is_cancelled(contracted, finance_user, how):
    a, _b = contracted
    d = propose(a, "15")
    decision = decisions.pending_for("disbursement", d)
    with pytest.raises(FundsInvalid, match="超过合同金额"):
        propose(a, "1")  # the proposal holds the whole contract amount
    if how == "send_back":
        decisions.request_changes(decision, second_office_user(), "首期按计划为 9 万元")
    else:
        decisions.withdraw(decision, a.recorded_by)
    d.refresh_from_db()
    assert d.status == DisbursementStatus.CANCELLED
    with pytest.raises(FundsRefused, match="该笔拨付已撤销"):
        funds.record_payment(d, finance_user, paid_on=dt.date(2025, 11, 1))
    assert AuditEvent.objects.filter(action="funds.cancel", object_id=str(d.pk)).exists()
    again = propose(a, "9")  # the amount is free again
    assert again.status == DisbursementStatus.PROPOSED and funds.planned_total(a) == D("9")


def test_the_total_never_exceeds_the_contract(contracted, finance_user):
    a, _b = contracted
    pay(a, finance_user, "10")
    propose(a, "4")
    with pytest.raises(FundsInvalid) as exc:
        propose(a, "1.01")
    assert exc.value.errors["amount"] == ("拨付金额：本次 1.01 万元后累计 15.01 万元，超过合同金额 15 万元"
                                          "（已拨付、已批准和待集体研究的共 14 万元）。")
    pay(a, finance_user, "1")  # exactly the contract amount
    assert funds.paid_total(a) == D("11") and funds.planned_total(a) == D("15")


def test_disbursement_refuses_a_tranche_of_another_contract(contracted):
    a, b = contracted
    with pytest.raises(FundsInvalid) as exc:
        propose(a, "1", tranche=b.tranches.get())
    assert exc.value.errors == {"tranche": "拨付期次：所选期次不属于本合同的拨付计划。"}


def test_no_payment_after_a_failed_acceptance(contracted, finance_user, office_user):
    _a, b = contracted
    d = approved(b, "1")
    fail(b, office_user)
    with pytest.raises(FundsRefused, match="验收未通过，不再拨付资金"):
        propose(b, "1")
    with pytest.raises(FundsRefused, match="验收未通过，不再拨付资金"):
        funds.record_payment(d, finance_user, paid_on=dt.date(2025, 11, 1))


def test_no_disbursement_under_a_contract_not_yet_in_force(awaiting, office_user, client):
    first, _second, _selection = awaiting
    from zgcfund.implementation.domain import contracts

    contract = contracts.record_contract(first, office_user, signed_on=dt.date(2025, 10, 10), amount=D("15"),
                                         tranches=plan("9", "6"))
    with pytest.raises(FundsRefused, match="合同尚未生效"):
        funds.propose_disbursement(contract, office_user, amount=D("1"))
    assert funds.totals(first.programme_code).committed == 0  # a proposed contract commits nothing yet
    client.force_login(office_user)
    assert client.get(reverse("office:funds_contract", args=[first.pk])).status_code == 404


def test_only_the_office_proposes_only_finance_pays(contracted, finance_user, office_user):
    a, _b = contracted
    applicant = a.application.organization.memberships.first().user
    for who in (finance_user, applicant):
        with pytest.raises(FundsRefused, match="只有项目办公室人员可以提请拨付"):
            funds.propose_disbursement(a, who, amount=D("1"))
    d = approved(a, "1")
    for who in (office_user, applicant):
        with pytest.raises(FundsRefused, match="只有财务人员可以登记拨付"):
            funds.record_payment(d, who, paid_on=dt.date(2025, 11, 1))
    assert Disbursement.objects.get().status == DisbursementStatus.APPROVED


def test_refund_only_after_a_failed_acceptance(contracted, finance_user, office_user):
    a, b = contracted
    pay(a, finance_user, "9")
    with pytest.raises(FundsRefused, match="只有验收未通过的项目可以登记应退回资金（本项目：已签约）"):
        funds.record_refund(a, finance_user, amount_due=D("1"), decided_on=dt.date(2026, 1, 5), reason="x")
    pay(b, finance_user, "4")
    fail(b, office_user)
    with pytest.raises(FundsRefused, match="只有财务人员"):
        funds.record_refund(b, office_user, amount_due=D("1"), decided_on=dt.date(2026, 1, 5), reason="x")


@pytest.mark.parametrize(("amount", "day", "reason", "field", "message"), [
    ("4.01", "2026-01-05", "未完成", "amount_due", "应退回金额：累计应退回 4.01 万元，超过已拨付的 4 万元。"),
    ("0", "2026-01-05", "未完成", "amount_due", "应退回金额：须为大于 0 的金额"),
    ("1", "2026-01-16", "未完成", "decided_on", "决定日期：不得晚于今天（2026-01-15）"),
    ("1", "2025-10-01", "未完成", "decided_on", "决定日期：不得早于合同签署日 2025-10-10"),
    ("1", "2026-01-05", "  ", "reason", "退回原因：请填写原因。"),
    ("1", "2026-01-05", "长" * 501, "reason", "退回原因过长（501字），不得超过500字"),
])
def test_refund_refusals_name_the_field(contracted, finance_user, office_user, amount, day, reason, field, message):
    _a, b = contracted
    pay(b, finance_user, "4")
    fail(b, office_user)
    with pytest.raises(FundsInvalid) as exc:
        funds.record_refund(b, finance_user, amount_due=D(amount), decided_on=dt.date.fromisoformat(day), reason=reason)
    assert message in exc.value.errors[field]
    assert not Refund.objects.exists()


def test_refunds_together_never_exceed_what_was_paid(contracted, finance_user, office_user):
    _a, b = contracted
    pay(b, finance_user, "4")
    fail(b, office_user)
    funds.record_refund(b, finance_user, amount_due=D("3"), decided_on=dt.date(2026, 1, 5), reason="部分")
    with pytest.raises(FundsInvalid, match=r"累计应退回 4\.5 万元，超过已拨付的 4 万元"):
        funds.record_refund(b, finance_user, amount_due=D("1.5"), decided_on=dt.date(2026, 1, 5), reason="再退")


def test_marking_a_refund_returned(contracted, finance_user, office_user):
    _a, b = contracted
    pay(b, finance_user, "4")
    fail(b, office_user)
    refund = funds.record_refund(b, finance_user, amount_due=D("3"), decided_on=dt.date(2026, 1, 5), reason="未通过")
    with pytest.raises(FundsInvalid) as exc:
        funds.mark_refund_returned(refund, finance_user, returned_on=dt.date(2026, 1, 4), returned_amount=D("3.5"))
    assert exc.value.errors == {"returned_on": "退回日期：不得早于决定日期 2026-01-05。",
                                "returned_amount": "实际退回金额：3.5 万元超过应退回金额 3 万元。"}
    with pytest.raises(FundsRefused, match="只有财务人员"):
        funds.mark_refund_returned(refund, office_user, returned_on=dt.date(2026, 1, 6), returned_amount=D("3"))
    funds.mark_refund_returned(refund, finance_user, returned_on=dt.date(2026, 1, 6), returned_amount=D("3"))
    refund.refresh_from_db()
    assert (refund.returned_on, refund.returned_amount, refund.returned_by) == (dt.date(2026, 1, 6), D("3"), finance_user)
    assert refund.returned_at is not None
    with pytest.raises(FundsRefused, match="已于 2026-01-06 登记退回，不能重复登记"):
        funds.mark_refund_returned(refund, finance_user, returned_on=dt.date(2026, 1, 7), returned_amount=D("1"))


def test_audit_entries_are_office_only(contracted, finance_user, office_user):
    _a, b = contracted
    d = pay(b, finance_user, "4", reference="PZ-9")
    fail(b, office_user)
    refund = funds.record_refund(b, finance_user, amount_due=D("3"), decided_on=dt.date(2026, 1, 5), reason="未通过")
    funds.mark_refund_returned(refund, finance_user, returned_on=dt.date(2026, 1, 6), returned_amount=D("3"))
    events = {e.action: e for e in AuditEvent.objects.filter(action__startswith="funds.")}
    assert set(events) == {"funds.propose", "funds.approve", "funds.disburse", "funds.refund_due",
                           "funds.refund_returned"}
    assert all(e.visibility == Visibility.OFFICE and e.application_id == b.application_id for e in events.values())
    assert events["funds.propose"].actor == events["funds.approve"].actor == office_user  # in the proposer's name
    assert all(events[k].actor == finance_user for k in ("funds.disburse", "funds.refund_due", "funds.refund_returned"))
    assert events["funds.disburse"].object_id == str(d.pk)
    assert events["funds.disburse"].changes == {"paid_on": "2025-11-01", "amount": "4.00", "tranche": None,
                                                "reference": "PZ-9", "paid_total": "4.00"}
    assert events["funds.refund_returned"].changes["returned_amount"] == "3"
    assert AuditEvent.objects.filter(action="decision.approved", visibility=Visibility.OFFICE).count() == 3


def test_the_office_history_shows_the_money_the_applicant_history_does_not(contracted, finance_user, office_client,
                                                                           client):
    a, _b = contracted
    pay(a, finance_user, "9")
    office_history = office_client.get(reverse("office:application_history", args=[a.application_id]))
    assert office_history.status_code == 200 and "登记拨付 9 万元（2025-11-01）" in office_history.content.decode()
    client.force_login(a.application.organization.memberships.first().user)
    own_history = client.get(reverse("applications:history", args=[a.application_id]))
    assert own_history.status_code == 200 and "登记拨付" not in own_history.content.decode()


def test_permissions(contracted, finance_user, office_user):
    a, _b = contracted
    applicant = a.application.organization.memberships.first().user
    assert allowed(finance_user, "implementation.manage_funds") and allowed(finance_user, "implementation.view_funds")
    assert allowed(office_user, "implementation.view_funds") and not allowed(office_user, "implementation.manage_funds")
    assert not allowed(applicant, "implementation.view_funds") and not allowed(applicant, "implementation.manage_funds")
    assert allowed(office_user, "implementation.propose_disbursement")
    assert not allowed(finance_user, "implementation.propose_disbursement")
    assert not allowed(applicant, "implementation.propose_disbursement")
    # finance is not the office: no office page, no contract management
    assert not allowed(finance_user, "accounts.access_office")
    assert not allowed(finance_user, "implementation.manage_contracts")
    assert not allowed(finance_user, "implementation.view_contract", a)


# --- pages --------------------------------------------------------------------------------------------

def test_the_office_proposes_and_finance_pays_on_the_pages(contracted, finance_user, office_user, client):
    a, _b = contracted
    pk = a.application_id
    client.force_login(office_user)
    page = client.get(reverse("office:funds_contract", args=[pk])).content.decode()
    assert 'data-testid="proposal-form"' in page and "record-payment" not in page and "record-refund" not in page
    url = reverse("office:disbursement_propose", args=[pk])
    bad = client.post(url, {"amount": "16", "tranche": "1", "planned_on": "2025-10-20", "note": "首期拨付"})
    html = bad.content.decode()
    assert bad.status_code == 422 and "超过合同金额 15 万元" in html and 'data-testid="error-summary"' in html
    assert 'value="16"' in html and 'value="2025-10-20"' in html and "首期拨付" in html
    assert '<option value="1" selected>' in html
    done = client.post(url, {"amount": "9", "tranche": "1", "planned_on": "2025-10-20", "note": "首期拨付"})
    assert done.status_code == 302 and done["Location"] == reverse("office:funds_contract", args=[pk])
    d = Disbursement.objects.get()
    assert (d.status, d.tranche, d.amount) == (DisbursementStatus.PROPOSED, a.tranches.get(sequence=1), D("9"))
    page = client.get(reverse("office:funds_contract", args=[pk])).content.decode()
    decision = decisions.pending_for("disbursement", d)
    assert "拨付已提请集体研究：2 名项目办公室人员同意后由财务人员登记拨付" in page
    assert "集体研究：已同意 1/2" in page and reverse("office:decision", args=[decision.pk]) in page
    approve_pending("disbursement", d)

    client.force_login(finance_user)
    login_landing = client.get(reverse("dashboard"))
    assert login_landing.status_code == 302 and login_landing["Location"] == reverse("office:funds")
    overview = client.get(reverse("office:funds")).content.decode()
    assert 'data-testid="total-committed">25.00<' in overview and f'data-testid="funds-row-{pk}"' in overview
    assert 'data-testid="total-approved">9.00<' in overview and 'data-testid="total-paid">0.00<' in overview
    assert f'data-testid="payment-due-{d.pk}"' in overview and reverse("office:disbursement_pay", args=[d.pk]) in overview
    assert '<svg' in overview and 'data-testid="nav-workspace"' in overview
    page = client.get(reverse("office:funds_contract", args=[pk])).content.decode()
    assert f'data-testid="record-payment-{d.pk}"' in page and "proposal-form" not in page
    assert "office:decision" not in page and "集体研究：" not in page  # the decision is the office's
    pay_url = reverse("office:disbursement_pay", args=[d.pk])
    bad = client.post(pay_url, {"paid_on": "2026-02-01", "reference": "=HYPERLINK(1)", "note": "首期"})
    html = bad.content.decode()
    assert bad.status_code == 422 and "不得晚于今天（2026-01-15）" in html and 'data-testid="error-summary"' in html
    assert 'value="2026-02-01"' in html and 'value="=HYPERLINK(1)"' in html and "首期" in html
    done = client.post(pay_url, {"paid_on": "2025-11-01", "reference": "=HYPERLINK(1)"})
    assert done.status_code == 302 and done["Location"] == reverse("office:funds_contract", args=[pk])
    assert Disbursement.objects.get().status == DisbursementStatus.PAID
    overview = client.get(reverse("office:funds")).content.decode()
    assert 'data-testid="total-paid">9.00<' in overview and 'data-testid="total-outstanding">16.00<' in overview
    assert 'data-testid="total-approved">0.00<' in overview
    again = client.get(pay_url)
    assert again.status_code == 200 and "不能重复登记" in again.content.decode()
    # the Excel export: amounts as numbers, the user's text stays text
    export = client.get(reverse("office:funds_export"))
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[1][:5] == ["序号", "申报单位", "合同签署日", "合同金额（万元）", "已拨付（万元）"]
    assert values[-1][3:5] == [25, 9]
    assert AuditEvent.objects.filter(action="export.funds", actor=finance_user).exists()
    # the office pages stay closed to finance, the proposal and the decision pages too
    for name, args in (("office:dashboard", []), ("office:contracts", []), ("office:contract", [pk]),
                       ("office:accounts", []), ("office:decision", [decision.pk]), ("office:decisions", [])):
        assert client.get(reverse(name, args=args)).status_code == 403, name
    assert client.post(reverse("office:disbursement_propose", args=[pk]), {"amount": "1"}).status_code == 403


def test_an_organization_name_is_never_a_formula_in_the_export(contracted, finance_user, client):
    a, _b = contracted
    org = a.application.organization
    org.name = "=1+2"
    org.save(update_fields=["name"])
    client.force_login(finance_user)
    sheet = load_workbook(io.BytesIO(client.get(reverse("office:funds_export")).content)).active
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == "=1+2")
    assert cell.data_type == "s"


def test_the_office_reads_without_finance_forms(contracted, finance_user, office_client):
    a, _b = contracted
    pk = a.application_id
    d = pay(a, finance_user, "9")
    due = approved(a, "3")
    overview = office_client.get(reverse("office:funds")).content.decode()
    assert 'data-testid="total-paid">9.00<' in overview and f'data-testid="payment-due-{due.pk}"' in overview
    assert reverse("office:disbursement_pay", args=[due.pk]) not in overview
    page = office_client.get(reverse("office:funds_contract", args=[pk])).content.decode()
    assert "record-payment" not in page and "record-refund" not in page and ">9.00<" in page
    for url in (reverse("office:disbursement_pay", args=[due.pk]), reverse("office:refund_new", args=[pk])):
        assert office_client.get(url).status_code == 403
        assert office_client.post(url, {"paid_on": "2025-11-01", "amount_due": "1"}).status_code == 403
    assert Disbursement.objects.get(pk=due.pk).status == DisbursementStatus.APPROVED
    assert Disbursement.objects.get(pk=d.pk).status == DisbursementStatus.PAID
    dashboard = office_client.get(reverse("office:dashboard")).content.decode()
    assert 'data-testid="funds-paid">9.00<' in dashboard and 'data-testid="funds-link"' in dashboard


def test_a_proposal_refused_on_the_page(contracted, office_user, office_client):
    _a, b = contracted
    fail(b, office_user)
    page = office_client.get(reverse("office:funds_contract", args=[b.application_id])).content.decode()
    assert "proposal-form" not in page and "验收未通过，不再拨付资金" in page
    resp = office_client.post(reverse("office:disbursement_propose", args=[b.application_id]), {"amount": "1"})
    assert resp.status_code == 422 and not Disbursement.objects.exists()


def test_refund_pages(contracted, finance_user, office_user, client):
    _a, b = contracted
    pk = b.application_id
    pay(b, finance_user, "4")
    client.force_login(finance_user)
    refused = client.get(reverse("office:refund_new", args=[pk]))
    assert refused.status_code == 200 and "只有验收未通过的项目可以登记应退回资金" in refused.content.decode()
    assert client.post(reverse("office:refund_new", args=[pk]), {"amount_due": "1"}).status_code == 422
    fail(b, office_user)
    page = client.get(reverse("office:funds_contract", args=[pk])).content.decode()
    assert 'data-testid="record-refund"' in page and 'data-testid="disbursement-refusal"' in page
    bad = client.post(reverse("office:refund_new", args=[pk]), {"amount_due": "5", "decided_on": "2026-01-05",
                                                                "reason": "承诺未完成"})
    assert bad.status_code == 422 and "超过已拨付的 4 万元" in bad.content.decode() and "承诺未完成" in bad.content.decode()
    assert client.post(reverse("office:refund_new", args=[pk]), {"amount_due": "4", "decided_on": "2026-01-05",
                                                                 "reason": "承诺未完成"}).status_code == 302
    refund = Refund.objects.get()
    assert client.post(reverse("office:refund_returned", args=[refund.pk]),
                       {"returned_on": "2026-01-20", "returned_amount": "4"}).status_code == 422
    assert client.post(reverse("office:refund_returned", args=[refund.pk]),
                       {"returned_on": "2026-01-10", "returned_amount": "4"}).status_code == 302
    assert funds.contract_totals(b).refunded == D("4")
    again = client.get(reverse("office:refund_returned", args=[refund.pk]))
    assert "不能重复登记" in again.content.decode()


def test_the_organization_sees_only_its_own_paid_disbursements(contracted, finance_user, client):
    a, b = contracted
    pay(a, finance_user, "9", reference="PZ-SECRET", note="内部备注")
    approved(a, "3.5")
    propose(a, "2.5", note="待研究的提请")
    own = a.application.organization.memberships.first().user
    other = b.application.organization.memberships.first().user
    client.force_login(own)
    status = client.get(reverse("applications:status", args=[a.application_id])).content.decode()
    assert 'data-testid="contract-disbursements"' in status and "2025-11-01：9.00 万元" in status
    assert "3.50 万元" not in status and "2.50 万元" not in status and "待研究的提请" not in status
    assert "PZ-SECRET" not in status and "内部备注" not in status and "钱财务" not in status
    for name, args in (("office:funds", []), ("office:funds_contract", [a.application_id]),
                       ("office:funds_export", []), ("office:disbursement_pay", [Disbursement.objects.first().pk])):
        assert client.get(reverse(name, args=args)).status_code == 403, name
    assert client.post(reverse("office:disbursement_propose", args=[a.application_id]),
                       {"amount": "1"}).status_code == 403
    client.force_login(other)
    assert client.get(reverse("applications:status", args=[a.application_id])).status_code == 404
    status = client.get(reverse("applications:status", args=[b.application_id])).content.decode()
    assert "contract-disbursements" not in status and "9.00 万元" not in status


def test_unknown_contract_is_404_for_finance(contracted, finance_user, client, pipeline):
    other = pipeline.application("丙协会", [])
    client.force_login(finance_user)
    assert client.get(reverse("office:funds_contract", args=[other.pk])).status_code == 404


def test_staff_account_command_creates_finance_accounts(db, capsys):
    from django.core.management import call_command

    from zgcfund.accounts.models import User

    call_command("create_staff_account", role="finance", email="cw@zgc.example", name="孙财务",
                 site_url="http://127.0.0.1:8000")
    user = User.objects.get(email="cw@zgc.example")
    assert user.role == Role.FINANCE and user.get_role_display() == "财务人员" and not user.is_office
