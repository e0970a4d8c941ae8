"""Expert pages: the task list, conflict-of-interest declarations, and the review of one assigned
application (verify records, score clauses, save drafts, submit)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods

from zgcfund.accounts.views.access import get_permitted_or_404, require_perm
from zgcfund.applications.interfaces.forms import display_value
from zgcfund.applications.interfaces.panel import STATUS_LABELS, summary
from zgcfund.core.numbers import display_number
from zgcfund.programmes.domain import clock
from zgcfund.review.domain import assignment as assigning
from zgcfund.review.domain import conflicts as conflicts_domain
from zgcfund.review.domain import scoring
from zgcfund.review.domain.formal import record_checks
from zgcfund.review.domain.plan import review_due_dates
from zgcfund.review.interfaces import forms
from zgcfund.review.models import ConflictOfInterest


def expert_required(view):
    """Logged-in experts only: others get 403 (anonymous users go to the login page)."""
    return require_perm("review.view_tasks")(view)


@expert_required
def tasks(request):
    assignments = list(assigning.assignments_for(request.user))
    due = review_due_dates(a.application.programme_code for a in assignments)
    for a in assignments:
        a.due_on = due.get(a.application.programme_code)
    return render(request, "review/expert_tasks.html", {"assignments": assignments, "today": clock.today()})


@expert_required
@require_http_methods(["GET", "POST"])
def conflicts(request):
    errors: dict[str, str] = {}
    error = None
    choices = conflicts_domain.organizations_under_review()
    if request.method == "POST":
        chosen = forms.chosen_id(request.POST, "organization")
        organization = choices.filter(pk=chosen).first() if chosen is not None else None
        if organization is None:
            errors["organization"] = _("请选择申报单位。")
        else:
            try:
                conflicts_domain.declare_conflict(request.user, organization, request.POST.get("reason", ""))
            except conflicts_domain.ReviewInvalid as exc:
                errors.update(exc.errors)
            except conflicts_domain.ReviewRefused as exc:
                error = exc.message
            else:
                messages.success(request, _("已声明与“%(org)s”存在利益冲突；您不会被分配评审该单位的申报书。")
                                 % {"org": organization.name})
                return redirect("expert:conflicts")
    context = {"organizations": choices, "errors": errors, "error": error,
               "declared": ConflictOfInterest.objects.filter(expert=request.user).select_related("organization"),
               "posted": request.POST if request.method == "POST" else {}}
    return render(request, "review/expert_conflicts.html", context, status=422 if (errors or error) else 200)


def _record_groups(programme, submission, evaluation, verdicts, posted):
    """Records by clause in the programme's clause order (as formal review lists them; a clause the
    programme no longer names comes last), with fields as the applicant wrote them, evidence links and
    the verdict form."""
    checks = {c.record["id"]: c for c in record_checks(submission, programme)}
    dropped: dict[str, list[str]] = {}
    if evaluation is not None:
        for clause in evaluation["clauses"].values():
            for r in clause.get("rejected", []):
                dropped.setdefault(r["record"], []).append(f"{r['rule']}{pgettext('label separator', '：')}{r['message']}")
    order = {cid: i for i, cid in enumerate(programme.clauses)}
    by_clause: dict[str, list[dict]] = {}
    for rec in sorted(submission.document["records"], key=lambda r: order.get(r["clause"], len(order))):
        by_clause.setdefault(rec["clause"], []).append(rec)
    groups = []
    for cid, records in by_clause.items():
        clause = programme.clauses.get(cid)
        specs = list(clause.fields.values()) if clause else []
        rows = []
        for rec in records:
            stored = verdicts.get(rec["id"])
            if posted is not None:
                choice, reason = posted.get(f"verdict-{rec['id']}", ""), posted.get(f"reason-{rec['id']}", "")
            else:
                choice = "" if stored is None else ("accept" if stored.accepted else "reject")
                reason = stored.reason if stored is not None else ""
            rows.append({"record": rec, "values": [(s.label, display_value(s, rec.get(s.name))) for s in specs],
                         "evidence": checks[rec["id"]].evidence if rec["id"] in checks else [],
                         "choice": choice, "reason": reason, "dropped": dropped.get(rec["id"], [])})
        groups.append({"clause": clause or {"id": cid, "title": "", "basic_condition": ""}, "rows": rows})
    return groups


def _score_rows(programme, evaluation, scores, posted):
    required = set(scoring.clauses_to_score(programme, evaluation))
    rows = []
    for cid, clause in programme.clauses.items():
        stored = scores.get(cid)
        if cid not in required and stored is None and not (posted and posted.get(f"score-{cid}")):
            continue
        if posted is not None:
            value, comment = posted.get(f"score-{cid}", ""), posted.get(f"comment-{cid}", "")
        else:
            value = display_number(stored.score) if stored else ""
            comment = stored.comment if stored else ""
        c = evaluation["clauses"][cid] if evaluation else {}
        rows.append({"clause": clause, "max": programme.max_score(cid), "value": value, "comment": comment,
                     "required": cid in required,
                     "status": str(STATUS_LABELS.get(c.get("status", ""), c.get("status", ""))), "engine_score": c.get("score")})
    return rows


@expert_required
@require_http_methods(["GET", "POST"])
def review_page(request, pk: int):
    # the frozen submission it was assigned; another expert's assignment is a 404
    assignment = get_permitted_or_404(request, "review.review_assignment", assigning.assignments_for(request.user), pk=pk)
    errors: dict[str, str] = {}
    error = None
    posted = None
    if request.method == "POST":
        submit = request.POST.get("action") == "submit"
        try:
            scoring.save_review(assignment, request.user, forms.review_input(request.POST), submit=submit)
        except scoring.ReviewInvalid as exc:
            errors, posted = exc.errors, request.POST
        except scoring.ReviewRefused as exc:
            error = exc.message
        else:
            messages.success(request, _("评审意见已提交，不能再修改。") if submit else _("草稿已保存。"))
            return redirect("expert:review", pk=assignment.pk)
        assignment.refresh_from_db()
    application, submission = assignment.application, assignment.submission
    programme = scoring.review_programme(application)[1]
    verdicts, scores = scoring.verdicts_of(assignment), scoring.scores_of(assignment)
    mine = scoring.expert_assessment(assignment, verdicts)
    evaluation = summary(programme, mine.prior, mine.projected) if mine.valid else None
    others = scoring.visible_others(assignment)
    context = {
        "assignment": assignment, "application": application, "submission": submission, "programme": programme,
        "groups": _record_groups(programme, submission, mine.prior, verdicts, posted),
        "score_rows": _score_rows(programme, mine.prior, scores, posted),
        "evaluation": evaluation, "submitted_evaluation": summary(programme, submission.evaluation_prior, None),
        "problems": mine.problems, "errors": errors, "error": error, "locked": assignment.is_submitted,
        "others": [{"assignment": o, "scores": sorted(o.scores.all(), key=lambda s: list(programme.clauses).index(s.clause)
                                                          if s.clause in programme.clauses else 999),
                    "rejected": [v for v in o.verdicts.all() if not v.accepted]} for o in others],
    }
    return render(request, "review/expert_review.html", context, status=422 if (errors or error) else 200)
