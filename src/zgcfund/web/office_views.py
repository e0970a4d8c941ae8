"""The office's start page: what needs attention."""

from __future__ import annotations

from django.db.models import Count
from django.shortcuts import render

from zgcfund.accounts.models import Organization
from zgcfund.accounts.models.organization import OrganizationStatus
from zgcfund.accounts.views.access import office_required
from zgcfund.applications.domain import workflow
from zgcfund.applications.models import Application
from zgcfund.implementation.domain import funds
from zgcfund.implementation.domain.reports import overdue
from zgcfund.programmes.domain import current_programme_year
from zgcfund.programmes.models import ApplicationWindow
from zgcfund.review.domain import decisions


@office_required
def dashboard(request):
    row = current_programme_year()
    window = ApplicationWindow.objects.filter(code=row.code).first() if row else None
    apps = Application.objects.filter(programme_code=row.code) if row else Application.objects.none()
    counts = dict(apps.values_list("status").annotate(n=Count("pk")).order_by())
    context = {
        "row": row, "window": window,
        "pending_organizations": Organization.objects.filter(status=OrganizationStatus.PENDING).count(),
        # every phase holding applications, with the workflow table's staff name, in lifecycle order
        "by_phase": [(workflow.phase(name), counts[name]) for name in workflow.PHASES if counts.get(name)],
        "formal_queue_count": sum(counts.get(name, 0) for name in workflow.FORMAL_REVIEW_PHASES),
        "awaiting_contract_count": sum(counts.get(name, 0) for name in workflow.TRANSITIONS["sign_contract"].sources),
        "funds": funds.totals(row.code) if row else None,
        "overdue_reports": overdue(row.code) if row else [],
        "pending_decisions": decisions.pending_count(),
    }
    return render(request, "office/dashboard.html", context)
