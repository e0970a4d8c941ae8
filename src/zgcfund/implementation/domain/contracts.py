"""The support contract (任务书/合同): recorded by the office for an application whose selection notice
period has ended (``published``), with its payment plan; the plan records of the submission it rests on
become the organization's commitments. Recording proposes it to the office's collective decision
(集体研究, ``review.domain.decisions`` subject ``contract``); the contract is ``proposed`` until the decision
is approved, then ``sign_contract`` (its effect) signs it: the phase moves by the declared transition
``sign_contract`` (audited, the ``application.contracted`` notice queued) in the same transaction, under
the row lock. The applicant sees nothing of a proposed contract."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from zgcfund.applications.domain import workflow
from zgcfund.applications.models import Application, Submission
from zgcfund.core import bounds
from zgcfund.implementation.models import Commitment, Contract, ContractStatus, ContractTranche
from zgcfund.programmes.domain import clock, parsed
from zgcfund.review.domain import decisions
from zgcfund.review.domain import selection as selections

MAX_TRANCHES = 6
#: the format's common record fields; everything else a plan record holds is a target of the clause
COMMON_FIELDS = frozenset({"id", "clause", "phase", "date", "title", "evidence", "verified", "delivery"})
PLAN = "plan"


class ContractRefused(Exception):
    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


class ContractInvalid(Exception):
    """Form errors keyed by field name (raised by ``implementation.interfaces.forms`` and here)."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


@dataclass(frozen=True)
class TrancheInput:
    planned_on: dt.date | None
    amount: Decimal | None
    condition: str = ""
    row: int = 0  # the form row it was typed in (errors name it); 0: its place in the list


# --- what the pages ask -------------------------------------------------------------------------------

def signing_bounds(application: Application) -> tuple[dt.date, dt.date]:
    """The days a contract may be signed on (W-PLAN: 实施期时间为2025年签署合同的日期到2026年6月): the
    programme file's ``contract_earliest`` / ``contract_latest`` as of the application date, else the
    programme year."""
    programme = parsed(application.programme_year)
    params = programme.params_on(application.applied_on or clock.today())
    first, last = params.get("contract_earliest"), params.get("contract_latest")
    year = application.programme_year.year
    return first or dt.date(year, 1, 1), last or dt.date(year, 12, 31)


def awarded_amount(application: Application) -> Decimal | None:
    """The amount (万元) the published selection awarded the application, None when it names none."""
    selection = selections.published(application.programme_code)
    if selection is None:
        return None
    for o in selection.result["selected"]:
        if o["application_id"] == application.pk and o.get("amount"):
            try:
                return Decimal(str(o["amount"]))
            except InvalidOperation:
                return None
    return None


def awaiting_contract(code: str):
    """The programme's applications whose notice period has ended and which wait for their contract."""
    return (Application.objects.filter(programme_code=code, status__in=workflow.TRANSITIONS["sign_contract"].sources,
                                       contract__isnull=True)
            .select_related("organization").order_by("organization__name", "pk"))


def contracts(code: str):
    """The programme's contracts, proposed and signed."""
    return (Contract.objects.filter(application__programme_code=code)
            .select_related("application__organization", "recorded_by").order_by("-signed_on", "pk"))


def latest_submission(application: Application) -> Submission | None:
    return application.submissions.order_by("-number").first()


def plan_records(submission: Submission) -> list[dict]:
    return [r for r in (submission.document or {}).get("records", []) if r.get("phase") == PLAN]


# --- recording the contract ------------------------------------------------------------------------------

