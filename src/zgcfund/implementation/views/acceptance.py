"""Acceptance pages: the office's acceptance page per contract (commitments with the organization's reported
delivery and the office's verification, the live final evaluation, X-P-GROW, the conclusion form), one
commitment's assessment (htmx: the live part again), the conclusion, and the acceptance report PDF (the
office; the organization once concluded)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from zgcfund.accounts.views.access import allowed, require_perm
from zgcfund.applications.domain import workflow
from zgcfund.audit.domain.downloads import record_download
from zgcfund.implementation.domain import acceptance as domain
from zgcfund.implementation.domain.acceptance import AcceptanceInvalid, AcceptanceRefused
from zgcfund.implementation.interfaces import acceptance_forms as forms
from zgcfund.implementation.interfaces.acceptance_display import ASSESSED_CHOICES, assessment_groups, final_panel, pgrow_panel
from zgcfund.implementation.interfaces.acceptance_pdf import render_acceptance_pdf
from zgcfund.implementation.models import AcceptanceConclusion, Commitment, Contract
from zgcfund.review.domain import decisions

manage_acceptance = require_perm("implementation.manage_acceptance")


def _contract(pk: int) -> Contract:
    return get_object_or_404(Contract.objects.select_related("application__organization", "application__programme_year",
                                                             "programme_year", "submission"), application_id=pk)


def _as_of(data, contract: Contract) -> dt.date:
    """The acceptance date the live evaluation uses: the one asked for (within the bounds), else today."""
    first, last = domain.accepted_on_bounds(contract)
    day = forms.parse_date(data.get("as_of") or data.get("accepted_on"))
    return day if day is not None and first <= day <= last else last


def _context(request, contract: Contract, *, posted=None, conclusion=None, conclusion_errors=None,
             refusal: str | None = None, as_of: dt.date | None = None) -> dict:
    acceptance = domain.acceptance_of(contract)
    programme = domain.programme_of(contract)
    prior = domain.prior_evaluation(contract, programme)
    frozen = bool(acceptance and acceptance.frozen)  # proposed or concluded: as stored at the proposal
    if frozen:
        as_of, final, pgrow, problems = acceptance.accepted_on, acceptance.evaluation, acceptance.pgrow, []
    else:
        as_of = as_of or _as_of(request.GET, contract)
        result = domain.evaluate_final(contract, as_of)
        final, pgrow, problems = result.evaluation, result.pgrow, result.problems
    conclusion_errors = conclusion_errors or {}
    first, last = domain.accepted_on_bounds(contract)
    application = contract.application
    if conclusion is None:  # a conclusion sent back is offered again as proposed
        conclusion = {"accepted_on": as_of.isoformat()}
        if acceptance is not None and not frozen and acceptance.conclusion:
            conclusion = {"accepted_on": acceptance.accepted_on.isoformat() if acceptance.accepted_on else "",
                          "conclusion": acceptance.conclusion, "comments": acceptance.comments,
                          "rectification": acceptance.rectification}
    return {"contract": contract, "application": application, "acceptance": acceptance,
            "concluded": bool(acceptance and acceptance.concluded), "frozen": frozen,
            "proposed": bool(acceptance and acceptance.proposed),
            "decision": decisions.latest_for("acceptance", acceptance) if acceptance is not None else None,
            "approvals_needed": decisions.required_approvals("acceptance", application.programme_code),
            "as_of": as_of, "first": first, "last": last,
            "groups": assessment_groups(contract, programme, posted), "status_choices": ASSESSED_CHOICES,
            "panel": final_panel(programme, prior, final), "pgrow": pgrow_panel(programme, pgrow),
            "copy_problems": problems, "refusal": refusal,
            "implementing": application.status == workflow.IMPLEMENTING,
            "may_conclude": application.status == workflow.REPORTING,
            "conclusion_choices": AcceptanceConclusion.choices,
            "conclusion": conclusion,
            "conclusion_errors": conclusion_errors,
            "error_list": [{"field": f"id_{k}", "message": v} for k, v in conclusion_errors.items()]
            + [{"field": f"id_{pk}_{k}", "message": v} for pk, (_data, errors) in (posted or {}).items()
               for k, v in errors.items() if v]}


@manage_acceptance
@require_GET
def acceptance(request, pk: int):
    contract = _contract(pk)
    return render(request, "implementation/acceptance.html", _context(request, contract))


@manage_acceptance
@require_POST
def assess(request, pk: int, commitment_pk: int):
    contract = _contract(pk)
    commitment = get_object_or_404(Commitment, pk=commitment_pk, contract=contract)
    as_of = _as_of(request.POST, contract)
    errors: dict[str, str] = {}
    refusal = None
    try:
        domain.assess_commitment(commitment, request.user, **forms.assessment_input(request.POST))
    except AcceptanceInvalid as exc:
        errors = exc.errors
    except AcceptanceRefused as exc:
        refusal = exc.message
    posted = {commitment.pk: (request.POST, errors or {"status": refusal})} if errors or refusal else None
    if request.htmx:  # the live part again: the commitments, the final evaluation, X-P-GROW (htmx swaps 2xx only)
        context = _context(request, contract, posted=posted, refusal=refusal, as_of=as_of)
        context["saved"] = None if posted else commitment.record_key
        return render(request, "implementation/_acceptance_live.html", context)
    if posted:
        context = _context(request, contract, posted=posted, refusal=refusal, as_of=as_of)
        return render(request, "implementation/acceptance.html", context, status=422)
    messages.success(request, _("已保存承诺 %(key)s 的完成情况。") % {"key": commitment.record_key})
    url = reverse("office:acceptance", args=[pk])
    return redirect(f"{url}?as_of={as_of.isoformat()}#commitment-{commitment.record_key}")


@manage_acceptance
@require_POST
def conclude(request, pk: int):
    contract = _contract(pk)
    errors: dict[str, str] = {}
    refusal = None
    try:
        acceptance = domain.conclude(contract, request.user, **forms.conclusion_input(request.POST),
                                     note=(request.POST.get("note") or "").strip())
    except AcceptanceInvalid as exc:
        errors = exc.errors
    except AcceptanceRefused as exc:
        refusal = exc.message
    if errors or refusal:
        context = _context(request, contract, conclusion=request.POST, conclusion_errors=errors, refusal=refusal,
                           as_of=_as_of(request.POST, contract))
        return render(request, "implementation/acceptance.html", context, status=422)
    if acceptance.concluded:
        messages.success(request, _("验收结论已登记，申报单位已收到通知。"))
    else:
        messages.success(request, _("验收结论已提请集体研究：%(n)s 名项目办公室人员同意后生效，申报单位收到通知。")
                         % {"n": decisions.required_approvals("acceptance", contract.application.programme_code)})
    return redirect("office:acceptance", pk=pk)


@login_required
@require_GET
def acceptance_pdf(request, pk: int):
    """The acceptance report: the office (a draft before the conclusion), the organization once concluded."""
    contract = Contract.objects.select_related("application__organization", "programme_year", "submission").filter(
        application_id=pk).first()
    if contract is None or not allowed(request.user, "implementation.view_acceptance_report", contract):
        raise Http404
    acceptance = domain.acceptance_of(contract)
    concluded = bool(acceptance and acceptance.concluded)
    body = render_acceptance_pdf(contract, as_of=None if concluded else _as_of(request.GET, contract))
    org = contract.application.organization
    name = f"验收报告-{org.name}.pdf" if concluded else f"验收报告（草稿）-{org.name}.pdf"
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    record_download(request, "download.acceptance_pdf", _("下载验收报告 PDF（%(org)s）") % {"org": org.name},
                    application=contract.application, obj=acceptance or contract,
                    changes={"concluded": concluded})
    return response
