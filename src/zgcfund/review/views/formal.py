"""Office pages for formal review: the queue and one application's review."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from zgcfund.accounts.views.access import office_required
from zgcfund.applications.domain.document import programme_of
from zgcfund.applications.interfaces.panel import summary
from zgcfund.applications.models import Application
from zgcfund.audit.models import AuditEvent
from zgcfund.review.domain import formal
from zgcfund.review.models.formal import FormalOutcome


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
    error = None
    if request.method == "POST":
        comments = {key[len("comment-"):]: value for key, value in request.POST.items() if key.startswith("comment-")}
        try:
            formal.decide(application, request.user, request.POST.get("outcome", ""), request.POST.get("comment", ""),
                          comments)
        except formal.DecisionRefused as exc:
            error = exc.message
        else:
            messages.success(request, _("已保存对“%(name)s”的形式审查结论。") % {"name": application.organization.name})
            return redirect("office:formal_queue")
    checks = formal.record_checks(submission)
    for check in checks:
        check.comment = request.POST.get(f"comment-{check.record['id']}", "") if request.method == "POST" else ""
    programme = programme_of(application)
    _latest, old, diff = formal.version_diff(application)
    context = {
        "application": application, "submission": submission, "programme": programme,
        "checks": checks,
        "evaluation": summary(programme, submission.evaluation_prior, submission.evaluation_projected),
        "previous": old, "diff": diff, "error": error, "outcomes": FormalOutcome.choices,
        "reviews": application.formal_reviews.select_related("reviewer").prefetch_related("record_comments"),
        "can_decide": application.status == "submitted",
        "posted": request.POST if request.method == "POST" else {},
        "events": AuditEvent.objects.filter(application=application).select_related("actor")[:200],
    }
    return render(request, "review/formal_review.html", context, status=422 if error else 200)
