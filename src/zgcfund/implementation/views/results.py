"""Office pages for the programme's results (项目成效): the dashboard, its Excel export and its PDF; the
current programme, optionally one clause family (``?family=K`` / ``P``)."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from zgcfund.accounts.views.access import require_perm
from zgcfund.audit.domain.downloads import record_download
from zgcfund.implementation.interfaces import results as interface
from zgcfund.programmes.domain import clock, current_programme_year

view_results = require_perm("implementation.view_results")
CHINESE = "zh-hans"  # the downloads are the office's reports: always Chinese
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _board(request, language: str | None = None):
    """The current programme's dashboard; in ``language`` (the downloads: Chinese), else the reader's."""
    row = current_programme_year()
    if row is None:
        raise Http404
    with translation.override(language or translation.get_language()):
        return row, interface.dashboard(row.code, request.GET.get("family", ""), clock.today())


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"  # money and organizations' figures
    return response


@view_results
@require_GET
def dashboard(request):
    row, board = _board(request)
    context = {"row": row, "board": board, "families": interface.FAMILIES,
               "query": f"?family={board.family}" if board.family else ""}
    return _no_store(render(request, "implementation/results.html", context))


@view_results
@require_GET
def export(request):
    row, board = _board(request, CHINESE)
    data = interface.workbook_bytes(interface.workbook(board))
    record_download(request, "export.results", _("导出%(code)s项目成效") % {"code": row.code},
                    changes={"code": row.code, "family": board.family})
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, interface.filename(board, "xlsx"))
    return _no_store(response)


@view_results
@require_GET
def pdf(request):
    row, board = _board(request, CHINESE)
    data = interface.render_pdf(board, row.title)
    record_download(request, "export.results_pdf", _("导出%(code)s项目成效 PDF") % {"code": row.code},
                    changes={"code": row.code, "family": board.family})
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, interface.filename(board, "pdf"))
    return _no_store(response)
