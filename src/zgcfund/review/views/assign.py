"""Office pages for expert review: assignment per programme (by hand and in bulk) and every expert's
review of one application."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from zgcfund.accounts.views.access import office_required
from zgcfund.applications.models import Application
from zgcfund.programmes.domain import clock, current_programme_year
from zgcfund.review.domain import assignment as assigning
from zgcfund.review.domain import plan as plans
from zgcfund.review.domain import scoring
from zgcfund.review.domain.plan import required_experts, staffing
from zgcfund.review.interfaces import forms
from zgcfund.review.models import Assignment, ConflictOfInterest


@office_required
def assign_home(request):
    row = current_programme_year()
    if row is None:
        raise Http404
    return redirect("office:assign", code=row.code)


@office_required
@require_http_methods(["GET", "POST"])
def assign_list(request, code: str):
    error = None
    required = required_experts(code)
    per_application = required  # the bulk form starts from what the plan requires
    if request.method == "POST":
        number, error = forms.experts_per_application(request.POST)
        if error is None:
            per_application = number
            try:
                result = assigning.assign_bulk(code, per_application, request.user)
            except assigning.ReviewRefused as exc:
                error = exc.message
            else:
                messages.success(request, _("已新增 %(n)s 项评审分配。") % {"n": len(result.created)})
                for app, count in result.short:
                    messages.warning(request, _("“%(org)s”只有 %(count)s 位可分配的专家，未达到 %(n)s 位。")
                                     % {"org": app.organization.name, "count": count, "n": per_application})
                return redirect("office:assign", code=code)
    apps = list(assigning.awaiting_review(code).prefetch_related("assignments__expert"))
    pool = list(assigning.experts())
    load = {e.pk: 0 for e in pool}
    for a in Assignment.objects.filter(application__programme_code=code).values_list("expert", flat=True):
        load[a] = load.get(a, 0) + 1
    rows = []
    for a in apps:
        assignments = list(a.assignments.all())
        rows.append({"application": a, "assignments": assignments, "staffing": staffing(assignments, required)})
    short = [r for r in rows if r["staffing"].short]
    only_short = request.GET.get("short") == "1"
    context = {"code": code, "rows": short if only_short else rows, "all_count": len(rows),
               "short_count": len(short), "only_short": only_short, "required": required,
               "experts": [{"expert": e, "load": load.get(e.pk, 0)} for e in pool],
               "per_application": per_application, "error": error, "plan": plans.plan_for(code)}
    return render(request, "review/assign_list.html", context, status=422 if error else 200)


@office_required
@require_POST
def review_due(request, code: str):
    """Set or clear the programme's expert-review due date (named in assignment mails; reminders before it)."""
    clear, day, error = forms.review_due_input(request.POST)
    if error:
        messages.error(request, error)
    elif day is not None and day < clock.today():
        messages.error(request, _("专家评审截止日不能早于今天（%(today)s）。") % {"today": clock.today().isoformat()})
    else:
        plans.set_review_due(code, None if clear else day, request.user)
        messages.success(request, _("已取消专家评审截止日。") if clear
                         else _("专家评审截止日已设为 %(day)s。") % {"day": day.isoformat()})
    return redirect("office:assign", code=code)


@office_required
@require_http_methods(["GET", "POST"])
def assign_application(request, pk: int):
    application = get_object_or_404(Application.objects.select_related("organization"), pk=pk)
    error = None
    chosen: list[int] = []
    if request.method == "POST":
        chosen = forms.chosen_ids(request.POST, "experts")
        picked = list(assigning.experts().filter(pk__in=chosen))
        try:
            assigning.assign(application, picked, request.user)
        except assigning.ReviewRefused as exc:
            error = exc.message
        else:
            messages.success(request, _("已为“%(org)s”分配 %(n)s 位评审专家。")
                             % {"org": application.organization.name, "n": len(picked)})
            return redirect("office:assign_application", pk=application.pk)
    assignments = list(application.assignments.select_related("expert", "assigned_by"))
    assigned = {a.expert_id for a in assignments}
    conflicts = {c.expert_id: c for c in ConflictOfInterest.objects.filter(organization=application.organization)}
    candidates = [{"expert": e, "conflict": conflicts.get(e.pk), "chosen": e.pk in chosen}
                  for e in assigning.experts() if e.pk not in assigned]
    context = {"application": application, "assignments": assignments, "candidates": candidates, "error": error,
               "can_assign": application.phase.expert_review,
               "staffing": staffing(assignments, required_experts(application.programme_code))}
    return render(request, "review/assign_application.html", context, status=422 if error else 200)


@office_required
@require_POST
def unassign(request, pk: int):
    assignment = get_object_or_404(Assignment.objects.select_related("expert", "application__organization"), pk=pk)
    try:
        assigning.unassign(assignment, request.user)
    except assigning.ReviewRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已取消专家%(expert)s的评审分配。") % {"expert": assignment.expert.get_full_name()})
    return redirect("office:assign_application", pk=assignment.application_id)


@office_required
def reviews(request, pk: int):
    """Every expert's verdicts and scores for one application, submitted or not."""
    application = get_object_or_404(Application.objects.select_related("organization", "programme_year"), pk=pk)
    programme = scoring.review_programme(application)[1]
    assignments = scoring.all_reviews(application)
    scores = [{s.clause: s for s in a.scores.all()} for a in assignments]
    table = [{"clause": clause, "max": programme.max_score(cid), "cells": [by_clause.get(cid) for by_clause in scores]}
             for cid, clause in programme.clauses.items()]
    verdicts = [{"assignment": a, "rejected": [v for v in a.verdicts.all() if not v.accepted],
                 "accepted": sum(1 for v in a.verdicts.all() if v.accepted)} for a in assignments]
    context = {"application": application, "assignments": assignments, "table": table, "verdicts": verdicts}
    return render(request, "review/assign_reviews.html", context)
