"""Funds of the support contracts: the office proposes each disbursement (拨付: amount, tranche, planned
date) to its collective decision (集体研究, ``review.domain.decisions`` subject ``disbursement``); approved
(``approve_disbursement``, the effect), finance records the payment (``record_payment``: date, voucher) and
only then it counts as paid; a decision sent back or withdrawn cancels it (``cancel_disbursement``). For an
application whose acceptance failed (验收未通过) finance records the amount to return (退回) and when it came
back. The office reads the money pages; the organization sees its own payments (date and amount) on its
status page, never a proposal.

Each change locks the contract's row (``select_for_update``), checks, writes and audits (office-only entry)
in one transaction. All amounts are ``Decimal`` 万元.

Totals of a programme (signed contracts): committed = Σ contract amounts, paid = Σ paid disbursements,
approved_unpaid = Σ approved ones not yet paid, refund_due = Σ refunds' amounts due, refunded = Σ returned
amounts, outstanding = committed − paid (not yet paid out)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from zgcfund.accounts.rules import is_finance, is_office
from zgcfund.applications.domain import workflow
from zgcfund.audit.domain import record_event
from zgcfund.audit.models import Visibility
from zgcfund.core import bounds
from zgcfund.implementation.models import (
    Contract,
    ContractStatus,
    ContractTranche,
    Disbursement,
    DisbursementStatus,
    Refund,
)
from zgcfund.programmes.domain import clock
from zgcfund.review.domain import decisions

ZERO = Decimal("0.00")
#: phases in which a refund may be decided: the acceptance failed
REFUND_PHASES = (workflow.FAILED,)
#: phases in which nothing more is paid out
NO_PAYMENT_PHASES = (workflow.FAILED,)
#: disbursements that hold part of the contract amount (proposed, approved, paid; not cancelled)
LIVE = (DisbursementStatus.PROPOSED, DisbursementStatus.APPROVED, DisbursementStatus.PAID)


class FundsRefused(Exception):
    """The action is not possible (who, or the application's phase); nothing changed."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


class FundsInvalid(Exception):
    """Field errors keyed by form field name; nothing changed."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


@dataclass(frozen=True)
class FundsTotals:
    committed: Decimal = ZERO
    paid: Decimal = ZERO
    refund_due: Decimal = ZERO
    refunded: Decimal = ZERO
    outstanding: Decimal = ZERO  # committed − paid
    approved_unpaid: Decimal = ZERO  # approved by the collective decision, not yet paid

    @property
    def refund_open(self) -> Decimal:
        """Refunds decided but not yet returned."""
        return self.refund_due - self.refunded


def _money(value) -> Decimal:
    return (value if value is not None else ZERO).quantize(Decimal("0.01"))


def _sum(qs, field: str) -> Decimal:
    return _money(qs.aggregate(total=Sum(field))["total"])


def _totals(contracts) -> FundsTotals:
    committed = _sum(contracts, "amount")
    disbursements = Disbursement.objects.filter(contract__in=contracts)
    paid = _sum(disbursements.filter(status=DisbursementStatus.PAID), "amount")
    refunds = Refund.objects.filter(contract__in=contracts)
    return FundsTotals(committed=committed, paid=paid, refund_due=_sum(refunds, "amount_due"),
                       refunded=_sum(refunds, "returned_amount"), outstanding=committed - paid,
                       approved_unpaid=_sum(disbursements.filter(status=DisbursementStatus.APPROVED), "amount"))


def _signed(qs):
    return qs.filter(status=ContractStatus.SIGNED)


# --- what the pages ask -------------------------------------------------------------------------------

def totals(programme_code: str) -> FundsTotals:
    """The programme's money (its signed contracts): committed, paid, approved unpaid, refund due, refunded,
    outstanding (万元)."""
    return _totals(_signed(Contract.objects.filter(application__programme_code=programme_code)))


def contract_totals(contract: Contract) -> FundsTotals:
    return _totals(Contract.objects.filter(pk=contract.pk))


def paid_total(contract: Contract) -> Decimal:
    """What was paid under ``contract`` (finance recorded the payment)."""
    return _sum(Disbursement.objects.filter(contract=contract, status=DisbursementStatus.PAID), "amount")


def planned_total(contract: Contract) -> Decimal:
    """What ``contract``'s live disbursements hold: proposed, approved and paid (never above its amount)."""
    return _sum(Disbursement.objects.filter(contract=contract, status__in=LIVE), "amount")


def payments_due(programme_code: str):
    """The programme's approved disbursements finance has not yet paid (oldest first)."""
    return (Disbursement.objects.filter(contract__application__programme_code=programme_code,
                                        status=DisbursementStatus.APPROVED)
            .select_related("contract__application__organization", "tranche").order_by("proposed_at", "pk"))


@dataclass(frozen=True)
class ContractFunds:
    contract: Contract
    totals: FundsTotals

    @property
    def organization(self):
        return self.contract.application.organization


def contract_rows(programme_code: str) -> list[ContractFunds]:
    """One row per signed contract of the programme (by organization name), with its own totals."""
    contracts = list(_signed(Contract.objects.filter(application__programme_code=programme_code))
                     .select_related("application__organization").order_by("application__organization__name", "pk"))
    ids = [c.pk for c in contracts]

    def by_contract(qs, field: str) -> dict[int, Decimal]:
        return {row["contract_id"]: _money(row["total"])
                for row in qs.filter(contract_id__in=ids).values("contract_id").annotate(total=Sum(field)).order_by()}

    paid = by_contract(Disbursement.objects.filter(status=DisbursementStatus.PAID), "amount")
    approved = by_contract(Disbursement.objects.filter(status=DisbursementStatus.APPROVED), "amount")
    due = by_contract(Refund.objects, "amount_due")
    returned = by_contract(Refund.objects, "returned_amount")
    rows = []
    for c in contracts:
        p = paid.get(c.pk, ZERO)
        rows.append(ContractFunds(c, FundsTotals(committed=_money(c.amount), paid=p, refund_due=due.get(c.pk, ZERO),
                                                 refunded=returned.get(c.pk, ZERO), outstanding=_money(c.amount) - p,
                                                 approved_unpaid=approved.get(c.pk, ZERO))))
    return rows


def tranche_rows(contract: Contract) -> list[dict]:
    """The payment plan with what was paid against each tranche: ``[{"tranche", "paid", "remaining"}]``."""
    paid = {row["tranche_id"]: _money(row["total"]) for row in
            Disbursement.objects.filter(contract=contract, tranche__isnull=False, status=DisbursementStatus.PAID)
            .values("tranche_id")
            .annotate(total=Sum("amount")).order_by()}
    return [{"tranche": t, "paid": paid.get(t.pk, ZERO), "remaining": t.amount - paid.get(t.pk, ZERO)}
            for t in contract.tranches.all()]


def disbursement_refusal(contract: Contract) -> str | None:
    """Why nothing may be proposed or paid under ``contract`` now (not yet signed, its application's phase),
    or None."""
    if contract.status != ContractStatus.SIGNED:
        return _("合同尚未生效（待集体研究），不能拨付资金。")
    status = contract.application.status
    if status in NO_PAYMENT_PHASES:
        return _("本项目%(phase)s，不再拨付资金。") % {"phase": workflow.phase(status).staff_name}
    return None


def refund_refusal(contract: Contract) -> str | None:
    """Why no refund may be decided for ``contract`` now, or None: only after a failed acceptance."""
    status = contract.application.status
    if status not in REFUND_PHASES:
        return _("只有验收未通过的项目可以登记应退回资金（本项目：%(phase)s）。") % {
            "phase": workflow.phase(status).staff_name}
    return None


def return_refusal(refund: Refund) -> str | None:
    """Why ``refund`` may not be marked returned, or None: once only."""
    if refund.is_returned:
        return _("该笔应退回资金已于 %(day)s 登记退回，不能重复登记。") % {"day": refund.returned_on.isoformat()}
    return None


def payment_refusal(disbursement: Disbursement) -> str | None:
    """Why finance may not record the payment of ``disbursement`` now, or None: approved ones only, once."""
    if disbursement.status == DisbursementStatus.PAID:
        return _("该笔拨付已于 %(day)s 登记，不能重复登记。") % {"day": disbursement.paid_on.isoformat()}
    if disbursement.status != DisbursementStatus.APPROVED:
        return _("该笔拨付%(status)s，只有经集体研究批准的拨付可以登记。") % {
            "status": disbursement.get_status_display()}
    return disbursement_refusal(disbursement.contract)


def applicant_disbursements(contract: Contract) -> list[dict]:
    """What the organization sees of its payments: paid ones, date and amount only."""
    return [{"paid_on": d.paid_on, "amount": d.amount}
            for d in Disbursement.objects.filter(contract=contract, status=DisbursementStatus.PAID)
            .order_by("paid_on", "pk")]


# --- checks -----------------------------------------------------------------------------------------------

def _check_finance(by, what: str) -> None:
    if not is_finance(by):
        raise FundsRefused(_("只有财务人员可以%(what)s。") % {"what": what})


def _check_office(by, what: str) -> None:
    if not is_office(by):
        raise FundsRefused(_("只有项目办公室人员可以%(what)s。") % {"what": what})


def _amount_problem(label: str, amount: Decimal | None) -> str | None:
    if amount is None:
        return _("%(label)s：请填写金额（万元）。") % {"label": label}
    if not amount.is_finite() or amount <= 0 or amount > bounds.AMOUNT_MAX or amount.as_tuple().exponent < -2:
        return _("%(label)s：须为大于 0 的金额（万元，至多两位小数）。") % {"label": label}
    return None


def _date_problem(label: str, day: dt.date | None, *, earliest: dt.date, earliest_name: str) -> str | None:
    if day is None:
        return _("%(label)s：请填写日期（年-月-日）。") % {"label": label}
    if day < earliest:
        return _("%(label)s：不得早于%(what)s %(day)s。") % {"label": label, "what": earliest_name,
                                                         "day": earliest.isoformat()}
    today = clock.today()
    if day > today:
        return _("%(label)s：不得晚于今天（%(day)s）。") % {"label": label, "day": today.isoformat()}
    return None


def _lock(contract: Contract) -> Contract:
    return (Contract.objects.select_for_update().select_related("application__organization")
            .get(pk=contract.pk))


def _n(value: Decimal) -> str:
    """An amount as a message shows it: 15, 15.5, 15.25 (no trailing zeros)."""
    return f"{value.normalize():f}" if isinstance(value, Decimal) and value.is_finite() else bounds.number_text(value)


def _text(value) -> str:
    return (value or "").strip()


# --- recording ----------------------------------------------------------------------------------------------

def _tranche_text(tranche: ContractTranche | None) -> str:
    return _("第 %(i)s 期") % {"i": tranche.sequence} if tranche is not None else _("不对应具体期次")


def propose_disbursement(contract: Contract, by, *, amount: Decimal | None, tranche: ContractTranche | None = None,
                         planned_on: dt.date | None = None, note: str = "") -> Disbursement:
    """The office proposes a disbursement under ``contract`` to the collective decision (``note``: the
    proposal's note): the amount (> 0; with the proposed, approved and paid ones never above the contract
    amount), optionally the tranche of this contract's plan and the planned date (not before signing). The
    disbursement is ``proposed`` until the decision is approved (``approve_disbursement``; at once when the
    programme asks for one approval). Raises FundsRefused / FundsInvalid; nothing changes then."""
    _check_office(by, _("提请拨付"))
    note = _text(note)
    with transaction.atomic():
        locked = _lock(contract)
        app = locked.application
        refusal = disbursement_refusal(locked)
        if refusal:
            raise FundsRefused(refusal)
        errors: dict[str, str] = {}
        problem = _amount_problem(_("拨付金额"), amount)
        if problem:
            errors["amount"] = problem
        else:
            held = planned_total(locked)
            if held + amount > locked.amount:
                errors["amount"] = _("拨付金额：本次 %(amount)s 万元后累计 %(total)s 万元，超过合同金额 %(contract)s 万元"
                                     "（已拨付、已批准和待集体研究的共 %(held)s 万元）。") % {
                    "amount": _n(amount), "total": _n(held + amount), "contract": _n(locked.amount), "held": _n(held)}
        if tranche is not None and tranche.contract_id != locked.pk:
            errors["tranche"] = _("拨付期次：所选期次不属于本合同的拨付计划。")
        if planned_on is not None and planned_on < locked.signed_on:
            errors["planned_on"] = _("计划拨付日期：不得早于合同签署日 %(day)s。") % {"day": locked.signed_on.isoformat()}
        elif planned_on is not None and bounds.date_problem(_("计划拨付日期"), planned_on):
            errors["planned_on"] = bounds.date_problem(_("计划拨付日期"), planned_on)
        too_long = bounds.length_problem(_("提请说明"), note, "reason")
        if too_long:
            errors["note"] = too_long
        if errors:
            raise FundsInvalid(errors)
        disbursement = Disbursement.objects.create(contract=locked, tranche=tranche, amount=amount,
                                                   planned_on=planned_on, note=note, proposed_by=by,
                                                   proposed_at=clock.now(), status=DisbursementStatus.PROPOSED)
        record_event("funds.propose", _("提请拨付 %(amount)s 万元（%(tranche)s）") % {
                         "amount": _n(amount), "tranche": _tranche_text(tranche)},
                     actor=by, application=app, obj=disbursement,
                     changes={"amount": str(amount), "tranche": tranche.sequence if tranche is not None else None,
                              "planned_on": planned_on.isoformat() if planned_on else None, "note": note},
                     visibility=Visibility.OFFICE)
        try:
            decisions.propose("disbursement", disbursement, by, note)
        except decisions.DecisionInvalid as exc:
            raise FundsInvalid(exc.errors) from None
        except decisions.DecisionRefused as exc:
            raise FundsRefused(exc.message) from None
    disbursement.refresh_from_db()
    return disbursement


def approve_disbursement(disbursement: Disbursement, by, decision=None) -> Disbursement:
    """The effect of the approved collective decision ``disbursement``: it is approved, finance may pay it.
    Raises FundsRefused (no longer proposed, or the application's phase refuses payment)."""
    with transaction.atomic():
        locked = _lock(disbursement.contract)
        d = Disbursement.objects.select_for_update().get(pk=disbursement.pk)
        if d.status != DisbursementStatus.PROPOSED:
            raise FundsRefused(_("该笔拨付%(status)s，不能批准。") % {"status": d.get_status_display()})
        refusal = disbursement_refusal(locked)
        if refusal:
            raise FundsRefused(refusal)
        d.status = DisbursementStatus.APPROVED
        d.save(update_fields=["status"])
        record_event("funds.approve", _("拨付经集体研究批准：%(amount)s 万元（%(tranche)s）") % {
                         "amount": _n(d.amount), "tranche": _tranche_text(d.tranche)},
                     actor=by, application=locked.application, obj=d,
                     changes={"amount": str(d.amount), "decision": decision.pk if decision is not None else None},
                     visibility=Visibility.OFFICE)
    disbursement.refresh_from_db()
    return disbursement


def cancel_disbursement(disbursement: Disbursement, by, decision=None) -> Disbursement:
    """The decision about ``disbursement`` ended unapproved (sent back, withdrawn): it is cancelled and no
    longer holds part of the contract amount; the office may propose again."""
    with transaction.atomic():
        locked = _lock(disbursement.contract)
        d = Disbursement.objects.select_for_update().get(pk=disbursement.pk)
        if d.status != DisbursementStatus.PROPOSED:
            return d
        d.status = DisbursementStatus.CANCELLED
        d.save(update_fields=["status"])
        record_event("funds.cancel", _("拨付提请已撤销（%(why)s）：%(amount)s 万元") % {
                         "why": decision.get_status_display() if decision is not None else "", "amount": _n(d.amount)},
                     actor=by, application=locked.application, obj=d,
                     changes={"amount": str(d.amount), "decision": decision.pk if decision is not None else None},
                     visibility=Visibility.OFFICE)
    disbursement.refresh_from_db()
    return disbursement


def record_payment(disbursement: Disbursement, by, *, paid_on: dt.date | None, reference: str = "",
                   note: str = "") -> Disbursement:
    """Finance records that an approved disbursement was paid: the date (not before signing, not in the
    future), the voucher reference, a note. Only then it counts as paid. Raises FundsRefused / FundsInvalid."""
    _check_finance(by, _("登记拨付"))
    reference, note = _text(reference), _text(note)
    with transaction.atomic():
        locked = _lock(disbursement.contract)
        d = Disbursement.objects.select_for_update(of=("self",)).select_related("tranche").get(pk=disbursement.pk)
        d.contract = locked
        refusal = payment_refusal(d)
        if refusal:
            raise FundsRefused(refusal)
        errors: dict[str, str] = {}
        problem = _date_problem(_("拨付日期"), paid_on, earliest=locked.signed_on, earliest_name=_("合同签署日"))
        if problem:
            errors["paid_on"] = problem
        for field, label, text, kind in (("reference", _("凭证号"), reference, "string"),
                                         ("note", _("备注"), note, "comment")):
            too_long = bounds.length_problem(label, text, kind)
            if too_long:
                errors[field] = too_long
        if errors:
            raise FundsInvalid(errors)
        d.status, d.paid_on, d.reference, d.payment_note = DisbursementStatus.PAID, paid_on, reference, note
        d.recorded_by, d.recorded_at = by, clock.now()
        d.save(update_fields=["status", "paid_on", "reference", "payment_note", "recorded_by", "recorded_at"])
        record_event("funds.disburse", _("登记拨付 %(amount)s 万元（%(day)s）") % {
                         "amount": _n(d.amount), "day": paid_on.isoformat()},
                     actor=by, application=locked.application, obj=d,
                     changes={"paid_on": paid_on.isoformat(), "amount": str(d.amount),
                              "tranche": d.tranche.sequence if d.tranche is not None else None,
                              "reference": reference, "paid_total": str(paid_total(locked))},
                     visibility=Visibility.OFFICE)
    disbursement.refresh_from_db()
    return disbursement


def decision_label(disbursement: Disbursement) -> str:
    return _("%(org)s 拨付 %(amount)s 万元（%(tranche)s）") % {
        "org": disbursement.contract.application.organization.name, "amount": _n(disbursement.amount),
        "tranche": _tranche_text(disbursement.tranche)}


def decision_summary(disbursement: Disbursement) -> list[tuple[str, str]]:
    """The lines the decision page shows about the disbursement."""
    contract = disbursement.contract
    t = contract_totals(contract)
    tranche = disbursement.tranche
    return [(_("申报单位"), contract.application.organization.name),
            (_("合同金额（万元）"), _n(contract.amount)),
            (_("本次拨付金额（万元）"), _n(disbursement.amount)),
            (_("拨付期次"), _("第 %(i)s 期：计划 %(day)s，%(amount)s 万元") % {
                "i": tranche.sequence, "day": tranche.planned_on.isoformat(), "amount": _n(tranche.amount)}
             if tranche is not None else _tranche_text(None)),
            (_("计划拨付日期"), disbursement.planned_on.isoformat() if disbursement.planned_on else "—"),
            (_("已拨付（万元）"), _n(t.paid)),
            (_("已批准待拨付（万元）"), _n(t.approved_unpaid))]


def record_refund(contract: Contract, by, *, amount_due: Decimal | None, decided_on: dt.date | None,
                  reason: str) -> Refund:
    """Finance records an amount the organization must return, for an application whose acceptance failed:
    the amount (> 0; all refunds due together never above what was paid), the decision date (not before
    signing, not in the future) and the reason. Raises FundsRefused / FundsInvalid."""
    _check_finance(by, _("登记应退回资金"))
    reason = _text(reason)
    with transaction.atomic():
        locked = _lock(contract)
        app = locked.application
        refusal = refund_refusal(locked)
        if refusal:
            raise FundsRefused(refusal)
        errors: dict[str, str] = {}
        problem = _date_problem(_("决定日期"), decided_on, earliest=locked.signed_on, earliest_name=_("合同签署日"))
        if problem:
            errors["decided_on"] = problem
        problem = _amount_problem(_("应退回金额"), amount_due)
        if problem:
            errors["amount_due"] = problem
        else:
            paid = paid_total(locked)
            due = _sum(Refund.objects.filter(contract=locked), "amount_due")
            if due + amount_due > paid:
                errors["amount_due"] = _("应退回金额：累计应退回 %(total)s 万元，超过已拨付的 %(paid)s 万元。") % {
                    "total": _n(due + amount_due), "paid": _n(paid)}
        if not reason:
            errors["reason"] = _("退回原因：请填写原因。")
        else:
            too_long = bounds.length_problem(_("退回原因"), reason, "reason")
            if too_long:
                errors["reason"] = too_long
        if errors:
            raise FundsInvalid(errors)
        refund = Refund.objects.create(contract=locked, amount_due=amount_due, decided_on=decided_on, reason=reason,
                                       recorded_by=by, recorded_at=clock.now())
        record_event("funds.refund_due", _("登记应退回资金 %(amount)s 万元") % {"amount": _n(amount_due)},
                     actor=by, application=app, obj=refund,
                     changes={"amount_due": str(amount_due), "decided_on": decided_on.isoformat(), "reason": reason},
                     visibility=Visibility.OFFICE)
    return refund


def mark_refund_returned(refund: Refund, by, *, returned_on: dt.date | None,
                         returned_amount: Decimal | None) -> Refund:
    """Finance records that the organization returned (part of) a refund: the date (not before the decision,
    not in the future) and the amount (> 0, not above the amount due). Once only."""
    _check_finance(by, _("登记资金退回"))
    with transaction.atomic():
        _lock(refund.contract)
        locked = Refund.objects.select_for_update().select_related("contract__application").get(pk=refund.pk)
        refusal = return_refusal(locked)
        if refusal:
            raise FundsRefused(refusal)
        errors: dict[str, str] = {}
        problem = _date_problem(_("退回日期"), returned_on, earliest=locked.decided_on, earliest_name=_("决定日期"))
        if problem:
            errors["returned_on"] = problem
        problem = _amount_problem(_("实际退回金额"), returned_amount)
        if problem:
            errors["returned_amount"] = problem
        elif returned_amount > locked.amount_due:
            errors["returned_amount"] = _("实际退回金额：%(amount)s 万元超过应退回金额 %(due)s 万元。") % {
                "amount": _n(returned_amount), "due": _n(locked.amount_due)}
        if errors:
            raise FundsInvalid(errors)
        locked.returned_on, locked.returned_amount = returned_on, returned_amount
        locked.returned_by, locked.returned_at = by, clock.now()
        locked.save(update_fields=["returned_on", "returned_amount", "returned_by", "returned_at"])
        record_event("funds.refund_returned", _("登记资金退回 %(amount)s 万元（%(day)s）") % {
                         "amount": _n(returned_amount), "day": returned_on.isoformat()},
                     actor=by, application=locked.contract.application, obj=locked,
                     changes={"returned_on": returned_on.isoformat(), "returned_amount": str(returned_amount),
                              "amount_due": str(locked.amount_due)},
                     visibility=Visibility.OFFICE)
    refund.refresh_from_db()
    return refund
