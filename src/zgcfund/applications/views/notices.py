"""企业注册前信息报送: the applicant's page (list and lodge) and the office's list."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from zgcfund.accounts.domain import ratelimit
from zgcfund.accounts.models import Organization
from zgcfund.accounts.views.access import office_required, own_organization
from zgcfund.applications.domain.notices import (
    NOTICE_REF,
    NoticeRefused,
    earliest_registration,
    find_notice,
    lodge_notice,
    lodging_refusal,
    notices_for_office,
    notices_of,
    registration_lead,
)
from zgcfund.applications.interfaces.forms import NoticeForm
from zgcfund.applications.models import Record
from zgcfund.applications.views.common import login_required
from zgcfund.audit.domain.security import SecurityEventKind, record_security_event
from zgcfund.programmes.domain import current_programme_year, parsed

PER_PAGE = 100


def _rows(notices, programme) -> list[dict]:
    rows = []
    for notice in notices:
        lead = registration_lead(programme, notice.received_on) if programme else None
        rows.append({"notice": notice, "lead": lead,
                     "earliest": earliest_registration(notice.received_on, lead) if lead is not None else None})
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def notices(request):
    """An applicant organization's own notices, and the form to lodge one. Members only (404 otherwise)."""
    org = own_organization(request)
    row = current_programme_year()
    programme = parsed(row) if row else None
    refusal = lodging_refusal(org, request.user) or (None if row else _("尚未载入项目文件，请联系项目办公室。"))
    form = NoticeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        wait = ratelimit.hit(ratelimit.NOTICE, f"org:{org.pk}") if form.is_valid() else 0
        if wait:
            record_security_event(SecurityEventKind.RATE_LIMITED, request, status=429, detail=f"notice; retry in {wait} s")
            form.add_error(None, ratelimit.message(wait))
            status = 429
        elif form.is_valid():
            try:
                notice = lodge_notice(org, request.user, row.code if row else "", form.cleaned_data)
            except NoticeRefused as exc:
                form.add_error(exc.field, exc.message)
            else:
                return redirect(reverse("applications:notices") + f"?lodged={notice.number}")
        status = status if status != 200 else 422
    lodged = find_notice(org, request.GET.get("lodged", ""))
    application = org.applications.filter(programme_code=row.code).first() if row else None
    return render(request, "applications/notices.html", {
        "org": org, "row": row, "application": application, "form": form, "refusal": refusal,
        "rows": _rows(notices_of(org), programme),
        "lodged": _rows([lodged], programme)[0] if lodged else None,
    }, status=status)


@office_required
@require_GET
def office_notices(request):
    """All notices of the current programme (or ``?programme=``), by organization and enterprise name."""
    row = current_programme_year()
    code = request.GET.get("programme") or (row.code if row else "")
    try:
        org_id = int(request.GET.get("organization") or 0)
    except ValueError:
        org_id = 0
    search = request.GET.get("q", "")[:100]
    qs = notices_for_office(code, organization_id=org_id, search=search)
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    numbers = [n.number for n in page]
    cited: dict[str, list[Record]] = {}
    for record in Record.objects.filter(**{f"fields__{NOTICE_REF}__in": numbers}).select_related("application"):
        cited.setdefault(record.fields.get(NOTICE_REF), []).append(record)
    programme = parsed(row) if row and row.code == code else None
    rows = _rows(page, programme)
    for r in rows:
        r["records"] = [rec for rec in cited.get(r["notice"].number, [])
                        if rec.application.organization_id == r["notice"].organization_id]
    organizations = Organization.objects.filter(registration_notices__programme_code=code).distinct().order_by("name")
    return render(request, "applications/office_notices.html", {
        "rows": rows, "page": page, "code": code, "organizations": organizations, "organization_id": org_id,
        "q": search, "total": page.paginator.count,
    })
