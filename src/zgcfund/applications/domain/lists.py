"""Importing a clause's long list (K1.1, K1.3, K3.2, K3.3) in one go, all or nothing.

Rows arrive already read from a spreadsheet (``interfaces/excel.py``) as format values; every row
is checked by the engine, keys and duplicates across rows are checked here, and only when no row
has a problem are records created, updated and (in replace mode) deleted, in one transaction with
one audit event. Problems name the spreadsheet row (``line``) and the field path; the interface
maps paths back to its column headers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from zgcfund.applications.domain.editing import (
    StaleEdit,
    _snapshot,
    _stored_fields,
    ensure_editable,
)
from zgcfund.applications.models import Application, Record
from zgcfund.audit.domain import changed_fields, record_event
from zgcfund.audit.models import Visibility
from zgcfund.core import bounds
from zgcfund.core.application import validator_for
from zgcfund.core.vocabulary import party_key

LIST_CLAUSES = ("K1.1", "K1.3", "K3.2", "K3.3")
"""The clauses whose records are long lists, with Excel templates and imports."""
TABLE_CLAUSES = (*LIST_CLAUSES, "K1.2", "K5.3")
"""The clauses shown as a searchable, paged table with a clause-level upload (enterprise lists too)."""

APPEND, REPLACE = "append", "replace"
MODES = (APPEND, REPLACE)
MAX_ROWS = bounds.RECORDS_MAX


@dataclass(frozen=True)
class RowProblem:
    """A problem in one row (``line`` = spreadsheet row number; 0 = the file as a whole)."""

    line: int
    path: str
    message: str


@dataclass
class ListRow:
    """One spreadsheet row as format values. ``key`` names an existing record to update;
    ``problems`` are cells that could not be read (their fields are left out of ``data``);
    ``derived`` maps a path filled in from another cell (an empty 名称 from the enterprise's name)
    to that cell's path, so that one missing cell is reported once."""

    line: int
    data: dict[str, Any]
    key: str | None = None
    problems: list[RowProblem] = field(default_factory=list)
    derived: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ListImport:
    clause: str
    mode: str
    created: int
    updated: int
    unchanged: int
    deleted: int
    warnings: list[RowProblem]


class ListInvalid(Exception):
    """Rows with problems; nothing was written."""

    def __init__(self, problems: list[RowProblem], warnings: list[RowProblem] | None = None):
        self.problems = problems
        self.warnings = warnings or []
        super().__init__("；".join(f"{p.line}:{p.path}:{p.message}" for p in problems[:5]))


def _covered(path: str, reported: set[str]) -> bool:
    return any(path == r or path.startswith(r + ".") or r.startswith(path + ".") for r in reported)


def _unique_fields(clause_def) -> list[str]:
    """Fields the clause counts once each (``{unique: F}`` record rules) — the engine's rule, echoed as warnings."""
    return [r["test"]["unique"] for r in clause_def.raw.get("record_rules", [])
            if isinstance(r.get("test"), dict) and "unique" in r["test"]]


def _unique_key(clause_def, name: str, value: Any) -> Any:
    if value is None:
        return None
    spec = clause_def.fields.get(name)
    if spec is not None and spec.type == "party":
        return party_key(value)
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def _values(rec: dict[str, Any]) -> dict[str, Any]:
    return {"phase": rec["phase"], "date": rec["date"], "title": rec["title"].strip(), "fields": _stored_fields(rec)}


def _same(record: Record, values: dict[str, Any]) -> bool:
    return all(getattr(record, k) == v for k, v in values.items())


def check_rows(application: Application, clause: str, rows: list[ListRow], mode: str, *,
               exported: dict[str, int] | None = None) -> tuple[list[tuple[ListRow, dict]], list[RowProblem], list[RowProblem]]:
    """Validate every row; returns (rows with their checked values, problems, warnings). Writes nothing."""
    from zgcfund.applications.domain.document import programme_of
    from zgcfund.applications.domain.notices import NoticeRefused, link_notice

    programme = programme_of(application)
    clause_def = programme.clauses[clause]
    validator = validator_for(programme)
    existing = {r.key: r for r in application.records.filter(clause=clause)}
    other_keys = dict(application.records.exclude(clause=clause).values_list("key", "clause"))
    problems: list[RowProblem] = []
    warnings: list[RowProblem] = []
    checked: list[tuple[ListRow, dict]] = []
    seen_keys: dict[str, int] = {}
    seen_rows: dict[str, int] = {}
    unique_fields = _unique_fields(clause_def)
    seen_unique: dict[tuple[str, Any], int] = {}

    for row in rows:
        mine = list(row.problems)
        reported = {p.path for p in mine}
        raw = {k: v for k, v in row.data.items() if v is not None}
        raw["clause"] = clause
        raw["id"] = row.key or "_"
        try:  # K3.2/K3.3: the notice date from a linked notice, or marked self-declared
            raw = link_notice(application.organization, clause_def, raw)
        except NoticeRefused as exc:
            mine.append(RowProblem(row.line, exc.field or "", exc.message))
            reported.add(exc.field or "")
        rec, engine_problems = validator.check_record(raw)
        mine += [RowProblem(row.line, p.path, p.message) for p in engine_problems if not _covered(p.path, reported)]
        if row.derived:
            bad = {p.path for p in mine}
            mine = [p for p in mine if not (p.path in row.derived and _covered(row.derived[p.path], bad - {p.path}))]
        if row.key and not any(p.path == "id" for p in mine):  # a malformed key is reported once, by the engine
            if row.key in seen_keys:
                mine.append(RowProblem(row.line, "id", _("记录编号“%(key)s”与第 %(line)s 行重复") % {
                    "key": row.key, "line": seen_keys[row.key]}))
            elif row.key in other_keys:
                mine.append(RowProblem(row.line, "id", _("记录编号“%(key)s”是 %(clause)s 的记录，不属于本条款") % {
                    "key": row.key, "clause": other_keys[row.key]}))
            elif row.key not in existing:
                mine.append(RowProblem(row.line, "id", _(
                    "记录编号“%(key)s”不是本申报书中的现有记录（可能已被删除）；新增的行请将记录编号留空") % {"key": row.key}))
            elif exported is not None and exported.get(row.key) not in (None, existing[row.key].version):
                mine.append(RowProblem(row.line, "id", _stale_row(existing[row.key])))
            seen_keys.setdefault(row.key, row.line)
        if not mine:
            values = _values(rec)
            signature = json.dumps(values, sort_keys=True, ensure_ascii=False, default=str)
            if signature in seen_rows:
                mine.append(RowProblem(row.line, "", _("与第 %(line)s 行内容完全相同（重复行）") % {
                    "line": seen_rows[signature]}))
            else:
                seen_rows[signature] = row.line
        if mine:
            problems += mine
            continue
        for name in unique_fields:
            k = _unique_key(clause_def, name, rec.get(name))
            if k is None:
                continue
            first = seen_unique.get((name, k))
            if first is not None:
                warnings.append(RowProblem(row.line, name, _(
                    "与第 %(line)s 行为同一%(label)s，评估时只计一次") % {"line": first, "label": _label(clause_def, name)}))
            else:
                seen_unique[(name, k)] = row.line
        checked.append((row, rec))

    if mode == APPEND and unique_fields:
        in_file = {row.key for row in rows if row.key}
        for record in existing.values():
            if record.key in in_file:
                continue
            for name in unique_fields:
                k = _unique_key(clause_def, name, record.fields.get(name))
                line = seen_unique.get((name, k)) if k is not None else None
                if line is not None:
                    warnings.append(RowProblem(line, name, _(
                        "与已有记录 %(key)s 为同一%(label)s，评估时只计一次") % {
                        "key": record.key, "label": _label(clause_def, name)}))
    problems.sort(key=lambda p: p.line)
    warnings.sort(key=lambda p: p.line)
    return checked, problems, warnings


def _label(clause_def, name: str) -> str:
    spec = clause_def.fields.get(name)
    return spec.label if spec else name


def _who(record: Record) -> str:
    return record.updated_by.get_full_name() if record.updated_by else _("其他用户")


def _stale_row(record: Record) -> str:
    return _("记录 %(key)s 在此文件导出后已被%(who)s修改，为免覆盖对方的修改，未导入。请重新下载当前清单后再修改上传。") % {
        "key": record.key, "who": _who(record)}


def import_list(application: Application, user, clause: str, rows: list[ListRow], mode: str, *,
                exported: dict[str, int] | None = None, source: str = "") -> ListImport:
    """Import ``rows`` as the clause's records.

    ``append``: rows without a key become new records; a row with the key of one of the clause's
    records updates it (its evidence files stay). ``replace``: the same, and the clause's records
    not in the file are deleted. ``exported``: the record versions the file was exported with;
    a row or a deletion touching a record changed (or created) since then is refused, so that a
    colleague's edit is never overwritten. Raises EditRefused, ListInvalid or StaleEdit; then
    nothing has been written.
    """
    if clause not in LIST_CLAUSES:
        raise ValueError(f"{clause} has no list import")
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}")
    ensure_editable(application)
    if not rows:
        raise ListInvalid([RowProblem(0, "", _("文件中没有数据行。"))])
    if len(rows) > MAX_ROWS:
        raise ListInvalid([RowProblem(0, "", _("共 %(n)s 行，超过每次导入 %(max)s 行的上限，请分批导入。") % {
            "n": len(rows), "max": MAX_ROWS})])
    for _attempt in range(3):
        try:
            with transaction.atomic():
                return _apply(application, user, clause, rows, mode, exported, source)
        except IntegrityError:  # a colleague took one of the new keys at the same moment
            continue
    raise StaleEdit(_("记录编号冲突，请重试。"))


