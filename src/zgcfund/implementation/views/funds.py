"""The money pages: the programme's funds (totals, one row per contract, a chart, Excel export), one
contract's funds (plan vs paid, disbursements, refunds) and finance's forms. Finance records; the office
reads the same pages without the forms."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from zgcfund.accounts.views.access import allowed, require_perm
from zgcfund.audit.domain.downloads import record_download
from zgcfund.implementation.domain import funds as domain
from zgcfund.implementation.interfaces import funds as forms
from zgcfund.implementation.models import Contract, Refund
from zgcfund.programmes.domain import clock, current_programme_year

view_funds = require_perm("implementation.view_funds")
manage_funds = require_perm("implementation.manage_funds")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _programme():
    row = current_programme_year()
    if row is None:
        raise Http404
    return row


def _contract(pk: int) -> Contract:
    """The contract of application ``pk`` (404 when it has none)."""
    return get_object_or_404(Contract.objects.select_related("application__organization"), application_id=pk)


def _roles(request) -> dict:
    return {"may_manage": allowed(request.user, "implementation.manage_funds"),
            "is_office": allowed(request.user, "accounts.access_office")}


@view_funds
@require_GET
def funds_overview(request):
    row = _programme()
    rows = domain.contract_rows(row.code)
    context = {"row": row, "rows": rows, "totals": domain.totals(row.code),
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


@view_funds
@require_GET
def funds_contract(request, pk: int):
    contract = _contract(pk)
    context = {"contract": contract, "application": contract.application,
               "totals": domain.contract_totals(contract), "tranches": domain.tranche_rows(contract),
               "disbursements": contract.disbursements.select_related("tranche", "recorded_by").order_by("paid_on", "pk"),
               "refunds": contract.refunds.select_related("recorded_by", "returned_by").order_by("decided_on", "pk"),
               "disbursement_refusal": domain.disbursement_refusal(contract),
               "refund_refusal": domain.refund_refusal(contract), **_roles(request)}
    return render(request, "implementation/funds_contract.html", context)


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
def disbursement_new(request, pk: int):
    contract = _contract(pk)
    errors: dict[str, str] = {}
    refusal = domain.disbursement_refusal(contract)
    data = request.POST if request.method == "POST" else {}
    if request.method == "POST" and not refusal:
        try:
            domain.record_disbursement(contract, request.user, **forms.disbursement_input(request.POST, contract))
        except domain.FundsInvalid as exc:
            errors = exc.errors
        except domain.FundsRefused as exc:
            refusal = exc.message
        else:
            messages.success(request, _("拨付已登记。"))
            return redirect("office:funds_contract", pk=pk)
    totals = domain.contract_totals(contract)
    options = [("", _("（不对应具体期次）"))] + [
        (str(t.sequence), _("第 %(i)s 期：%(day)s，%(amount)s 万元") % {"i": t.sequence, "day": t.planned_on.isoformat(),
                                                                     "amount": t.amount})
        for t in contract.tranches.all()]
    fields = [
        _field("paid_on", _("拨付日期"), data, errors, kind="date",
               help=_("不早于合同签署日 %(day)s，不晚于今天。") % {"day": contract.signed_on.isoformat()}),
        _field("amount", _("拨付金额（万元）"), data, errors, kind="amount",
               help=_("合同金额 %(amount)s 万元，已拨付 %(paid)s 万元，未拨付 %(left)s 万元。") % {
                   "amount": totals.committed, "paid": totals.paid, "left": totals.outstanding}),
        _field("tranche", _("拨付期次"), data, errors, kind="select", required=False, options=options),
        _field("reference", _("凭证号（可选）"), data, errors, required=False),
        _field("note", _("备注（可选）"), data, errors, kind="textarea", required=False),
    ]
    status = 422 if request.method == "POST" and (errors or refusal) else 200
    return _form_page(request, contract=contract, title=_("登记拨付"), fields=fields, submit=_("登记拨付"),
                      confirm=_("拨付登记后不能修改或删除，请核对日期和金额。"), errors=errors, refusal=refusal,
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
