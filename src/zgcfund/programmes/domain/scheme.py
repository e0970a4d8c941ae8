"""Programme set-up by the office: a new programme-file version from an uploaded file, or from an
edit of the current version's scoring scheme and parameters — numbers, and the office's switches and
dates (core ``zgcfund.core.scheme``). Earlier versions stay as they were; every new version is
audited with who, when, why and what."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _

from zgcfund.audit.domain import record_event
from zgcfund.audit.models import Visibility
from zgcfund.core import bounds
from zgcfund.core.errors import ProgrammeFileError
from zgcfund.core.programme import Programme, parse_programme
from zgcfund.core.scheme import SchemeEditError, edit_scheme, scheme_changes, scheme_values
from zgcfund.programmes.domain import conditions
from zgcfund.programmes.domain.conditions import refused_condition_edits
from zgcfund.programmes.domain.loading import (
    LoadResult,
    current_version,
    load_programme_year,
    parsed,
    remember_parsed,
)
from zgcfund.programmes.models import ApplicationWindow, ProgrammeYear

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
BEIJING = ZoneInfo("Asia/Shanghai")
MAX_REASON = bounds.limit("reason")


def versions(code: str) -> list[ProgrammeYear]:
    return list(ProgrammeYear.objects.filter(code=code).order_by("-version"))


def posted_scheme_values(programme: Programme, data: Mapping) -> dict[str, str]:
    """The scheme editor's POST as ``param.NAME``/scheme keys → strings: only the keys posted, plus any
    official condition posted (a forged POST: refused later). A switch is a hidden "false" followed by a
    checkbox "true": checked when any of its posted values is "true"."""
    keys = [*scheme_values(programme), *(f"param.{name}" for name in programme.official_conditions())]
    out = {}
    for key in dict.fromkeys(keys):
        if key not in data:
            continue
        p = programme.parameters.get(key.removeprefix("param.")) if key.startswith("param.") else None
        if p is not None and p.unit == "switch" and hasattr(data, "getlist"):
            posted = data.getlist(key)
            out[key] = "true" if "true" in posted else (posted[-1] if posted else "")
        else:
            out[key] = data[key]
    return out


@dataclass(frozen=True)
class WindowHint:
    """The office's application window, as a hint beside ``application_window_closes``."""
    closes_at: dt.datetime  # Beijing time
    last_day: dt.date  # the last Beijing date on which the window is open
    differs: bool  # from the parameter's current value


def window_close_hint(code: str, current: str) -> WindowHint | None:
    """The application window's closing Beijing date for programme ``code``, or None when no window is
    set. ``current`` is the form's value of ``application_window_closes``. A window closing at 00:00
    was last open the day before. Never written to the programme file by itself: the office decides."""
    window = ApplicationWindow.objects.filter(code=code).first()
    if window is None:
        return None
    closes_at = timezone.localtime(window.closes_at, BEIJING)
    last_day = (closes_at - dt.timedelta(microseconds=1)).date()
    return WindowHint(closes_at, last_day, last_day.isoformat() != (current or "").strip())


#: the parameter the application window's closing date is a hint for
WINDOW_CLOSE_PARAMETER = "application_window_closes"


def parameter_hints(code: str, values: Mapping[str, str]) -> dict[str, WindowHint]:
    """Hints beside the scheme editor's parameter fields (form key → hint)."""
    key = f"param.{WINDOW_CLOSE_PARAMETER}"
    if key not in values or (hint := window_close_hint(code, values[key])) is None:
        return {}
    return {key: hint}


def draft_scheme(row: ProgrammeYear, values, *, version: str, note: str = "") -> Programme:
    """The edited programme, not stored (what-if and save share it); raises SchemeEditError.
    Official conditions are not the office's to edit here: a value posted for one is refused."""
    if refused := refused_condition_edits(parsed(row), values):
        raise SchemeEditError(refused)
    return edit_scheme(parsed(row), values, version=version, note=note)