def _apply(application, user, clause, rows, mode, exported, source) -> ListImport:
    # Lock the clause's records for the rest of the transaction (PostgreSQL; SQLite locks the database).
    list(Record.objects.select_for_update().filter(application=application, clause=clause).values_list("pk", flat=True))
    checked, problems, warnings = check_rows(application, clause, rows, mode, exported=exported)
    existing = {r.key: r for r in application.records.filter(clause=clause).select_related("updated_by")}
    in_file = {row.key for row, _rec in checked if row.key}
    doomed = [r for k, r in existing.items() if k not in in_file] if mode == REPLACE else []
    if exported is not None:
        for record in doomed:
            if exported.get(record.key) != record.version:
                problems.append(RowProblem(0, "", _(
                    "记录 %(key)s（%(title)s）是在此文件导出后由%(who)s新增或修改的，替换导入会删除它，因此未导入。"
                    "请重新下载当前清单后再修改上传。") % {"key": record.key, "title": record.title, "who": _who(record)}))
    if not problems:
        total = (application.records.count() - len(doomed)
                 + sum(1 for row, _rec in checked if not row.key))
        too_many = bounds.records_problem(total)
        if too_many:
            problems.append(RowProblem(0, "", _("导入后本申报书%(problem)s。") % {"problem": too_many}))
    if problems:
        raise ListInvalid(sorted(problems, key=lambda p: p.line), warnings)

    now = timezone.now()
    created, updated, unchanged = [], {}, 0
    new_rows = []
    for row, rec in checked:
        values = _values(rec)
        if row.key:
            record = existing[row.key]
            if _same(record, values):
                unchanged += 1
                continue
            before = _snapshot(record)
            n = Record.objects.filter(pk=record.pk, version=record.version).update(
                version=F("version") + 1, updated_by=user, updated_at=now, **values)
            if not n:
                raise StaleEdit(_stale_row(record))
            after = {"phase": values["phase"], "date": values["date"].isoformat(), "title": values["title"],
                     **values["fields"]}
            updated[record.key] = changed_fields(before, after)
        else:
            new_rows.append(values)
    if new_rows:
        keys = _new_keys(application, clause, len(new_rows))
        Record.objects.bulk_create([Record(application=application, clause=clause, key=key, created_by=user,
                                           updated_by=user, **values) for key, values in zip(keys, new_rows, strict=True)])
        created = keys
    deleted = [{"key": r.key, **_snapshot(r)} for r in doomed]
    if doomed:
        Record.objects.filter(pk__in=[r.pk for r in doomed]).delete()
    mode_name = _("替换") if mode == REPLACE else _("追加")
    counts = {"created": len(created), "updated": len(updated), "deleted": len(deleted), "unchanged": unchanged}
    summary = _("从 Excel 导入 %(clause)s 清单（%(mode)s）：新增 %(created)s 条，更新 %(updated)s 条，删除 %(deleted)s 条") % {
        "clause": clause, "mode": mode_name, **counts}
    record_event("records.import_list", summary, actor=user, application=application, obj=application, changes={
        "clause": clause, "mode": mode, "file": source[:200], **counts,
        "created_keys": created, "updated_records": updated, "deleted_records": deleted},
        visibility=Visibility.ORGANIZATION)
    Application.objects.filter(pk=application.pk).update(updated_at=now, updated_by=user)
    return ListImport(clause, mode, len(created), len(updated), unchanged, len(deleted), warnings)


def _new_keys(application: Application, clause: str, n: int) -> list[str]:
    """``n`` unused keys ``K1.1-001``… in the same sequence as ``editing.next_record_key``."""
    used = set(application.records.filter(key__startswith=f"{clause}-").values_list("key", flat=True))
    keys, i = [], len(used)
    while len(keys) < n:
        i += 1
        key = f"{clause}-{i:03d}"
        if key not in used:
            keys.append(key)
    return keys
