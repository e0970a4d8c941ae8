"""Funds of the support contracts: finance records each disbursement (拨付) and, for an application whose
acceptance failed (验收未通过), the amount to return (退回) and when it came back. The office reads the money
pages; the organization sees its own payments (date and amount) on its status page.

Each change locks the contract's row (``select_for_update``), checks, writes and audits (office-only entry)
in one transaction. ``record_disbursement`` is the one place a Disbursement is made (collective decisions
will gate it). All amounts are ``Decimal`` 万元.

Totals of a programme: committed = Σ contract amounts, paid = Σ disbursements, refund_due = Σ refunds'
amounts due, refunded = Σ returned amounts, outstanding = committed − paid (not yet paid out)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from zgcfund.accounts.rules import is_finance
from zgcfund.applications.domain import workflow
from zgcfund.audit.domain import record_event
from zgcfund.audit.models import Visibility
from zgcfund.core import bounds
from zgcfund.implementation.models import Contract, ContractTranche, Disbursement, Refund
from zgcfund.programmes.domain import clock

ZERO = Decimal("0.00")
#: phases in which a refund may be decided: the acceptance failed
REFUND_PHASES = (workflow.FAILED,)
#: phases in which nothing more is paid out
NO_PAYMENT_PHASES = (workflow.FAILED,)


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
    paid = _sum(Disbursement.objects.filter(contract__in=contracts), "amount")
    refunds = Refund.objects.filter(contract__in=contracts)
    return FundsTotals(committed=committed, paid=paid, refund_due=_sum(refunds, "amount_due"),
                       refunded=_sum(refunds, "returned_amount"), outstanding=committed - paid)


# --- what the pages ask -------------------------------------------------------------------------------

def totals(programme_code: str) -> FundsTotals:
    """The programme's money: committed, paid, refund due, refunded, outstanding (万元)."""
    return _totals(Contract.objects.filter(application__programme_code=programme_code))


def contract_totals(contract: Contract) -> FundsTotals:
    return _totals(Contract.objects.filter(pk=contract.pk))


def paid_total(contract: Contract) -> Decimal:
    return _sum(Disbursement.objects.filter(contract=contract), "amount")


@dataclass(frozen=True)
class ContractFunds:
    contract: Contract
    totals: FundsTotals

    @property
    def organization(self):
        return self.contract.application.organization


def contract_rows(programme_code: str) -> list[ContractFunds]:
    """One row per contract of the programme (by organization name), with its own totals."""
    contracts = list(Contract.objects.filter(application__programme_code=programme_code)
                     .select_related("application__organization").order_by("application__organization__name", "pk"))
    ids = [c.pk for c in contracts]

    def by_contract(qs, field: str) -> dict[int, Decimal]:
        return {row["contract_id"]: _money(row["total"])
                for row in qs.filter(contract_id__in=ids).values("contract_id").annotate(total=Sum(field)).order_by()}

    paid = by_contract(Disbursement.objects, "amount")
    due = by_contract(Refund.objects, "amount_due")
    returned = by_contract(Refund.objects, "returned_amount")
    rows = []
    for c in contracts:
        p = paid.get(c.pk, ZERO)
        rows.append(ContractFunds(c, FundsTotals(committed=_money(c.amount), paid=p, refund_due=due.get(c.pk, ZERO),
                                                 refunded=returned.get(c.pk, ZERO), outstanding=_money(c.amount) - p)))
    return rows


def tranche_rows(contract: Contract) -> list[dict]:
    """The payment plan with what was paid against each tranche: ``[{"tranche", "paid", "remaining"}]``."""
    paid = {row["tranche_id"]: _money(row["total"]) for row in
            Disbursement.objects.filter(contract=contract, tranche__isnull=False).values("tranche_id")
            .annotate(total=Sum("amount")).order_by()}
    return [{"tranche": t, "paid": paid.get(t.pk, ZERO), "remaining": t.amount - paid.get(t.pk, ZERO)}
            for t in contract.tranches.all()]


def disbursement_refusal(contract: Contract) -> str | None:
    """Why nothing may be paid under ``contract`` now (its application's phase), or None."""
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


def applicant_disbursements(contract: Contract) -> list[dict]:
    """What the organization sees of its payments: date and amount only."""
    return [{"paid_on": d.paid_on, "amount": d.amount}
            for d in Disbursement.objects.filter(contract=contract).order_by("paid_on", "pk")]


# --- checks -----------------------------------------------------------------------------------------------

def _check_finance(by, what: str) -> None:
    if not is_finance(by):
        raise FundsRefused(_("只有财务人员可以%(what)s。") % {"what": what})


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

def record_disbursement(contract: Contract, by, *, paid_on: dt.date | None, amount: Decimal | None,
                        tranche: ContractTranche | None = None, reference: str = "", note: str = "") -> Disbursement:
    """Finance records a payment made under ``contract``: the amount (> 0; the total paid never above the
    contract amount), the date (not before signing, not in the future), optionally the tranche of this
    contract's plan it pays. Raises FundsRefused / FundsInvalid; nothing changes then."""
    _check_finance(by, _("登记拨付"))
    reference, note = _text(reference), _text(note)
    with transaction.atomic():
        locked = _lock(contract)
        app = locked.application
        refusal = disbursement_refusal(locked)
        if refusal:
            raise FundsRefused(refusal)
        errors: dict[str, str] = {}
        problem = _date_problem(_("拨付日期"), paid_on, earliest=locked.signed_on, earliest_name=_("合同签署日"))
        if problem:
            errors["paid_on"] = problem
        problem = _amount_problem(_("拨付金额"), amount)
        if problem:
            errors["amount"] = problem
        else:
            paid = paid_total(locked)
            if paid + amount > locked.amount:
                errors["amount"] = _("拨付金额：本次 %(amount)s 万元后累计拨付 %(total)s 万元，超过合同金额 %(contract)s 万元"
                                     "（已拨付 %(paid)s 万元）。") % {
                    "amount": _n(amount), "total": _n(paid + amount),
                    "contract": _n(locked.amount), "paid": _n(paid)}
        if tranche is not None and tranche.contract_id != locked.pk:
            errors["tranche"] = _("拨付期次：所选期次不属于本合同的拨付计划。")
        for field, label, text, kind in (("reference", _("凭证号"), reference, "string"),
                                         ("note", _("备注"), note, "comment")):
            too_long = bounds.length_problem(label, text, kind)
            if too_long:
                errors[field] = too_long
        if errors:
            raise FundsInvalid(errors)
        disbursement = Disbursement.objects.create(contract=locked, tranche=tranche, paid_on=paid_on, amount=amount,
                                                   reference=reference, note=note, recorded_by=by,
                                                   recorded_at=clock.now())
        record_event("funds.disburse", _("登记拨付 %(amount)s 万元（%(day)s）") % {
                         "amount": _n(amount), "day": paid_on.isoformat()},
                     actor=by, application=app, obj=disbursement,
                     changes={"paid_on": paid_on.isoformat(), "amount": str(amount),
                              "tranche": tranche.sequence if tranche is not None else None,
                              "reference": reference, "paid_total": str(paid_total(locked))},
                     visibility=Visibility.OFFICE)
    return disbursement


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
