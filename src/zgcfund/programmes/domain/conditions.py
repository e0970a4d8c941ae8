"""Official conditions vs the office's numbers (issue 10).

A programme file's parameters are either **official conditions** (``kind: condition``: thresholds
and dates quoted from the official text) or **office-set numbers** (``kind: office``: e.g. K1.3's
industry growth rate). The scheme editor changes only the office's; an official condition changes
only by a separate, deliberate action (or an upload) that stores a new version flagged
``changes_conditions`` with the office's reason, audited. Every page that shows a result under a
version whose conditions differ from the published text shows :func:`conditions_notice`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from zgcfund.audit.domain import record_event
from zgcfund.audit.models import Visibility
from zgcfund.core import bounds
from zgcfund.core.errors import ProgrammeFileError
from zgcfund.core.numbers import display_number
from zgcfund.core.programme import Parameter, Programme, load_programme, packaged_programmes
from zgcfund.core.scheme import SchemeEditError, edit_parameters
from zgcfund.programmes.domain.loading import LoadResult, current_version, load_programme_year, parsed, remember_parsed
from zgcfund.programmes.models import ProgrammeYear

MAX_REASON = bounds.limit("reason")


@dataclass(frozen=True)
class ConditionDifference:
    name: str
    label: str
    unit: str
    clause: str
    quote: str
    published: str  # the value in the published text ("—" if the condition is not there)
    value: str  # the value in this version ("—" if it is no longer an official condition)

    def to_dict(self) -> dict:
        return {"name": self.name, "label": self.label, "clause": self.clause, "old": self.published,
                "new": self.value}


@dataclass(frozen=True)
class ConditionsNotice:
    """What the banner says: this version's conditions differ from the published text, and why."""
    version: int
    differences: tuple[ConditionDifference, ...]
    reason: str


def show_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return display_number(value)


def _shown(p: Parameter | None) -> str:
    if p is None or not p.official:
        return "—"
    if len(p.values) == 1:
        return show_value(p.values[0][1])
    return "；".join(f"{since.isoformat()} 起 {show_value(v)}" for since, v in p.values)


def condition_differences(reference: Programme, programme: Programme) -> list[ConditionDifference]:
    """Every official condition of either programme whose dated values differ (or which is an official
    condition in one and not in the other), in the order of ``reference``'s file."""
    out = []
    names = list(reference.official_conditions())
    names += [n for n in programme.official_conditions() if n not in names]
    for name in names:
        old, new = reference.parameters.get(name), programme.parameters.get(name)
        same = (old is not None and new is not None and old.official and new.official
                and old.values == new.values)
        if same:
            continue
        shown = new if new is not None else old
        out.append(ConditionDifference(name, shown.label, shown.unit, shown.ref.clause, shown.ref.quote,
                                       _shown(old), _shown(new)))
    return out


def published_programme(code: str) -> Programme | None:
    """The published text of programme ``code``: the packaged file of that code, else its first version."""
    if code in packaged_programmes():
        try:
            return load_programme(code)
        except ProgrammeFileError:
            pass
    first = ProgrammeYear.objects.filter(code=code).order_by("version").first()
    return parsed(first) if first is not None else None


_DIFFERENCES: dict[tuple[str, str], tuple[ConditionDifference, ...]] = {}


def conditions_notice(row: ProgrammeYear | None) -> ConditionsNotice | None:
    """The banner for results under ``row``: None when its official conditions are the published ones."""
    if row is None:
        return None
    published = published_programme(row.code)
    if published is None:
        return None
    key = (published.sha256, row.sha256)
    differences = _DIFFERENCES.get(key)
    if differences is None:
        differences = _DIFFERENCES[key] = tuple(condition_differences(published, parsed(row)))
    if not differences:
        return None
    flagged = (ProgrammeYear.objects.filter(code=row.code, version__lte=row.version, changes_conditions=True)
               .order_by("-version").values_list("conditions_reason", flat=True).first())
    return ConditionsNotice(row.version, differences, flagged or "")


def _label(p: Parameter) -> str:
    return f"「{p.label}」（{p.ref.clause}）"


