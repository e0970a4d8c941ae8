"""The money pages: the programme's funds (totals, one row per contract, approved disbursements awaiting
payment, a chart, Excel export), one contract's funds (plan vs paid, disbursements, refunds) and the forms.
The office proposes disbursements to its collective decision (集体研究) on the contract's funds page; finance
records the payment of approved ones and the refunds; each reads the other's part without its forms."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zgcfund.accounts.views.access import allowed, require_perm
from zgcfund.audit.domain.downloads import record_download
from zgcfund.implementation.domain import funds as domain
from zgcfund.implementation.interfaces import funds as forms
from zgcfund.implementation.models import Contract, ContractStatus, Disbursement, Refund
from zgcfund.programmes.domain import clock, current_programme_year
from zgcfund.review.domain import decisions

view_funds = require_perm("implementation.view_funds")
manage_funds = require_perm("implementation.manage_funds")
propose_disbursement = require_perm("implementation.propose_disbursement")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _programme():
    row = current_programme_year()
    if row is None:
        raise Http404
    return row


def _contract(pk: int) -> Contract:
    """The signed contract of application ``pk`` (404 when it has none, or only a proposed one)."""
    return get_object_or_404(Contract.objects.select_related("application__organization"), application_id=pk,
                             status=ContractStatus.SIGNED)


def _roles(request) -> dict:
    return {"may_manage": allowed(request.user, "implementation.manage_funds"),
            "may_propose": allowed(request.user, "implementation.propose_disbursement"),
            "is_office": allowed(request.user, "accounts.access_office")}


@view_funds
@require_GET
def funds_overview(request):
    row = _programme()
    rows = domain.contract_rows(row.code)
    context = {"row": row, "rows": rows, "totals": domain.totals(row.code), "payments_due": domain.payments_due(row.code),
               "chart": forms.committed_vs_paid(rows).svg() if rows else None, **_roles(request)}
    return render(request, "implementation/funds_overview.html", context)


@view_funds
@require_GET
def funds_export(request):
    row = _programme()
    data = forms.export_xlsx(row.code, domain.contract_rows(row.code), domain.totals(row.code))
    record_download(request, "export.funds", _("导出%(code)s资金拨付与退回表") % {"code": row.code},
                    changes={"code": row.code})
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(
        True, f"资金拨付与退回-{row.code}-{clock.today():%Y%m%d}.xlsx")
    return response


def _tranche_options(contract: Contract) -> list[tuple[str, str]]:
    return [("", _("（不对应具体期次）"))] + [
        (str(t.sequence), _("第 %(i)s 期：%(day)s，%(amount)s 万元") % {"i": t.sequence, "day": t.planned_on.isoformat(),
                                                                     "amount": t.amount})
        for t in contract.tranches.all()]


def _contract_page(request, contract: Contract, *, proposal=None, errors=None, refusal: str | None = None,
                   status: int = 200):
    """The contract's funds page; ``proposal``/``errors``/``refusal``: the office's disbursement proposal as
    typed and what was wrong with it (a 422 re-render)."""
    roles = _roles(request)
    errors = errors or {}
    disbursements = list(contract.disbursements.select_related("tranche", "proposed_by", "recorded_by")
                         .order_by("proposed_at", "pk"))
    if roles["is_office"]:  # the collective decision about each: office only
        for d in disbursements:
            d.decision = decisions.latest_for("disbursement", d)
    totals = domain.contract_totals(contract)
    proposal = proposal if proposal is not None else {}
    fields = [
        _field("tranche", _("拨付期次"), proposal, errors, kind="select", required=False,
               options=_tranche_options(contract)),
        _field("amount", _("拨付金额（万元）"), proposal, errors, kind="amount",
               help=_("合同金额 %(amount)s 万元；已拨付、已批准和待集体研究的共 %(held)s 万元。") % {
                   "amount": totals.committed, "held": domain.planned_total(contract)}),
        _field("planned_on", _("计划拨付日期（可选）"), proposal, errors, kind="date", required=False,
               help=_("不早于合同签署日 %(day)s。") % {"day": contract.signed_on.isoformat()}),
        _field("note", _("提请说明（可选）"), proposal, errors, kind="textarea", required=False),
    ]
    context = {"contract": contract, "application": contract.application, "totals": totals,
               "tranches": domain.tranche_rows(contract), "disbursements": disbursements,
               "refunds": contract.refunds.select_related("recorded_by", "returned_by").order_by("decided_on", "pk"),
               "disbursement_refusal": domain.disbursement_refusal(contract),
               "refund_refusal": domain.refund_refusal(contract), "proposal_fields": fields,
               "proposal_refusal": refusal, "proposal_errors": errors,
               "approvals_needed": decisions.required_approvals("disbursement", contract.application.programme_code),
               "error_list": [{"field": f"id_{k}", "message": v} for k, v in errors.items()], **roles}
    return render(request, "implementation/funds_contract.html", context, status=status)


@view_funds
@require_GET
def funds_contract(request, pk: int):
    return _contract_page(request, _contract(pk))


@propose_disbursement
@require_POST
def disbursement_propose(request, pk: int):
    """The office proposes a disbursement to its collective decision (422 re-renders the page as typed)."""
    contract = _contract(pk)
    try:
        domain.propose_disbursement(contract, request.user, **forms.proposal_input(request.POST, contract))
    except domain.FundsInvalid as exc:
        return _contract_page(request, contract, proposal=request.POST, errors=exc.errors, status=422)
    except domain.FundsRefused as exc:
        return _contract_page(request, contract, proposal=request.POST, refusal=exc.message, status=422)
    messages.success(request, _("拨付已提请集体研究：%(n)s 名项目办公室人员同意后由财务人员登记拨付。")
                     % {"n": decisions.required_approvals("disbursement", contract.application.programme_code)})
    return redirect("office:funds_contract", pk=pk)


def _form_page(request, *, contract: Contract, title: str, fields: list[dict], submit: str, confirm: str,
               errors: dict[str, str], refusal: str | None, status: int):
    context = {"contract": contract, "application": contract.application, "title": title, "fields": fields,
               "submit": submit, "confirm": confirm, "errors": errors, "refusal": refusal,
               "error_list": [{"field": f"id_{k}", "message": v} for k, v in errors.items()]}
    return render(request, "implementation/funds_form.html", context, status=status)


def _field(name: str, label: str, data, errors, *, kind: str = "text", required: bool = True, options=(),
           help: str = "") -> dict:
    return {"name": name, "label": label, "kind": kind, "value": data.get(name, ""), "error": errors.get(name),
            "required": required, "options": options, "help": help}


@manage_funds
@require_http_methods(["GET", "POST"])
def disbursement_pay(request, pk: int):
    """Finance records the payment of an approved disbursement."""
    disbursement = get_object_or_404(Disbursement.objects.select_related("contract__application__organization",
                                                                         "tranche"), pk=pk)
    contract = disbursement.contract
    errors: dict[str, str] = {}
    refusal = domain.payment_refusal(disbursement)
    data = request.POST if request.method == "POST" else {}
    if request.method == "POST" and not refusal:
        try:
            domain.record_payment(disbursement, request.user, **forms.payment_input(request.POST))
        except domain.FundsInvalid as exc:
            errors = exc.errors
        except domain.FundsRefused as exc:
            refusal = exc.message
        else:
            messages.success(request, _("拨付已登记。"))
            return redirect("office:funds_contract", pk=contract.application_id)
    tranche = disbursement.tranche
    fields = [
        _field("paid_on", _("拨付日期"), data, errors, kind="date",
               help=_("经集体研究批准拨付 %(amount)s 万元（%(tranche)s）。不早于合同签署日 %(day)s，不晚于今天。") % {
                   "amount": disbursement.amount, "day": contract.signed_on.isoformat(),
                   "tranche": _("第 %(i)s 期") % {"i": tranche.sequence} if tranche else _("不对应具体期次")}),
        _field("reference", _("凭证号（可选）"), data, errors, required=False),
        _field("note", _("备注（可选）"), data, errors, kind="textarea", required=False),
    ]
    status = 422 if request.method == "POST" and (errors or refusal) else 200
    return _form_page(request, contract=contract, title=_("登记拨付"), fields=fields, submit=_("登记拨付"),
                      confirm=_("拨付登记后不能修改或删除，请核对日期和凭证号。"), errors=errors, refusal=refusal,
                      status=status)


@manage_funds
@require_http_methods(["GET", "POST"])
def refund_new(request, pk: int):
    contract = _contract(pk)
    errors: dict[str, str] = {}
    refusal = domain.refund_refusal(contract)
    data = request.POST if request.method == "POST" else {}
    if request.method == "POST" and not refusal:
        try:
            domain.record_refund(contract, request.user, **forms.refund_input(request.POST))
        except domain.FundsInvalid as exc:
            errors = exc.errors
        except domain.FundsRefused as exc:
            refusal = exc.message
        else:
            messages.success(request, _("应退回资金已登记。"))
            return redirect("office:funds_contract", pk=pk)
    totals = domain.contract_totals(contract)
    fields = [
        _field("amount_due", _("应退回金额（万元）"), data, errors, kind="amount",
               help=_("已拨付 %(paid)s 万元，已登记应退回 %(due)s 万元。") % {"paid": totals.paid, "due": totals.refund_due}),
        _field("decided_on", _("决定日期"), data, errors, kind="date"),
        _field("reason", _("退回原因"), data, errors, kind="textarea"),
    ]
    status = 422 if request.method == "POST" and (errors or refusal) else 200
    return _form_page(request, contract=contract, title=_("登记应退回资金"), fields=fields, submit=_("登记应退回资金"),
                      confirm=_("登记后不能修改或删除，请核对金额和原因。"), errors=errors, refusal=refusal, status=status)


@manage_funds
@require_http_methods(["GET", "POST"])
def refund_returned(request, pk: int):
    refund = get_object_or_404(Refund.objects.select_related("contract__application__organization"), pk=pk)
    contract = refund.contract
    errors: dict[str, str] = {}
    refusal = domain.return_refusal(refund)
    data = request.POST if request.method == "POST" else {}
    if request.method == "POST" and not refusal:
        try:
            domain.mark_refund_returned(refund, request.user, **forms.returned_input(request.POST))
        except domain.FundsInvalid as exc:
            errors = exc.errors
        except domain.FundsRefused as exc:
            refusal = exc.message
        else:
            messages.success(request, _("资金退回已登记。"))
            return redirect("office:funds_contract", pk=contract.application_id)
    fields = [
        _field("returned_on", _("退回日期"), data, errors, kind="date",
               help=_("应退回 %(due)s 万元，决定日期 %(day)s。") % {"due": refund.amount_due,
                                                                "day": refund.decided_on.isoformat()}),
        _field("returned_amount", _("实际退回金额（万元）"), data, errors, kind="amount"),
    ]
    status = 422 if request.method == "POST" and (errors or refusal) else 200
    return _form_page(request, contract=contract, title=_("登记资金退回"), fields=fields, submit=_("登记资金退回"),
                      confirm=_("登记后不能修改，请核对日期和金额。"), errors=errors, refusal=refusal, status=status)
