"""Office page: one application's decision history (who, when, why), filterable by kind."""

from __future__ import annotations

from collections import Counter

from django.shortcuts import render
from django.views.decorators.http import require_GET

from zgcfund.accounts.views.access import get_permitted_or_404, office_required
from zgcfund.applications.models import Application
from zgcfund.review.domain.history import KINDS, history_for


@office_required
@require_GET
def application_history(request, pk: int):
    application = get_permitted_or_404(request, "audit.view_decision_history",
                                       Application.objects.select_related("organization", "programme_year"), pk=pk)
    entries = history_for(application)
    counts = Counter(e.kind for e in entries)
    kind = request.GET.get("kind") or ""
    if kind not in KINDS:
        kind = ""
    shown = [e for e in entries if e.kind == kind] if kind else entries
    context = {"application": application, "entries": shown, "kind": kind, "total": len(entries),
               "kinds": [(key, label, counts.get(key, 0)) for key, label in KINDS.items()]}
    return render(request, "review/history.html", context)