def save_scheme_version(row: ProgrammeYear, values, *, version: str, note: str, reason: str, by) -> LoadResult:
    """Store the edit of ``row`` (which must still be the current version) as version N+1. An official
    condition in ``values`` that differs from ``row``'s is refused (nothing is stored)."""
    if refused := refused_condition_edits(parsed(row), values):
        raise SchemeEditError(refused)
    reason = (reason or "").strip()
    problems: dict[str, str] = {}
    if not reason:
        problems["reason"] = _("修改理由：请填写（将记入操作记录）。")
    elif len(reason) > MAX_REASON:
        problems["reason"] = _("修改理由：最多 %(n)s 字。") % {"n": MAX_REASON}
    current = current_version(row.code)
    if current is None or current.pk != row.pk:
        problems["__all__"] = _("您编辑的是第 %(v)s 版，其间已有新版本（第 %(c)s 版），请在最新版本上重新修改。") % {
            "v": row.version, "c": current.version if current else "—"}
    try:
        who = getattr(by, "email", "") or "office"
        header = (f"# 评分方案 {version.strip()}：项目办公室（{who}）于 {timezone.localtime():%Y-%m-%d %H:%M} "
                  f"在第 {row.version} 版基础上修改。理由：{' '.join(reason.split())}\n")
        edited = edit_scheme(parsed(row), values, version=version, note=note, header=header)
    except SchemeEditError as exc:
        raise SchemeEditError({**exc.problems, **problems}) from None
    if problems:
        raise SchemeEditError(problems)
    edited.origin = f"office edit of v{row.version} by {who}"
    result = load_programme_year(edited)
    remember_parsed(result.row, edited)  # the ranking recomputes next: no second parse of the new text
    changes = [c.to_dict() for c in scheme_changes(parsed(row), edited)]
    summary = _("修改评分方案：第 %(old)s 版 → 第 %(new)s 版（%(scheme)s），%(n)s 处改动。理由：%(reason)s")
    record_event("programme.scheme", summary % {"old": row.version, "new": result.row.version,
                                                "scheme": edited.scoring["version"], "n": len(changes), "reason": reason},
                 actor=by, obj=result.row,
                 changes={"code": row.code, "from_version": row.version, "to_version": result.row.version,
                          "from_sha256": row.sha256, "to_sha256": result.row.sha256, "changes": changes,
                          "reason": reason}, visibility=Visibility.OFFICE)
    return result


class UploadRefused(Exception):
    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def load_uploaded(data: bytes, filename: str, by, reason: str = "") -> LoadResult:
    """A programme file uploaded by the office: UTF-8 YAML, validated in full before it is stored. A file
    whose official conditions differ from the current version's needs ``reason`` and is stored flagged
    as a change of conditions."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadRefused(_("项目文件：文件过大（上限 2 MB）。"))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise UploadRefused(_("项目文件：不是 UTF-8 编码的文本文件（应为 zgc-programme/1 YAML 文件）。")) from None
    try:
        programme = parse_programme(text, filename[:200] or "upload")
    except ProgrammeFileError as exc:
        if getattr(exc, "key", ""):
            raise UploadRefused(_("项目文件无效（%(key)s）：%(reason)s") % {"key": exc.key, "reason": exc.reason}) from None
        raise UploadRefused(_("项目文件无效：%(reason)s") % {"reason": exc.reason}) from None
    current = current_version(programme.code)
    differences = conditions.upload_changes(current, programme) if current is None or current.sha256 != programme.sha256 else []
    if differences and (problem := conditions.upload_reason_problem(reason, differences)):
        raise UploadRefused(problem)
    reason = " ".join((reason or "").split()) if differences else ""
    result = load_programme_year(programme, changes_conditions=bool(differences), conditions_reason=reason)
    if result.created and differences:
        conditions.record_upload(parsed(current) if current is not None else None, programme, result, reason, by)
    if result.created:
        record_event("programme.load", _("载入项目文件 %(code)s 第 %(v)s 版（%(file)s）")
                     % {"code": programme.code, "v": result.row.version, "file": filename[:100]},
                     actor=by, obj=result.row, changes={"code": programme.code, "sha256": programme.sha256,
                                                        "version": result.row.version}, visibility=Visibility.OFFICE)
    return result
