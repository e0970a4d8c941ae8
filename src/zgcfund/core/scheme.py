"""Office edits of a programme's scoring scheme and parameters, as a new programme-file
text (a new version: stored content is sacred, the old version stays as it was), and re-scoring a
stored evaluation under a new scheme without evaluating the document again.

* :func:`scheme_values` — the editable values of a programme, flat (``K1.1.base``,
  ``K1.1.increments.0.points``, ``param.industry_growth_rate``, ``param.p1_drafting_counts`` …) as
  strings for a form (a switch as ``true``/``false``, a date as YYYY-MM-DD).
* :func:`edit_scheme` — a new :class:`Programme` from changed values, a new scoring version and a
  note; every bad value is reported by field with the reason (:class:`SchemeEditError`).
* :func:`scheme_changes` — what differs between two programmes' schemes and parameters.
* :func:`scoring_only_change` — whether two programmes differ only in the scheme's numbers (then
  every measured value in a stored evaluation is still right and :func:`rescore` is exact).
* :func:`rescore` — the evaluation a programme would give, from a stored one of the same document.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from zgcfund.core.engine import choice_warning, exclude_beyond_choice, number, restore_choice, score_from_values
from zgcfund.core.errors import ProgrammeFileError
from zgcfund.core.numbers import display_number
from zgcfund.core.programme import Programme, parse_programme

#: numbers of a clause's scoring entry the office may change, with their Chinese names
CLAUSE_FIELDS = {"base": "基础分", "cap": "条款封顶分"}
INCREMENT_FIELDS = {"above": "起算值", "every": "每满", "points": "加分", "cap": "加分上限"}
BAND_FIELDS = {"at_least": "达到", "points": "加分"}
MAX_VERSION_LENGTH = 64
#: parameter units that take fractions (rates, money); counts of things are whole numbers
FRACTIONAL_UNITS = frozenset({"ratio", "万元", "元", "亿元"})


class SchemeEditError(ValueError):
    """Bad values in a scheme edit: ``problems`` maps a form field to a Chinese reason."""

    def __init__(self, problems: Mapping[str, str]):
        self.problems = dict(problems)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.problems.items()))


@dataclass(frozen=True)
class SchemeChange:
    key: str  # form field, e.g. "K1.1.increments.0.points" or "param.industry_growth_rate"
    clause: str  # the clause ID it belongs to (the parameter's ref clause for a parameter)
    label: str  # Chinese description
    old: Any
    new: Any

    def to_dict(self) -> dict:
        return {"key": self.key, "clause": self.clause, "label": self.label, "old": self.old, "new": self.new}


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return display_number(value)


def editable_parameters(programme: Programme) -> list[str]:
    """Numeric parameters (thresholds, rates), and the office's own switches and dates (``kind: office``,
    e.g. ``p1_drafting_counts``, ``application_window_closes``). Official dates are windows, not scheme
    values. Which numbers the office may set in its scheme editor (``kind: office``) is the web app's
    rule; official conditions change only by a flagged change of conditions (:func:`edit_parameters`)."""
    return [name for name, p in programme.parameters.items()
            if p.unit not in ("date", "switch") or not p.official]


def _same(old: Any, new: Any) -> bool:
    """Whether two parameter or scheme values are equal (numbers compared as decimals)."""
    if isinstance(old, bool | dt.date) or isinstance(new, bool | dt.date):
        return type(old) is type(new) and old == new
    return Decimal(str(old)) == Decimal(str(new))


def _fields(programme: Programme) -> list[tuple[str, str, str, Any, tuple]]:
    """(key, clause, label, current value, path) of every editable number, in file order; ``path``
    locates it: ("clause", cid, field), ("increments"|"bands", cid, index, field) or ("param", name)."""
    out = []
    for cid, entry in programme.scoring["clauses"].items():
        for f, name in CLAUSE_FIELDS.items():
            if f in entry:
                out.append((f"{cid}.{f}", cid, f"{cid} {name}", entry[f], ("clause", cid, f)))
        for i, inc in enumerate(entry.get("increments", [])):
            label = inc.get("label") or f"加分项 {i + 1}"
            for f, name in INCREMENT_FIELDS.items():
                if f in inc:
                    out.append((f"{cid}.increments.{i}.{f}", cid, f"{cid} {label}：{name}", inc[f],
                                ("increments", cid, i, f)))
        for i, step in enumerate((entry.get("bands") or {}).get("steps", [])):
            label = step.get("label") or f"档 {i + 1}"
            for f, name in BAND_FIELDS.items():
                out.append((f"{cid}.bands.{i}.{f}", cid, f"{cid} {label}：{name}", step[f], ("bands", cid, i, f)))
    for name in editable_parameters(programme):
        p = programme.parameters[name]
        since, value = p.values[-1]
        unit = "" if p.unit in ("date", "switch") else f"{p.unit}，"
        out.append((f"param.{name}", p.ref.clause, f"{p.label}（{unit}{since.isoformat()} 起）", value,
                    ("param", name)))
    return out


def scheme_values(programme: Programme) -> dict[str, str]:
    """The editable values as form strings."""
    return {key: _plain(value) for key, _c, _l, value, _p in _fields(programme)}


def scheme_labels(programme: Programme) -> dict[str, tuple[str, str]]:
    """Form field → (clause ID, Chinese label)."""
    return {key: (clause, label) for key, clause, label, _v, _p in _fields(programme)}


def _parse(key: str, label: str, raw: str, unit: str, problems: dict[str, str]) -> Decimal | None:
    text = (raw or "").strip().replace("，", ".")
    if not text:
        problems[key] = f"{label}：请填写数值。"
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        problems[key] = f"{label}：“{text}”不是数字。"
        return None
    if not value.is_finite():
        problems[key] = f"{label}：“{text}”不是数字。"
        return None
    field = key.rsplit(".", 1)[-1]
    if not key.startswith("param."):
        if value < 0:
            problems[key] = f"{label}：不能为负数。"
            return None
        if field == "every" and value == 0:
            problems[key] = f"{label}：须大于 0。"
            return None
    else:
        if unit not in FRACTIONAL_UNITS and value != value.to_integral_value():
            problems[key] = f"{label}：须为整数。"
            return None
        if unit != "ratio" and value < 0:
            problems[key] = f"{label}：不能为负数。"
            return None
    if value != value.quantize(Decimal("0.0001")):
        problems[key] = f"{label}：最多保留四位小数。"
        return None
    return value


#: what a switch field may be posted as (a checkbox posts "on" when it has no value)
SWITCH_TRUE, SWITCH_FALSE = frozenset({"true", "on", "1", "是"}), frozenset({"false", "off", "0", "否", ""})


def _parse_setting(key: str, label: str, raw: str, unit: str, problems: dict[str, str]) -> bool | dt.date | None:
    """A switch (true/false) or date (YYYY-MM-DD) parameter from a form string; None and a problem if bad."""
    text = (raw or "").strip()
    if unit == "switch":
        if text.lower() in SWITCH_TRUE:
            return True
        if text.lower() in SWITCH_FALSE:
            return False
        problems[key] = f"{label}：“{text}”不是有效的选择，请选择“是”或“否”。"
        return None
    if not text:
        problems[key] = f"{label}：请填写日期（格式 YYYY-MM-DD）。"
        return None
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        problems[key] = f"{label}：“{text}”不是有效日期（格式 YYYY-MM-DD，如 2025-10-31）。"
        return None


def _yaml_number(value: Any) -> int | float:
    d = Decimal(str(value))
    return int(d) if d == d.to_integral_value() else float(d)


def _render(programme: Programme, scoring: dict, params: dict[str, Any], header: str) -> str:
    """The programme's text with the scoring section replaced and parameters' latest values changed."""
    text = programme.source_text
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.startswith("scoring:")), None)
    if start is None:
        raise ProgrammeFileError(programme.origin, "scoring", "no top-level scoring section")
    end = next((i for i in range(start + 1, len(lines))
                if lines[i].strip() and not lines[i].startswith((" ", "#"))), len(lines))
    dumped = yaml.safe_dump({"scoring": scoring}, allow_unicode=True, sort_keys=False, width=100000,
                            default_flow_style=None)
    body = "".join(lines[:start]) + header + dumped + "".join(lines[end:])
    return _set_parameters(programme, body, params)


def _set_parameters(programme: Programme, body: str, params: Mapping[str, Any]) -> str:
    """``body`` with each named parameter's latest value (the one of its latest date in force) changed."""
    for name, value in params.items():
        p = programme.parameters[name]
        since = p.values[-1][0].isoformat()
        block = re.search(rf"(?m)^  {re.escape(name)}:\n((?:    .*\n|\s*\n)*)", body)
        if block is None:
            raise ProgrammeFileError(programme.origin, f"parameters.{name}", "parameter block not found")
        inner = block.group(1)
        values_line = re.search(r"(?m)^    values: \{(.*)\}$", inner)
        if values_line is None:
            raise ProgrammeFileError(programme.origin, f"parameters.{name}.values", "values not in flow style")
        entries = dict(e.split(": ", 1) for e in values_line.group(1).split(", "))
        entries[since] = _plain(value)
        new_inner = (inner[:values_line.start()] + "    values: {"
                     + ", ".join(f"{k}: {v}" for k, v in entries.items()) + "}" + inner[values_line.end():])
        body = body[:block.start(1)] + new_inner + body[block.end(1):]
    return body


