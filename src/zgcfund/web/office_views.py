"""The office's start page: what needs attention."""

from __future__ import annotations

from django.shortcuts import render

from zgcfund.accounts.models import Organization
from zgcfund.accounts.models.organization import OrganizationStatus
from zgcfund.accounts.views.access import office_required
from zgcfund.applications.models import Application
from zgcfund.programmes.domain import current_programme_year
from zgcfund.programmes.models import ApplicationWindow


@office_required
def dashboard(request):
    row = current_programme_year()
    window = ApplicationWindow.objects.filter(code=row.code).first() if row else None
    apps = Application.objects.filter(programme_code=row.code) if row else Application.objects.none()
    context = {
        "row": row, "window": window,
        "pending_organizations": Organization.objects.filter(status=OrganizationStatus.PENDING).count(),
        "by_status": {s: apps.filter(status=s).count() for s in ("draft", "submitted", "returned", "formal_passed")},
    }
    return render(request, "office/dashboard.html", context)
