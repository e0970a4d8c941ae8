"""The office's application-window pages (mounted under /office/)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from zgcfund.accounts.views.access import office_required
from zgcfund.programmes.domain import clock, current_programme_year, current_version
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
    row = current_version(code)
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


@office_required
@require_http_methods(["GET", "POST"])
def extensions(request, code: str):
    """Grant a single organization a reasoned extension after the window closes; list the grants."""
    from django.utils.dateparse import parse_datetime
    from django.utils.timezone import get_current_timezone, is_naive, make_aware

    from zgcfund.accounts.models import Organization
    from zgcfund.programmes.domain.extensions import ExtensionRefused, grant_extension
    from zgcfund.programmes.models import WindowExtension

    row = current_version(code)
    if row is None:
        raise Http404
    organizations = Organization.objects.filter(status="approved").order_by("name")
    error = None
    if request.method == "POST":
        org = organizations.filter(pk=request.POST.get("organization") or 0).first()
        until = parse_datetime(request.POST.get("until", "") or "")
        if org is None:
            error = _("请选择申报单位。")
        elif until is None:
            error = _("请填写延长至的日期和时间。")
        else:
            if is_naive(until):
                until = make_aware(until, get_current_timezone())
            try:
                grant_extension(code, org, until, request.POST.get("reason", ""), request.user)
            except ExtensionRefused as exc:
                error = exc.message
            else:
                messages.success(request, _("已为“%(org)s”延长申报时间。") % {"org": org.name})
                return redirect("office:window_extensions", code=code)
    context = {"row": row, "organizations": organizations, "error": error, "posted": request.POST,
               "window": ApplicationWindow.objects.filter(code=code).first(),
               "extensions": WindowExtension.objects.filter(code=code).select_related("organization", "granted_by")}
    return render(request, "programmes/extensions.html", context, status=422 if error else 200)