def refused_condition_edits(programme: Programme, values) -> dict[str, str]:
    """Problems for every official condition ``values`` (a scheme-editor POST) tries to change."""
    problems = {}
    for name, p in programme.official_conditions().items():
        raw = values.get(f"param.{name}")
        if raw is None:
            continue
        if str(raw).strip() != show_value(p.values[-1][1]):
            problems[f"param.{name}"] = _(
                "%(param)s是文件规定的条件，不能在评分方案中修改；如确需变更，请使用“变更文件规定的条件”并说明理由。"
            ) % {"param": _label(p)}
    return problems


def _reason_problem(reason: str) -> str | None:
    if not reason:
        return _("变更理由：请填写（将记入操作记录，并在显示结果的页面上注明）。")
    if len(reason) > MAX_REASON:
        return _("变更理由：最多 %(n)s 字。") % {"n": MAX_REASON}
    return None


def condition_form_values(programme: Programme) -> dict[str, str]:
    """The official conditions' current (latest dated) values as form strings."""
    return {name: show_value(p.values[-1][1]) for name, p in programme.official_conditions().items()}


def change_conditions(row: ProgrammeYear, values, *, reason: str, by) -> LoadResult:
    """Version N+1 of ``row`` (still the current version) with changed official conditions, flagged
    ``changes_conditions`` with ``reason`` and audited. Raises SchemeEditError keyed by form field."""
    reason = " ".join((reason or "").split())
    problems: dict[str, str] = {}
    if problem := _reason_problem(reason):
        problems["reason"] = problem
    current = current_version(row.code)
    if current is None or current.pk != row.pk:
        problems["__all__"] = _("您修改的是第 %(v)s 版，其间已有新版本（第 %(c)s 版），请在最新版本上重新修改。") % {
            "v": row.version, "c": current.version if current else "—"}
    programme = parsed(row)
    who = getattr(by, "email", "") or "office"
    header = (f"# 变更文件规定的条件：项目办公室（{who}）于 {timezone.localtime():%Y-%m-%d %H:%M} "
              f"在第 {row.version} 版基础上修改。理由：{reason}\n")
    try:
        edited = edit_parameters(programme, values, names=list(programme.official_conditions()), header=header)
    except SchemeEditError as exc:
        raise SchemeEditError({**exc.problems, **problems}) from None
    if problems:
        raise SchemeEditError(problems)
    edited.origin = f"change of conditions of v{row.version} by {who}"
    result = load_programme_year(edited, changes_conditions=True, conditions_reason=reason)
    remember_parsed(result.row, edited)
    _record(row.code, programme, edited, result, reason, by, source="form")
    return result


def upload_changes(current: ProgrammeYear | None, programme: Programme) -> list[ConditionDifference]:
    """How an uploaded file's official conditions differ from the current version's (from the published
    text when nothing is loaded yet)."""
    reference = parsed(current) if current is not None else published_programme(programme.code)
    return condition_differences(reference, programme) if reference is not None else []


def upload_reason_problem(reason: str, differences: list[ConditionDifference]) -> str | None:
    """Why an upload that changes official conditions is refused (no or too long a reason), else None."""
    problem = _reason_problem(" ".join((reason or "").split()))
    if problem is None:
        return None
    names = "、".join(f"{d.label}（{d.clause}）" for d in differences)
    return _("该文件变更了文件规定的条件：%(names)s。%(problem)s") % {"names": names, "problem": problem}


def _record(code: str, before: Programme, after: Programme, result: LoadResult, reason: str, by, *, source: str):
    differences = [d.to_dict() for d in condition_differences(before, after)]
    previous = result.previous
    summary = _("变更文件规定的条件：第 %(old)s 版 → 第 %(new)s 版，%(n)s 项条件。理由：%(reason)s")
    record_event("programme.conditions",
                 summary % {"old": previous.version if previous else "—", "new": result.row.version,
                            "n": len(differences), "reason": reason},
                 actor=by, obj=result.row,
                 changes={"code": code, "from_version": previous.version if previous else None,
                          "to_version": result.row.version, "to_sha256": result.row.sha256,
                          "conditions": differences, "reason": reason, "source": source},
                 visibility=Visibility.OFFICE)


def record_upload(before: Programme | None, after: Programme, result: LoadResult, reason: str, by) -> None:
    """Audit an uploaded version that changes official conditions."""
    reference = before if before is not None else published_programme(after.code) or after
    _record(after.code, reference, after, result, " ".join(reason.split()), by, source="upload")
