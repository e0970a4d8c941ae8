"""Office pages for contracts: the programme's applications awaiting a contract and those contracted,
the contract form, the contract with its commitments."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from zgcfund.accounts.views.access import get_permitted_or_404, require_perm
from zgcfund.applications.domain import workflow
from zgcfund.applications.models import Application
from zgcfund.audit.domain.downloads import record_download
from zgcfund.implementation.domain import contracts as domain
from zgcfund.implementation.interfaces import forms
from zgcfund.implementation.interfaces.display import commitment_groups
from zgcfund.implementation.models import Contract, ContractStatus
from zgcfund.programmes.domain import current_programme_year
from zgcfund.review.domain import decisions

manage_contracts = require_perm("implementation.manage_contracts")


@manage_contracts
def contract_list(request):
    row = current_programme_year()
    if row is None:
        raise Http404
    awaiting = list(domain.awaiting_contract(row.code))
    for app in awaiting:
        app.awarded = domain.awarded_amount(app)
    contracts = list(domain.contracts(row.code))
    for c in contracts:
        c.decision = decisions.latest_for("contract", c) if c.status == ContractStatus.PROPOSED else None
    context = {"row": row, "awaiting": awaiting, "contracts": contracts}
    return render(request, "implementation/contract_list.html", context)


@manage_contracts
@require_http_methods(["GET", "POST"])
def contract_new(request, pk: int):
    application = get_object_or_404(Application.objects.select_related("organization", "programme_year"), pk=pk)
    existing = Contract.objects.filter(application=application).first()
    if existing is not None and (existing.status == ContractStatus.SIGNED
                                 or decisions.pending_for("contract", existing) is not None):
        return redirect("office:contract", pk=application.pk)
    errors: dict[str, str] = {}
    refusal = None
    data = request.POST if request.method == "POST" else (forms.contract_initial(existing) if existing else {})
    if request.method == "POST":
        try:
            contract = domain.record_contract(application, request.user, **forms.contract_input(request.POST),
                                              note=(request.POST.get("note") or "").strip())
        except domain.ContractInvalid as exc:
            errors = exc.errors
        except domain.ContractRefused as exc:
            refusal = exc.message
        else:
            if contract.status == ContractStatus.SIGNED:
                messages.success(request, _("合同已登记，申报转入“已签约”。"))
            else:
                messages.success(request, _("合同已登记并提请集体研究：%(n)s 名项目办公室人员同意后生效，申报转入“已签约”。")
                                 % {"n": decisions.required_approvals("contract", application.programme_code)})
            return redirect("office:contract", pk=application.pk)
    else:
        refusal = workflow.refusal(application, "sign_contract", request.user)
    first, last = domain.signing_bounds(application)
    submission = domain.latest_submission(application)
    context = {"application": application, "form": data, "errors": errors, "refusal": refusal,
               "error_list": [{"field": f"id_{k}", "message": v} for k, v in errors.items()],
               "tranches": forms.tranche_rows(data, errors), "awarded": domain.awarded_amount(application),
               "first": first, "last": last,
               "approvals_needed": decisions.required_approvals("contract", application.programme_code),
               "decision": decisions.latest_for("contract", existing) if existing else None,
               "plan_count": len(domain.plan_records(submission)) if submission else 0}
    status = 422 if request.method == "POST" and (errors or refusal) else 200
    return render(request, "implementation/contract_form.html", context, status=status)


@manage_contracts
def contract_detail(request, pk: int):
    contract = get_object_or_404(Contract.objects.select_related("application__organization", "recorded_by",
                                                                 "programme_year", "submission"), application_id=pk)
    context = {"contract": contract, "application": contract.application, "tranches": contract.tranches.all(),
               "groups": commitment_groups(contract), "decision": decisions.latest_for("contract", contract)}
    return render(request, "implementation/contract_detail.html", context)


@login_required
def contract_pdf(request, pk: int):
    """The 任务书 PDF: the contract with its payment plan and commitments (office and the organization)."""
    from zgcfund.implementation.interfaces.contract_pdf import render_contract_pdf

    contract = get_permitted_or_404(request, "implementation.view_contract", Contract.objects.select_related(
        "application__organization", "programme_year", "submission"), application_id=pk)
    pdf = render_contract_pdf(contract)
    record_download(request, "download.contract_pdf", _("下载任务书 PDF"), application=contract.application,
                    obj=contract)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, f"任务书-{contract.application.organization.name}.pdf")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
