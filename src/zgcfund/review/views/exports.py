"""Office downloads of the review: the Excel exports of a programme (the ranking one with the ranking
page's filters) and one application's review report PDF."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from zgcfund.accounts.views.access import office_required
from zgcfund.applications.models import Application
from zgcfund.audit.domain.downloads import record_download
from zgcfund.programmes.domain import clock, current_programme_year
from zgcfund.review.interfaces import exports
from zgcfund.review.interfaces.report import render_report_pdf

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _programme(code: str):
    try:
        return exports.programme_for_code(code)
    except exports.UnknownProgramme:
        raise Http404 from None


@office_required
@require_GET
def exports_home(request):
    row = current_programme_year()
    if row is None:
        raise Http404
    return redirect("office:exports", code=row.code)


@office_required
@require_GET
def export_list(request, code: str):
    programme = _programme(code)
    return render(request, "review/exports.html", {"code": code, "programme": programme,
                                                   "exports": list(exports.EXPORTS.values())})


@office_required
@require_GET
def export_download(request, code: str, kind: str):
    export = exports.EXPORTS.get(kind)
    if export is None:
        raise Http404
    _programme(code)
    try:
        workbook = export.build(code, request.GET) if export.filterable else export.build(code)
    except exports.UnknownProgramme:
        raise Http404 from None
    data = exports.workbook_bytes(workbook)
    record_download(request, f"export.{kind}", _("导出%(code)s%(title)s") % {"code": code, "title": _(export.title)},
                    changes={"code": code, "filters": dict(request.GET.items()) if export.filterable else {}})
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, exports.filename(kind, code, clock.today()))
    return response


@office_required
@require_GET
def review_report(request, pk: int):
    application = get_object_or_404(Application.objects.select_related("organization", "programme_year"), pk=pk)
    pdf = render_report_pdf(application)
    record_download(request, "export.review_report", _("导出评审报告 PDF"), application=application, obj=application)
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"评审报告-{application.organization.name}-{application.programme_code}-{clock.today():%Y%m%d}.pdf"
    response["Content-Disposition"] = content_disposition_header(False, name)
    return response
