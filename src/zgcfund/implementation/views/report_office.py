"""Office pages for reporting: the report rounds (list, create, edit), a round's organizations (report status,
due date with extension, days overdue, the extension form), the review of a submitted report (the frozen
document, a comment per commitment, return / accept), and the application's phase moves."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from zgcfund.accounts.views.access import require_perm
from zgcfund.applications.models import Application
from zgcfund.implementation.domain import reports as domain
from zgcfund.implementation.interfaces import report_forms as forms
from zgcfund.implementation.models import CommitmentEvidence, CommitmentStatus, Contract, Report, ReportRound, RoundKind
from zgcfund.programmes.domain import clock, current_programme_year, parsed

manage_reports = require_perm("implementation.manage_reports")


@manage_reports
def rounds(request):
    row = current_programme_year()
    if row is None:
        raise Http404
    counts = domain.round_counts(row.code)
    items = [{"round": r, "counts": counts.get(r.pk, {}), "overdue": 0} for r in domain.rounds(row.code)]
    late = domain.overdue(row.code)
    for item in items:
        item["overdue"] = sum(1 for o in late if o.round.pk == item["round"].pk)
    return render(request, "implementation/office/rounds.html", {"row": row, "items": items})


@manage_reports
@require_http_methods(["GET", "POST"])
def round_form(request, pk: int | None = None):
    row = current_programme_year()
    if row is None:
        raise Http404
    report_round = get_object_or_404(ReportRound, pk=pk) if pk is not None else None
    errors: dict[str, str] = {}
    if request.method == "POST":
        data = request.POST
        try:
            saved = domain.save_round(report_round.programme_code if report_round else row.code, request.user,
                                      report_round=report_round, **forms.round_input(request.POST))
        except domain.ReportInvalid as exc:
            errors = exc.errors
        else:
            messages.success(request, _("报告批次“%(name)s”已保存。") % {"name": saved.name})
            return redirect("office:report_round", pk=saved.pk)
    elif report_round is not None:
        data = {"name": report_round.name, "kind": report_round.kind, "due_on": report_round.due_on.isoformat(),
                "asks": report_round.asks}
    else:
        data = {}
    context = {"row": row, "round": report_round, "form": data, "errors": errors, "kinds": RoundKind.choices,
               "error_list": [{"field": f"id_{k}", "message": v} for k, v in errors.items()]}
    return render(request, "implementation/office/round_form.html", context, status=422 if errors else 200)


def _round_page(request, report_round: ReportRound, *, failed: int | None = None, data=None, errors=None,
                status: int = 200):
    rows = domain.round_rows(report_round)
    context = {"round": report_round, "rows": rows, "failed": failed, "form": data or {}, "errors": errors or {},
               "today": clock.today(),
               "error_list": [{"field": f"id_ext{failed}_{k}", "message": v} for k, v in (errors or {}).items()]}
    return render(request, "implementation/office/round_detail.html", context, status=status)


@manage_reports
@never_cache
def round_detail(request, pk: int):
    return _round_page(request, get_object_or_404(ReportRound, pk=pk))


@manage_reports
@require_POST
def extend(request, pk: int, application_pk: int):
    report_round = get_object_or_404(ReportRound, pk=pk)
    application = get_object_or_404(Application, pk=application_pk, programme_code=report_round.programme_code)
    try:
        domain.extend(report_round, application, request.user, **forms.extension_input(request.POST))
    except domain.ReportInvalid as exc:
        return _round_page(request, report_round, failed=application.pk, data=request.POST, errors=exc.errors,
                           status=422)
    except domain.ReportRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已延期“%(org)s”的截止日期。") % {"org": application.organization.name})
    return redirect("office:report_round", pk=report_round.pk)


def _review_page(request, report: Report, *, data=None, errors=None, status: int = 200):
    submission = domain.latest_submission(report)
    if submission is None:
        raise Http404
    contract = report.contract
    programme = parsed(contract.programme_year)
    files = {(e.commitment.record_key, e.sha256): e
             for e in CommitmentEvidence.objects.filter(commitment__contract=contract)
             .select_related("commitment")}
    data = data or {}

    def rows(items):
        out = []
        for c in items:
            definition = programme.clauses.get(c["clause"])
            out.append({**c, "targets_shown": forms.shown(definition, c.get("targets") or {}),
                        "delivered_shown": forms.shown(definition, c.get("delivered") or {}),
                        "status_label": dict(CommitmentStatus.choices).get(c["reported_status"], ""),
                        "files": [{**e, "row": files.get((c["record_key"], e["sha256"]))} for e in c["evidence"]],
                        "comment_value": data.get(f"comment_{c['record_key']}", "")})
        return out

    doc = submission.document
    reviews = [s.review for s in report.submissions.order_by("-number") if hasattr(s, "review")]
    context = {"report": report, "contract": contract, "application": contract.application, "round": report.round,
               "submission": submission, "commitments": rows(doc.get("commitments", [])),
               "extra": rows(doc.get("extra_work", [])), "summary": doc.get("summary", ""),
               "reviews": reviews, "pending": report.status == "submitted", "form": data, "errors": errors or {},
               "due_on": domain.due_on(report.round, contract.application),
               "error_list": [{"field": f"id_{k}", "message": v} for k, v in (errors or {}).items()]}
    response = render(request, "implementation/office/report_review.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _report(pk: int) -> Report:
    return get_object_or_404(Report.objects.select_related("round", "contract__application__organization",
                                                           "contract__programme_year"), pk=pk)


@manage_reports
def report_review(request, pk: int):
    return _review_page(request, _report(pk))


@manage_reports
@require_POST
def report_return(request, pk: int):
    report = _report(pk)
    submission = domain.latest_submission(report)
    if submission is None:
        raise Http404
    comments = {k.removeprefix("comment_"): v for k, v in request.POST.items() if k.startswith("comment_")}
    try:
        domain.return_report(submission, request.user, comment=request.POST.get("comment", ""),
                             per_commitment_comments=comments)
    except domain.ReportInvalid as exc:
        return _review_page(request, report, data=request.POST, errors=exc.errors, status=422)
    except domain.ReportRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("报告已退回修改，单位已收到意见。"))
    return redirect("office:report_review", pk=report.pk)


@manage_reports
@require_POST
def report_accept(request, pk: int):
    report = _report(pk)
    submission = domain.latest_submission(report)
    if submission is None:
        raise Http404
    try:
        domain.accept_report(submission, request.user, comment=request.POST.get("comment", ""))
    except domain.ReportInvalid as exc:
        return _review_page(request, report, data=request.POST, errors=exc.errors, status=422)
    except domain.ReportRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("报告已审核通过。"))
    return redirect("office:report_review", pk=report.pk)


def _contracted(pk: int) -> Contract:
    return get_object_or_404(Contract.objects.select_related("application"), application_id=pk)


def _move(request, pk: int, move, done: str):
    """Take a phase move of the contract's application (``domain.start_implementation`` / ``request_report``)."""
    contract = _contracted(pk)
    try:
        move(contract.application, request.user)
    except domain.ReportRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("office:contract", pk=pk)


@manage_reports
@require_POST
def start_implementation(request, pk: int):
    return _move(request, pk, domain.start_implementation, _("申报已转入“实施中”。"))


@manage_reports
@require_POST
def request_report(request, pk: int):
    return _move(request, pk, domain.request_report, _("实施期结束，申报已转入“待验收”。"))
