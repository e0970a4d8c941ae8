"""Office pages for formal review: the queue and one application's review."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_http_methods

from zgcfund.accounts.views.access import office_required
from zgcfund.applications.domain.document import programme_of
from zgcfund.applications.domain.notices import record_notice_facts
from zgcfund.applications.interfaces.forms import display_value
from zgcfund.applications.interfaces.panel import summary
from zgcfund.applications.models import Application
from zgcfund.audit.models import AuditEvent
from zgcfund.core.application import PHASES
from zgcfund.review.domain import formal
from zgcfund.review.models.formal import FormalOutcome

COMMON_FIELDS = {"phase": gettext_lazy("阶段"), "date": gettext_lazy("日期"), "title": gettext_lazy("名称/主题"),
                 "evidence": gettext_lazy("支撑材料"), "verified": gettext_lazy("核实")}


def _diff_rows(programme, diff) -> list[dict]:
    """Changed record fields with the labels and choice names the applicant saw."""
    rows = []
    for change in diff.changed:
        clause = programme.clauses.get(change.clause)
        specs = clause.fields if clause else {}
        for name, (old, new) in change.fields.items():
            spec = specs.get(name)
            if spec is not None:
                label, old_text, new_text = spec.label, display_value(spec, old), display_value(spec, new)
            else:
                label = COMMON_FIELDS.get(name, name)
                old_text, new_text = (_shown(name, v) for v in (old, new))
            rows.append({"record": change.id, "clause": change.clause, "field": label, "old": old_text, "new": new_text})
    return rows


def _shown(name: str, value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if name == "phase":
        return PHASES.get(value, value)
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, list):
        return pgettext("list separator", "、").join(str(v) for v in value)
    return str(value)


# the element an error summary links to, by DecisionRefused.field
ERROR_ANCHORS = {"outcome": "id_outcome_0", "comment": "id_comment"}


@office_required
def queue(request):
    rows = []
    for app in formal.queue():
        sub = formal.latest_submission(app)
        rows.append({"application": app, "submission": sub})
    return render(request, "review/formal_queue.html", {"rows": rows})


@office_required
@require_http_methods(["GET", "POST"])
def review(request, pk: int):
    application = get_object_or_404(Application.objects.select_related("organization", "programme_year"), pk=pk)
    submission = formal.latest_submission(application)
    if submission is None:
        messages.error(request, _("该申报书尚未提交。"))
        return redirect("office:formal_queue")
    error, error_field = None, ""
    if request.method == "POST":
        comments = {key[len("comment-"):]: value for key, value in request.POST.items() if key.startswith("comment-")}
        try:
            formal.decide(application, request.user, request.POST.get("outcome", ""), request.POST.get("comment", ""),
                          comments)
        except formal.DecisionRefused as exc:
            error, error_field = exc.message, exc.field
        else:
            messages.success(request, _("已保存对“%(name)s”的形式审查结论。") % {"name": application.organization.name})
            return redirect("office:formal_queue")
    programme = programme_of(application)
    checks = formal.record_checks(submission, programme)
    for check in checks:
        check.comment = request.POST.get(f"comment-{check.record['id']}", "") if request.method == "POST" else ""
        # K3.2/K3.3: the notice date's source: a registered notice (number, stamp) or self-declared
        check.notice = record_notice_facts(application.organization, programme.clauses.get(check.record.get("clause")),
                                           check.record)
    _latest, old, diff = formal.version_diff(application)
    context = {
        "diff_rows": _diff_rows(programme, diff) if diff else [],
        "application": application, "submission": submission, "programme": programme,
        "checks": checks,
        "evaluation": summary(programme, submission.evaluation_prior, submission.evaluation_projected),
        "previous": old, "diff": diff, "error": error, "outcomes": FormalOutcome.choices,
        "summary_errors": [{"field": ERROR_ANCHORS.get(error_field, ""), "message": error}] if error else [],
        "reviews": application.formal_reviews.select_related("reviewer").prefetch_related("record_comments"),
        "can_decide": application.phase.formal_review,
        "posted": request.POST if request.method == "POST" else {},
        "events": AuditEvent.objects.filter(application=application).select_related("actor")[:200],
    }
    return render(request, "review/formal_review.html", context, status=422 if error else 200)