def edit_scheme(programme: Programme, values: Mapping[str, str], *, version: str, note: str = "",
                header: str = "") -> Programme:
    """A new programme: ``programme`` with the changed numbers, ``scoring.version`` = ``version`` and
    the office's ``note``. Raises :class:`SchemeEditError` naming each bad field."""
    problems: dict[str, str] = {}
    version = (version or "").strip()
    if not version:
        problems["version"] = "评分方案版本：请填写新版本号。"
    elif len(version) > MAX_VERSION_LENGTH:
        problems["version"] = f"评分方案版本：最多 {MAX_VERSION_LENGTH} 个字符。"
    elif version == programme.scoring.get("version"):
        problems["version"] = f"评分方案版本：新版本号须不同于当前的“{version}”。"
    scoring = copy.deepcopy(programme.scoring)
    params: dict[str, Any] = {}
    changed = False
    for key, _clause, label, old, path in _fields(programme):
        raw = values.get(key)
        if raw is None:  # not posted: unchanged
            continue
        unit = programme.parameters[path[1]].unit if path[0] == "param" else ""
        parse = _parse_setting if unit in ("switch", "date") else _parse
        new = parse(key, label, raw, unit, problems)
        if new is None or _same(old, new):
            continue
        changed = True
        if path[0] == "param":
            params[path[1]] = new
        elif path[0] == "clause":
            scoring["clauses"][path[1]][path[2]] = _yaml_number(new)
        elif path[0] == "increments":
            scoring["clauses"][path[1]]["increments"][path[2]][path[3]] = _yaml_number(new)
        else:
            scoring["clauses"][path[1]]["bands"]["steps"][path[2]][path[3]] = _yaml_number(new)
    if not changed and not problems.keys() - {"version"}:  # a bad value is a change, not "nothing changed"
        problems["__all__"] = "没有修改任何分值或参数。"
    if problems:
        raise SchemeEditError(problems)
    scoring["version"] = version
    if note.strip():
        scoring["note"] = note.strip()
    new_text = _render(programme, scoring, params, header)
    try:
        edited = parse_programme(new_text, f"{programme.origin} → {version}")
    except ProgrammeFileError as exc:
        raise SchemeEditError({"__all__": f"修改后的项目文件无效：{exc}"}) from None
    _verify(programme, edited, params)
    return edited