def _problems(application: Application, *, signed_on, amount, tranches, conditions) -> dict[str, str]:
    errors: dict[str, str] = {}
    first, last = signing_bounds(application)
    if signed_on is None:
        errors["signed_on"] = _("合同签署日：请填写日期（年-月-日）。")
    elif not first <= signed_on <= last:
        errors["signed_on"] = _("合同签署日：须在 %(first)s 至 %(last)s 之间（实施期自%(year)s年签署合同的日期起算，"
                                "W-PLAN）。") % {"first": first.isoformat(), "last": last.isoformat(), "year": first.year}
    elif signed_on > clock.today():
        errors["signed_on"] = _("合同签署日：%(day)s 尚未到来，请在合同签署后登记。") % {"day": signed_on.isoformat()}
    else:
        selection = selections.published(application.programme_code)
        if selection is not None and signed_on < timezone.localdate(selection.published_at):
            errors["signed_on"] = _("合同签署日：不得早于遴选结果公示日 %(day)s。") % {
                "day": timezone.localdate(selection.published_at).isoformat()}
    awarded = awarded_amount(application)
    if amount is None:
        errors["amount"] = _("合同金额：请填写金额（万元）。")
    elif amount <= 0 or amount > bounds.AMOUNT_MAX:
        errors["amount"] = _("合同金额：须为大于 0 的金额（万元）。")
    elif awarded is not None and amount > awarded:
        errors["amount"] = _("合同金额：%(amount)s 万元超过遴选结果的支持金额 %(awarded)s 万元。") % {
            "amount": bounds.number_text(amount), "awarded": bounds.number_text(awarded)}
    if len(tranches) > MAX_TRANCHES:
        errors["tranches"] = _("拨付计划：至多 %(n)s 期。") % {"n": MAX_TRANCHES}
    total = Decimal(0)
    for n, t in enumerate(tranches, start=1):
        i = t.row or n
        if t.planned_on is None:
            errors[f"tranche{i}_planned_on"] = _("第 %(i)s 期计划拨付日期：请填写日期（年-月-日）。") % {"i": i}
        elif signed_on is not None and t.planned_on < signed_on:
            errors[f"tranche{i}_planned_on"] = _("第 %(i)s 期计划拨付日期：不得早于合同签署日。") % {"i": i}
        if t.amount is None or t.amount <= 0 or t.amount > bounds.AMOUNT_MAX:
            errors[f"tranche{i}_amount"] = _("第 %(i)s 期拨付金额：须为大于 0 的金额（万元）。") % {"i": i}
        else:
            total += t.amount
        too_long = bounds.length_problem(_("第 %(i)s 期拨付条件") % {"i": i}, t.condition, "string")
        if too_long:
            errors[f"tranche{i}_condition"] = too_long
    if not tranches:
        errors["tranches"] = _("拨付计划：请至少填写一期。")
    elif amount is not None and "amount" not in errors and not any(k.startswith("tranche") for k in errors) \
            and total != amount:
        errors["tranches"] = _("拨付计划：各期金额合计 %(total)s 万元，应等于合同金额 %(amount)s 万元。") % {
            "total": bounds.number_text(total), "amount": bounds.number_text(amount)}
    too_long = bounds.length_problem(_("合同条件"), conditions, "comment")
    if too_long:
        errors["conditions"] = too_long
    return errors


def _date(raw) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError:
        return None


def record_contract(application: Application, by, *, signed_on: dt.date | None, amount: Decimal | None,
                    tranches: list[TrancheInput], conditions: str = "", note: str = "") -> Contract:
    """Record the contract of ``application`` (phase ``published``) and propose it to the collective decision
    (``note``: the proposal's note): checks the signing date (W-PLAN, not before the selection's
    publication), the amount (> 0, not above the selection's award), the payment plan (its amounts add up
    to the contract's); freezes the latest submission's plan records as the commitments. The contract is
    ``proposed`` until the decision is approved (``sign_contract``; at once when the programme asks for one
    approval). A proposed contract whose decision ended (sent back, withdrawn) is replaced. Raises
    ContractRefused (the move is not possible) or ContractInvalid (field errors); nothing changes then."""
    conditions = (conditions or "").strip()
    tranches = [TrancheInput(t.planned_on, t.amount, (t.condition or "").strip(), t.row) for t in tranches]
    with transaction.atomic():
        app = (Application.objects.select_for_update().select_related("organization", "programme_year")
               .get(pk=application.pk))
        existing = Contract.objects.filter(application=app).first()
        if existing is not None and existing.status == ContractStatus.SIGNED:
            raise ContractRefused(_("本申报已于 %(day)s 签订合同，不能重复登记。") % {"day": existing.signed_on.isoformat()})
        if existing is not None and decisions.pending_for("contract", existing) is not None:
            raise ContractRefused(_("本申报的合同已提请集体研究，尚待研究结果；如需修改，请提请人先撤回。"))
        refusal = workflow.refusal(app, "sign_contract", by)
        if refusal:
            raise ContractRefused(refusal)
        submission = latest_submission(app)
        if submission is None:
            raise ContractRefused(_("本申报没有提交记录，不能签订合同。"))
        errors = _problems(app, signed_on=signed_on, amount=amount, tranches=tranches, conditions=conditions)
        if errors:
            raise ContractInvalid(errors)
        fields = {"submission": submission, "programme_year": app.programme_year,
                  "programme_sha256": submission.programme_sha256, "signed_on": signed_on, "amount": amount,
                  "awarded_amount": awarded_amount(app), "conditions": conditions, "recorded_by": by,
                  "recorded_at": clock.now(), "status": ContractStatus.PROPOSED}
        if existing is not None:  # sent back or withdrawn: the same contract, as now typed
            contract = existing
            for name, value in fields.items():
                setattr(contract, name, value)
            contract.save()
            contract.tranches.all().delete()
            contract.commitments.all().delete()
        else:
            contract = Contract.objects.create(application=app, **fields)
        ContractTranche.objects.bulk_create(
            ContractTranche(contract=contract, sequence=i, planned_on=t.planned_on, amount=t.amount,
                            condition=t.condition) for i, t in enumerate(tranches, start=1))
        records = plan_records(submission)
        Commitment.objects.bulk_create(
            Commitment(contract=contract, record_key=r["id"], clause=r["clause"], title=r.get("title", ""),
                       date=_date(r.get("date")) or signed_on,
                       targets={k: v for k, v in r.items() if k not in COMMON_FIELDS}) for r in records)
        try:
            decisions.propose("contract", contract, by, note)
        except decisions.DecisionInvalid as exc:
            raise ContractInvalid(exc.errors) from None
        except decisions.DecisionRefused as exc:
            raise ContractRefused(exc.message) from None
    application.refresh_from_db()
    contract.refresh_from_db()
    return contract


