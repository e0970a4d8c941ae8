"""The organization's report pages: its contract's report rounds (due dates, status, overdue), and one round's
report: each commitment's delivery by clause (targets against the figures delivered, status, date, note,
evidence by the clause's kinds), extra work, the office's comments after a return, submitting. Members of the
contract's organization only; everyone else gets 404."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from zgcfund.accounts.views.access import allowed
from zgcfund.applications.models import Application
from zgcfund.files.types import EvidenceRejected
from zgcfund.implementation.domain import reports as domain
from zgcfund.implementation.interfaces import report_forms as forms
from zgcfund.implementation.interfaces.revenue_display import revenue_summary
from zgcfund.implementation.models import (
    Commitment,
    CommitmentEvidence,
    CommitmentOrigin,
    CommitmentStatus,
    Contract,
    Report,
    ReportRound,
    ReportStatus,
)
from zgcfund.programmes.domain import clock, parsed


def _contract(request, pk: int, perm: str = "implementation.view_reports") -> Contract:
    if not request.user.is_authenticated:
        raise Http404
    application = get_object_or_404(Application.objects.select_related("organization"), pk=pk)
    contract = (Contract.objects.filter(application=application)
                .select_related("application__organization", "programme_year").first())
    if contract is None or not allowed(request.user, perm, contract):
        raise Http404
    return contract


def _round(contract: Contract, round_pk) -> ReportRound:
    return get_object_or_404(ReportRound, pk=round_pk, programme_code=contract.application.programme_code)


def _login(view):
    from django.contrib.auth.decorators import login_required

    return login_required(view)


@_login
@never_cache
@require_GET
def reports_home(request, pk: int):
    contract = _contract(request, pk)
    app = contract.application
    today = clock.today()
    by_round = {r.round_id: r for r in Report.objects.filter(contract=contract)}
    rows = []
    for report_round in domain.rounds(app.programme_code):
        report = by_round.get(report_round.pk)
        extension = domain.extension_of(report_round, app)
        due = extension.due_on if extension else report_round.due_on
        late = app.status in domain.REPORTING_PHASES and (report is None or report.status == ReportStatus.DRAFT) \
            and today > due
        rows.append({"round": report_round, "report": report, "due_on": due, "extension": extension,
                     "overdue": late, "days_overdue": (today - due).days if late else 0})
    context = {"application": app, "contract": contract, "rows": rows,
               "refusal": domain.phase_refusal(app)}
    return render(request, "implementation/reports_home.html", context)


def _report_context(request, contract: Contract, report_round: ReportRound, *, failed: int | None = None,
                    data=None, errors: dict | None = None, extra_data=None, extra_errors: dict | None = None,
                    summary_errors: dict | None = None) -> dict:
    app = contract.application
    programme = parsed(contract.programme_year)
    report = Report.objects.filter(round=report_round, contract=contract).first()
    review = domain.latest_review(report) if report else None
    comments = review.commitment_comments if review and review.verdict == "returned" else {}
    refusal = domain.edit_refusal(contract)
    can_edit = refusal is None and allowed(request.user, "implementation.edit_reports", contract) and (
        report is None or report.status in domain.OPEN_STATES)
    order = {cid: i for i, cid in enumerate(programme.clauses)}
    groups: dict[tuple, dict] = {}
    extra = []
    for c in sorted(contract.commitments.prefetch_related("evidence"),
                    key=lambda c: (order.get(c.clause, len(order)), c.clause, c.date, c.pk)):
        definition = programme.clauses.get(c.clause)
        mine = failed == c.pk
        files = list(c.evidence.all())
        kinds = domain.evidence_kinds(c)
        keys = {k for k, _label, _hint in kinds}
        row = {"commitment": c, "targets": forms.shown(definition, c.targets),
               "delivered": forms.shown(definition, c.delivered),
               "fields": forms.field_rows(definition, c.delivered, data if mine else None,
                                          errors if mine else None, id_prefix=f"c{c.pk}_"),
               "errors": errors if mine else {}, "form": data if mine else None,
               "slots": [{"key": k, "label": label, "hint": hint, "files": [f for f in files if f.kind == k]}
                         for k, label, hint in kinds],
               "unclassified": [f for f in files if f.kind not in keys],
               "comment": comments.get(c.record_key, "")}
        if c.origin == CommitmentOrigin.EXTRA:
            extra.append(row)
        else:
            group = groups.setdefault(c.clause, {"clause": c.clause, "title": definition.title if definition else "",
                                                 "rows": []})
            group["rows"].append(row)
    chosen = (extra_data or {}).get("clause") or request.GET.get("extra_clause", "")
    extra_clause = programme.clauses.get(chosen)
    error_list = [{"field": f"id_c{failed}_{'' if k in ('reported_status', 'delivered_on', 'note') else 'f_'}{k}",
                   "message": v} for k, v in (errors or {}).items()]
    error_list += [{"field": f"id_x_{k}", "message": v} for k, v in (extra_errors or {}).items()]
    error_list += [{"field": "id_summary", "message": v} for v in (summary_errors or {}).values()]
    extension = domain.extension_of(report_round, app)
    submissions = list(report.submissions.order_by("-number")) if report else []
    return {
        "application": app, "contract": contract, "round": report_round, "report": report, "review": review,
        "groups": list(groups.values()), "extra": extra, "can_edit": can_edit, "refusal": refusal,
        "due_on": extension.due_on if extension else report_round.due_on, "extension": extension,
        "statuses": CommitmentStatus.choices, "error_list": error_list,
        "clauses": [(cid, c.title) for cid, c in programme.clauses.items()],
        "extra_form": extra_data, "extra_errors": extra_errors or {},
        "extra_fields": forms.field_rows(extra_clause, {}, extra_data, extra_errors, id_prefix="x_"),
        "extra_clause": extra_clause,
        "submissions": submissions, "summary_errors": summary_errors or {},
        "submit_refusal": domain.submit_refusal(report, request.user) if report else None,
        "accepted": report is not None and report.status == ReportStatus.ACCEPTED,
        "revenue_round": report_round.kind in ("k13_2025", "k13_2026"),
        "revenue": (revenue_summary(contract) if report_round.kind in ("k13_2025", "k13_2026") else None),
        "summary_text": report.summary if report else "",
    }


@_login
@never_cache
@require_GET
def report_page(request, pk: int, round_pk: int):
    contract = _contract(request, pk)
    report_round = _round(contract, round_pk)
    return render(request, "implementation/report.html", _report_context(request, contract, report_round))


def _back(contract: Contract, report_round: ReportRound, anchor: str = "") -> str:
    return reverse("implementation:report", args=[contract.application_id, report_round.pk]) + anchor


def _posted_round(request, contract: Contract) -> ReportRound:
    return _round(contract, request.POST.get("round") or 0)


@_login
@require_POST
def delivery(request, pk: int, commitment_pk: int):
    contract = _contract(request, pk, "implementation.edit_reports")
    commitment = get_object_or_404(Commitment, pk=commitment_pk, contract=contract)
    report_round = _posted_round(request, contract)
    definition = parsed(contract.programme_year).clauses.get(commitment.clause)
    try:
        domain.update_commitment_delivery(commitment, request.user, **forms.delivery_input(request.POST, definition))
    except domain.ReportInvalid as exc:
        context = _report_context(request, contract, report_round, failed=commitment.pk, data=request.POST,
                                  errors=exc.errors)
        return render(request, "implementation/report.html", context, status=422)
    except domain.ReportRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已保存 %(key)s 的完成情况。") % {"key": commitment.record_key})
    return redirect(_back(contract, report_round, f"#commitment-{commitment.record_key}"))


@_login
@require_POST
def extra_work(request, pk: int, round_pk: int):
    contract = _contract(request, pk, "implementation.edit_reports")
    report_round = _round(contract, round_pk)
    clauses = parsed(contract.programme_year).clauses
    try:
        row = domain.add_extra_work(contract, request.user, **forms.extra_input(request.POST, clauses))
    except domain.ReportInvalid as exc:
        context = _report_context(request, contract, report_round, extra_data=request.POST, extra_errors=exc.errors)
        return render(request, "implementation/report.html", context, status=422)
    except domain.ReportRefused as exc:
        messages.error(request, exc.message)
        return redirect(_back(contract, report_round))
    messages.success(request, _("已添加实施期新增工作 %(key)s。") % {"key": row.record_key})
    return redirect(_back(contract, report_round, f"#commitment-{row.record_key}"))


@_login
@require_POST
def extra_delete(request, pk: int, commitment_pk: int):
    contract = _contract(request, pk, "implementation.edit_reports")
    commitment = get_object_or_404(Commitment, pk=commitment_pk, contract=contract)
    report_round = _posted_round(request, contract)
    try:
        domain.delete_extra_work(commitment, request.user)
    except domain.ReportRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已删除实施期新增工作 %(key)s。") % {"key": commitment.record_key})
    return redirect(_back(contract, report_round, "#extra-work"))


@_login
@require_POST
def evidence_upload(request, pk: int, commitment_pk: int):
    contract = _contract(request, pk, "implementation.edit_reports")
    commitment = get_object_or_404(Commitment, pk=commitment_pk, contract=contract)
    report_round = _posted_round(request, contract)
    files = request.FILES.getlist("file")
    if not files:
        messages.error(request, _("请选择要上传的文件。"))
    for f in files:
        try:
            row = domain.store_evidence(commitment, request.user, f, kind=request.POST.get("kind") or "")
        except EvidenceRejected as exc:
            messages.error(request, exc.message)
        except domain.ReportInvalid as exc:
            messages.error(request, "；".join(exc.errors.values()))
        except domain.ReportRefused as exc:
            messages.error(request, exc.message)
            break
        else:
            messages.success(request, _("已上传“%(name)s”。") % {"name": row.name})
    return redirect(_back(contract, report_round, f"#commitment-{commitment.record_key}"))


def _evidence(contract: Contract, evidence_pk: int) -> CommitmentEvidence:
    return get_object_or_404(CommitmentEvidence.objects.select_related("commitment"), pk=evidence_pk,
                             commitment__contract=contract)


@_login
@never_cache
@require_GET
def evidence_download(request, pk: int, evidence_pk: int):
    contract = _contract(request, pk, "implementation.view_delivery_evidence")
    row = _evidence(contract, evidence_pk)
    response = FileResponse(row.file.open("rb"), as_attachment=not row.content_type.startswith("image/")
                            and row.content_type != "application/pdf", filename=row.name,
                            content_type=row.content_type or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@_login
@require_POST
def evidence_delete(request, pk: int, evidence_pk: int):
    contract = _contract(request, pk, "implementation.edit_reports")
    row = _evidence(contract, evidence_pk)
    report_round = _posted_round(request, contract)
    try:
        domain.delete_evidence(row, request.user)
    except domain.ReportRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已删除“%(name)s”。") % {"name": row.name})
    return redirect(_back(contract, report_round, f"#commitment-{row.commitment.record_key}"))


@_login
@require_POST
def report_submit(request, pk: int, round_pk: int):
    contract = _contract(request, pk, "implementation.edit_reports")
    report_round = _round(contract, round_pk)
    try:
        report = domain.report_for(report_round, contract)
        if request.POST.get("action") == "save":
            domain.save_summary(report, request.user, request.POST.get("summary", ""))
            messages.success(request, _("已保存报告说明。"))
            return redirect(_back(contract, report_round, "#submit"))
        submission = domain.submit_report(report, request.user, summary=request.POST.get("summary", ""))
    except domain.ReportInvalid as exc:
        context = _report_context(request, contract, report_round, summary_errors=exc.errors)
        context["summary_text"] = request.POST.get("summary", "")
        return render(request, "implementation/report.html", context, status=422)
    except domain.ReportRefused as exc:
        messages.error(request, exc.message)
        return redirect(_back(contract, report_round, "#submit"))
    if submission.late:
        messages.warning(request, _("报告已提交（逾期提交），等待项目办公室审核。"))
    else:
        messages.success(request, _("报告已提交，等待项目办公室审核。"))
    return redirect(_back(contract, report_round))