def edit_parameters(programme: Programme, values: Mapping[str, str], *, names, header: str = "") -> Programme:
    """A new programme: ``programme`` with the latest value of each parameter in ``names`` set from
    ``values`` (a form string per name: a number, or YYYY-MM-DD for a date parameter); the scoring
    section is left as it is. ``header`` (comment lines) goes before ``parameters:``. Raises
    :class:`SchemeEditError` keyed ``param.NAME`` for a bad value, ``__all__`` if nothing changed."""
    problems: dict[str, str] = {}
    params: dict[str, Any] = {}
    for name in names:
        p = programme.parameters[name]
        raw = values.get(name)
        if raw is None:
            continue
        key, old = f"param.{name}", p.values[-1][1]
        if p.unit == "switch":
            text = (raw or "").strip().lower()
            if text not in ("true", "false"):
                problems[key] = f"{p.label}：请填写 true 或 false。"
                continue
            if (text == "true") != old:
                params[name] = text == "true"
        elif p.unit == "date":
            text = (raw or "").strip()
            try:
                new: Any = dt.date.fromisoformat(text)
            except ValueError:
                problems[key] = f"{p.label}：“{text}”不是日期（格式 YYYY-MM-DD）。"
                continue
            if new != old:
                params[name] = new
        else:
            new = _parse(key, p.label, raw, p.unit, problems)
            if new is not None and new != Decimal(str(old)):
                params[name] = new
    if not params and not problems:
        problems["__all__"] = "没有修改任何条件。"
    if problems:
        raise SchemeEditError(problems)
    text = programme.source_text
    at = re.search(r"(?m)^parameters:\n", text)
    if at is None:
        raise ProgrammeFileError(programme.origin, "parameters", "no top-level parameters section")
    body = _set_parameters(programme, text[:at.start()] + header + text[at.start():], params)
    try:
        edited = parse_programme(body, f"{programme.origin} → parameters")
    except ProgrammeFileError as exc:
        raise SchemeEditError({"__all__": f"修改后的项目文件无效：{exc}"}) from None
    old_data, new_data = _without_scheme(programme.data, params), _without_scheme(edited.data, params)
    old_data["scoring"], new_data["scoring"] = programme.scoring, edited.scoring
    if old_data != new_data:
        raise SchemeEditError({"__all__": "内部错误：改写项目文件时改动了所改条件以外的内容，已放弃保存。"})
    for name, value in params.items():
        got = edited.parameters[name].values[-1][1]
        if (got != value) if isinstance(value, dt.date | bool) else (Decimal(str(got)) != value):
            raise SchemeEditError({f"param.{name}": "内部错误：参数未能写入项目文件，已放弃保存。"})
    return edited


