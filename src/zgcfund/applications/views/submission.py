"""Submitting (承诺书 + sealed scan), the status page, and the submitted PDF."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zgcfund.accounts.views.access import allowed, get_permitted_or_404
from zgcfund.applications.domain import contract, outcome, workflow
from zgcfund.applications.domain.editing import EditRefused
from zgcfund.applications.domain.evidence import EvidenceRejected, store_commitment_scan
from zgcfund.applications.domain.submission import (
    COMMITMENT_TEXT,
    SubmissionRefused,
    blockers,
    content_version,
    latest_commitment,
    materials_missing,
    submit_application,
    unresolved_choices,
    withdraw_application,
)
from zgcfund.applications.domain.submission import (
    draft_pdf as draft_pdf_of,
)
from zgcfund.applications.models import Submission
from zgcfund.applications.views.common import application_context, get_application, login_required
from zgcfund.applications.views.evidence import upload_rate_refusal
from zgcfund.audit.domain.downloads import record_download
from zgcfund.audit.domain.security import SecurityEventKind, record_security_event


@login_required
@require_http_methods(["GET", "POST"])
def submit(request, pk: int):
    application = get_application(request, pk, "applications.submit_application")
    context = application_context(request, application)
    errors: list[str] = []
    scan_kept = ""  # a sealed scan stored by this POST although the submission failed: the page says so
    if request.method == "POST":
        commitment = latest_commitment(application)
        upload = request.FILES.get("commitment_scan")
        refusal = upload_rate_refusal(request, f"commitment application {pk}") if upload is not None else None
        if refusal:
            errors.append(refusal)
        elif upload is not None:
            try:
                commitment = store_commitment_scan(application, request.user, upload)
                scan_kept = commitment.name
            except EvidenceRejected as exc:
                if exc.existing is not None and exc.existing.kind == "commitment":
                    commitment = exc.existing  # the same sealed scan chosen again: use the stored one
                    scan_kept = commitment.name
                else:
                    errors.append(exc.message)
            except EditRefused as exc:
                errors.append(exc.message)
        opened = request.POST.get("opened_version", "")
        if not errors:
            try:
                submission = submit_application(application, request.user,
                                                commitment_accepted=request.POST.get("commitment") == "on",
                                                commitment=commitment, opened_version=opened)
            except SubmissionRefused as exc:
                errors = exc.messages
            else:
                message = _("申报书已提交（第 %(n)s 次提交）。可在下方下载申报书 PDF。") % {"n": submission.number}
                messages.success(request, message)
                return redirect("applications:status", pk=pk)
    context.update(blockers=blockers(application), errors=errors, commitment_text=COMMITMENT_TEXT,
                   opened_version=content_version(application),
                   commitment=latest_commitment(application),
                   commitment_ticked=request.method == "POST" and request.POST.get("commitment") == "on",
                   scan_kept=scan_kept if errors else "",
                   choices_to_make=unresolved_choices(application, context["assessment"]),
                   materials_missing=materials_missing(application, context["assessment"]))
    return render(request, "applications/submit.html", context, status=422 if errors else 200)


@login_required
@require_GET
def status(request, pk: int):
    return _status_page(request, get_application(request, pk))


def _status_page(request, application, *, errors=(), reason: str = "", status: int = 200):
    context = application_context(request, application, with_panel=False)
    context["submissions"] = application.submissions.select_related("submitted_by").order_by("-number")
    context["steps"] = workflow.progress(application.status)
    context["may_withdraw"] = (application.phase.applicant_can_withdraw
                               and allowed(request.user, "applications.withdraw_application", application))
    context.update(withdraw_errors=list(errors), withdraw_reason=reason, outcome=outcome.outcome_for(application))
    context["contract"] = contract.signed_contract(application)
    return render(request, "applications/status.html", context, status=status)


@login_required
@require_POST
def withdraw(request, pk: int):
    application = get_application(request, pk, "applications.withdraw_application")
    reason = request.POST.get("reason", "")
    try:
        withdraw_application(application, request.user, reason, confirmed=request.POST.get("confirm") == "on")
    except SubmissionRefused as exc:
        return _status_page(request, application, errors=exc.messages, reason=reason, status=422)
    messages.success(request, _("申报书已撤回。"))
    return redirect("applications:status", pk=pk)


@login_required
@require_GET
def submission_pdf(request, pk: int, number: int):
    # the frozen submission: also the expert assigned to review it (not the live application)
    submission = get_permitted_or_404(request, "applications.view_submission",
                                      Submission.objects.select_related("application__organization"),
                                      application_id=pk, number=number)
    application = submission.application
    response = FileResponse(submission.pdf.open("rb"), content_type="application/pdf", as_attachment=True,
                            filename=f"申报书-{application.organization.name}-{number}.pdf")
    record_download(request, "download.submission_pdf", _("下载申报书 PDF（第 %(n)s 次提交）") % {"n": number},
                    application=application, obj=submission)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def commitment_pdf(request, pk: int):
    """The 承诺书 pre-filled with the organization and the programme, to print, seal, sign and upload."""
    from zgcfund.applications.interfaces.commitment import render_commitment_pdf

    application = get_application(request, pk)
    pdf = render_commitment_pdf(application)
    record_download(request, "download.commitment_letter", _("下载预填的承诺书 PDF"), application=application,
                    obj=application)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        True, f"承诺书-{application.organization.name}-{application.programme_code}.pdf")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def draft_pdf(request, pk: int):
    """Preview: the 申报书 as it would be now, watermarked 草稿."""
    application = get_application(request, pk)
    try:
        pdf = draft_pdf_of(application, request.user)
    except SubmissionRefused as exc:
        messages.error(request, pgettext("list separator", "；").join(exc.messages))
        return redirect("applications:overview", pk=pk)
    # the activity entry (application.preview, office-only) is written by draft_pdf_of
    record_security_event(SecurityEventKind.PERSONAL_DATA, request, status=200, detail="application.preview")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, f"申报书草稿-{application.organization.name}.pdf")
    response["X-Content-Type-Options"] = "nosniff"
    return response
