"""Public notice (公示) of a programme's selection: no login. Only a confirmed and published selection
is shown, and only the selected organizations, bands and amounts."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render

from zgcfund.programmes.domain.conditions import conditions_notice
from zgcfund.review.domain import selection as domain

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _published(code: str):
    selection = domain.published(code)
    if selection is None:
        raise Http404
    return selection


def notice(request, code: str):
    selection = _published(code)
    rows = domain.export_rows(selection)
    context = {"selection": selection, "code": code, "rows": rows,
               "total_amount": selection.result["totals"]["amount"],
               "has_bands": any(r[3] for r in rows), "has_amounts": any(r[4] not in ("", None) for r in rows),
               "programme_title": selection.programme_year.title,
               "issuer": settings.ZGCFUND_NOTICE_ISSUER, "contact": settings.ZGCFUND_NOTICE_CONTACT,
               "conditions_notice": conditions_notice(selection.programme_year)}
    return render(request, "review/public_notice.html", context)


def export_xlsx(request, code: str):
    selection = _published(code)
    response = HttpResponse(domain.export_xlsx(selection), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{code}-selection.xlsx"'
    return response


def export_csv(request, code: str):
    selection = _published(code)
    response = HttpResponse(domain.export_csv(selection), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{code}-selection.csv"'
    return response