def _without_scheme(data: dict, params: Mapping[str, Any] = ()) -> dict:
    out = copy.deepcopy(data)
    out.pop("scoring", None)
    for name in params:
        out["parameters"][name].pop("values", None)
    return out


def differs_beyond_scheme(old: Programme, new: Programme) -> bool:
    """Whether two programmes differ in more than the scheme and the editable parameters' values
    (i.e. in something :func:`scheme_changes` does not list: clauses, rules, windows …)."""
    names = set(editable_parameters(old)) & set(editable_parameters(new))
    return _without_scheme(old.data, names) != _without_scheme(new.data, names)


def _verify(old: Programme, new: Programme, params: Mapping[str, Any]) -> None:
    """The rewrite changed exactly what was asked: nothing outside the scheme and those parameters."""
    if _without_scheme(old.data, params) != _without_scheme(new.data, params):
        raise SchemeEditError({"__all__": "内部错误：改写项目文件时改动了评分方案和参数以外的内容，已放弃保存。"})
    for name, value in params.items():
        if not _same(new.parameters[name].values[-1][1], value):
            raise SchemeEditError({f"param.{name}": "内部错误：参数未能写入项目文件，已放弃保存。"})


def scheme_changes(old: Programme, new: Programme) -> list[SchemeChange]:
    """Every editable number that differs, plus any clause whose scoring structure changed."""
    old_fields = {k: (c, label, v) for k, c, label, v, _p in _fields(old)}
    out = []
    for key, clause, label, value, _p in _fields(new):
        before = old_fields.get(key)
        if before is None:
            out.append(SchemeChange(key, clause, label, None, _plain(value)))
        elif not _same(before[2], value):
            out.append(SchemeChange(key, clause, label, _plain(before[2]), _plain(value)))
    new_keys = {f[0] for f in _fields(new)}
    out += [SchemeChange(k, c, label, _plain(v), None) for k, (c, label, v) in old_fields.items() if k not in new_keys]
    return out


