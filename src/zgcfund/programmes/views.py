"""The office's application-window pages (mounted under /office/)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from zgcfund.accounts.views.access import office_required
from zgcfund.programmes.domain import clock, current_programme_year
from zgcfund.programmes.interfaces.forms import WindowForm
from zgcfund.programmes.models import ApplicationWindow, ProgrammeYear


def _programmes():
    """The current version of each programme, newest year first, with its window (or None)."""
    rows = list(ProgrammeYear.objects.filter(is_current=True).order_by("-year", "code"))
    windows = {w.code: w for w in ApplicationWindow.objects.filter(code__in=[r.code for r in rows])}
    return [(row, windows.get(row.code)) for row in rows]


@office_required
def windows(request):
    current = current_programme_year()
    window = ApplicationWindow.objects.filter(code=current.code).first() if current else None
    form = WindowForm(initial={"opens_at": window.opens_at, "closes_at": window.closes_at} if window else None)
    now = clock.now()
    rows = [(row, w, w.state(now) if w else None) for row, w in _programmes()]
    return render(request, "programmes/windows.html",
                  {"current": current, "window": window, "form": form, "rows": rows, "now": now})


@office_required
@require_http_methods(["GET", "POST"])
def window_edit(request, code: str):
    row = ProgrammeYear.objects.filter(code=code, is_current=True).first()
    if row is None:
        raise Http404
    window = ApplicationWindow.objects.filter(code=code).first()
    initial = {"opens_at": window.opens_at, "closes_at": window.closes_at} if window else None
    form = WindowForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        form.save(code, request.user)
        messages.success(request, _("申报时间已保存。"))
        return redirect("office:windows")
    return render(request, "programmes/window_edit.html", {"row": row, "window": window, "form": form})
