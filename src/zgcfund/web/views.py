"""Home page (the current programme's clauses, windows and cross rules), /healthz and the 403 page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from zgcfund.audit.domain.security import SecurityEventKind, record_security_event
from zgcfund.core.errors import ProgrammeFileError
from zgcfund.core.programme import ClauseDef, Programme, Ref
from zgcfund.programmes.domain import current_programme_year, parsed


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    clauses: list[ClauseDef]


@dataclass(frozen=True)
class Family:
    code: str
    name: str
    areas: list[Area]


@dataclass(frozen=True)
class WindowRow:
    id: str
    label: str
    start: dt.date | str
    end: dt.date | str
    ref: Ref


@dataclass(frozen=True)
class RuleRow:
    id: str
    text: str
    ref: Ref


def _families(programme: Programme) -> list[Family]:
    return [
        Family(code, spec["name"], [
            Area(area, programme.areas[area], [c for c in programme.clauses.values() if c.area == area])
            for area in spec["areas"]
        ])
        for code, spec in programme.families.items()
    ]


def _windows(programme: Programme, params: dict[str, Any]) -> list[WindowRow]:
    application_dates = {"applied_on": _("申报日"), "plan_start": _("合同签署日"), "prior_end": _("申报日")}

    def point(spec: dict) -> dt.date | str:
        return params[spec["param"]] if "param" in spec else application_dates.get(spec["date"], spec["date"])

    return [WindowRow(w.id, w.label, point(w.start), point(w.end), w.ref) for w in programme.windows.values()]


def _rules(programme: Programme, params: dict[str, Any]) -> list[RuleRow]:
    rows = []
    for gate in programme.gates:
        if gate.kind == "choose":
            members = pgettext("list separator", "、").join(programme.choice_groups.get(gate.group or "", []))
            text = _("%(members)s 中选取 %(n)s 项开展") % {"members": members, "n": gate.choose}
        elif gate.kind == "areas_met":
            at_least = gate.at_least
            if isinstance(at_least, dict) and "param" in at_least:
                at_least = params.get(at_least["param"], at_least["param"])
            family = programme.families.get(gate.family or "", {}).get("name", gate.family)
            text = _("%(family)s（%(code)s）至少具备 %(n)s 项") % {"family": family, "code": gate.family, "n": at_least}
        else:
            text = gate.kind
        rows.append(RuleRow(gate.id, text, gate.ref))
    same = programme.same_work
    rows.append(RuleRow(same["id"], same.get("note", ""), Ref(**same["ref"])))
    rows.extend(RuleRow(c["id"], c.get("label", ""), Ref(**c["ref"])) for c in programme.acceptance_checks)
    return rows


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    row = current_programme_year()
    context: dict[str, Any] = {"row": row}
    if row is not None:
        try:
            programme = parsed(row)
        except ProgrammeFileError as exc:
            context["error"] = str(exc)
        else:
            params = programme.params_on(timezone.localdate())
            context.update(
                window=_window_state(row.code),
                published_notice=_published_notice(row.code),
                programme=programme,
                families=_families(programme),
                windows=_windows(programme, params),
                rules=_rules(programme, params),
            )
    return render(request, "zgcfund/home.html", context)


@dataclass(frozen=True)
class WindowState:
    """The application window as a visitor reads it: open, not yet open or closed, with Beijing dates."""
    state: str  # not_open | open | closed | unset
    opens_at: dt.datetime | None = None
    closes_at: dt.datetime | None = None
    days_left: int | None = None


def _window_state(code: str) -> WindowState:
    from zgcfund.programmes.domain import clock
    from zgcfund.programmes.models import ApplicationWindow

    window = ApplicationWindow.objects.filter(code=code).first()
    if window is None:
        return WindowState("unset")
    now = clock.now()
    opens, closes = timezone.localtime(window.opens_at), timezone.localtime(window.closes_at)
    state = window.state(now)
    days_left = (closes.date() - timezone.localdate(now)).days if state == "open" else None
    return WindowState(state, opens, closes, days_left)


def _published_notice(code: str):
    """The published selection (公示) of the programme, if any: the home page links its public page."""
    from zgcfund.review.domain.selection import published

    return published(code)


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # any database failure makes the instance unhealthy
        return JsonResponse({"status": "error", "database": type(exc).__name__}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler403: every refusal (PermissionDenied anywhere) goes to the security log with user,
    address and path, and the user sees a Chinese page."""
    reason = str(exception or "")[:200]
    record_security_event(SecurityEventKind.PERMISSION_DENIED, request, status=403,
                          detail=f"{type(exception).__name__}: {reason}" if exception is not None else "")
    return render(request, "403.html", status=403)