def _shape(programme: Programme) -> dict:
    """The scheme with its numbers blanked: what must match for stored measured values to stay right."""
    scoring = copy.deepcopy(programme.scoring)
    scoring.pop("version", None)
    scoring.pop("note", None)
    for entry in scoring["clauses"].values():
        _blank(entry, CLAUSE_FIELDS)
        for inc in entry.get("increments", []):
            _blank(inc, INCREMENT_FIELDS)
        for step in (entry.get("bands") or {}).get("steps", []):
            _blank(step, BAND_FIELDS)
    return scoring


def _blank(entry: dict, fields: Mapping[str, str]) -> None:
    for f in fields:
        if f in entry:
            entry[f] = "#"


def scoring_only_change(old: Programme, new: Programme) -> bool:
    """True when the programmes differ at most in the scheme's numbers, version and note: every
    record judgement and measured value of an evaluation under ``old`` holds under ``new``."""
    if _without_scheme(old.data) != _without_scheme(new.data):
        return False
    return _shape(old) == _shape(new)


def rescore(evaluation: dict, programme: Programme) -> dict:
    """``evaluation`` (zgc-evaluation/1 under a programme that differs from ``programme`` only in the
    scheme's numbers — check :func:`scoring_only_change`) as ``programme`` would give it: each met
    clause scored again from its stored measured values, unresolved choices re-applied, totals and the
    stamps updated. The record judgements, eligibility and problems are unchanged."""
    try:  # a stored evaluation is plain JSON: a round trip copies it several times faster than deepcopy
        out = json.loads(json.dumps(evaluation))
    except TypeError:
        out = copy.deepcopy(evaluation)
    # scheme numbers are not dated: any parameter date gives the same score rules
    rules = programme.rules_on(min(d for p in programme.parameters.values() for d, _v in p.values))
    scores: dict[str, Decimal] = {}
    clauses = out["clauses"]
    for cid, clause in clauses.items():
        restore_choice(clause)
        clause.pop("score_excluded_by", None)
        trace = clause.get("trace") or {}
        if clause["status"] != "met" or "score" not in trace:
            scores[cid] = Decimal(0)
            continue
        old = trace["score"]
        values = [step["value"] for step in old.get("increments", [])]
        band_value = (old.get("band") or {}).get("value")
        score, new_trace = score_from_values(rules.clauses[cid].score, values, band_value)
        trace["score"] = new_trace
        clause["score"] = number(score)
        scores[cid] = score
    # an unresolved choice (a warning since issue 10; a problem in older evaluations) is settled again
    unresolved = {p["rule"] for p in out["problems"]} | {w["rule"] for w in out.get("warnings") or ()}
    for gate in programme.gates:
        if gate.kind != "choose" or gate.id not in unresolved:
            continue
        members = programme.choice_groups[gate.group]
        used = [c for c in members if clauses[c]["status"] not in ("not_declared", "not_chosen")]
        left = exclude_beyond_choice(gate, members, used, clauses, scores)
        if "warnings" in out:
            out["warnings"] = [w if w["rule"] != gate.id else
                               {**w, "message": choice_warning(gate, members, used,
                                                               [c for c in used if c not in left], left)}
                               for w in out["warnings"]]
    family_scores = {f: sum((scores[c.id] for c in programme.clauses_of(f)), Decimal(0)) for f in programme.families}
    out["score"] = {**{f: number(s) for f, s in family_scores.items()},
                    "total": number(sum(family_scores.values(), Decimal(0)))}
    out["rescored_from"] = {"programme_sha256": evaluation.get("programme_sha256"),
                            "scoring_version": evaluation.get("scoring_version")}
    out["programme_sha256"] = programme.sha256
    out["scoring_version"] = programme.scoring["version"]
    return out