def _plain(amount: Decimal) -> str:
    """15.00 → "15", 9.50 → "9.5" (as typed)."""
    return format(amount.normalize(), "f")


def sign_contract(contract: Contract, by, decision=None) -> Contract:
    """The effect of the approved collective decision ``contract``: the contract is signed, the application's
    ``contract_signed_on`` set and ``sign_contract`` taken (audited, the applicant notified), under the row
    locks. Raises ContractRefused (already signed, or the application has left ``published``)."""
    with transaction.atomic():
        app = (Application.objects.select_for_update().select_related("organization", "programme_year")
               .get(pk=contract.application_id))
        contract = Contract.objects.select_for_update().get(pk=contract.pk)
        if contract.status == ContractStatus.SIGNED:
            raise ContractRefused(_("本申报已于 %(day)s 签订合同，不能重复登记。") % {"day": contract.signed_on.isoformat()})
        refusal = workflow.refusal(app, "sign_contract", by)
        if refusal:
            raise ContractRefused(refusal)
        contract.status = ContractStatus.SIGNED
        contract.save(update_fields=["status"])
        app.contract_signed_on = contract.signed_on
        app.save(update_fields=["contract_signed_on", "updated_at"])
        tranches = list(contract.tranches.order_by("sequence"))
        workflow.transition(app, "sign_contract", by, obj=contract,
                            changes={"signed_on": contract.signed_on.isoformat(), "amount": _plain(contract.amount),
                                     "tranches": [_plain(t.amount) for t in tranches],
                                     "commitments": contract.commitments.count(),
                                     "submission": contract.submission.number,
                                     "decision": decision.pk if decision is not None else None})
    return contract


def decision_label(contract: Contract) -> str:
    return _("%(org)s 支持合同（%(amount)s 万元）") % {"org": contract.application.organization.name,
                                                  "amount": _plain(contract.amount)}


def decision_summary(contract: Contract) -> list[tuple[str, str]]:
    """The lines the decision page shows about the contract."""
    tranches = list(contract.tranches.order_by("sequence"))
    plan = pgettext("list separator", "；").join(f"{t.planned_on.isoformat()} {_plain(t.amount)}" for t in tranches)
    return [(_("申报单位"), contract.application.organization.name),
            (_("合同签署日"), contract.signed_on.isoformat()),
            (_("合同金额（万元）"), _plain(contract.amount)),
            (_("遴选支持金额（万元）"), _plain(contract.awarded_amount)
             if contract.awarded_amount is not None else "—"),
            (_("拨付计划"), plan or "—"),
            (_("实施承诺"), _("%(n)s 项") % {"n": contract.commitments.count()}),
            (_("合同条件"), contract.conditions or "—")]
