"""The building blocks a programme file composes.

Record predicates (``{field: participants, ge: {param: min_participants}}``,
``all``/``any``/``not``, ``present``, ``growth``, ``working_days_between``),
set rules over a clause's records (``unique``, ``group_sum``), clause
conditions (``count``/``sum`` ≥ threshold, ``all``/``any``, k-of-n ``of``)
and measures for scoring. Everything compiles once into plain closures, with
parameter values baked in; a clause of the same shape in a later year's file
needs no code.
"""

from __future__ import annotations

import datetime as dt
import operator
import unicodedata
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from zgcfund.core.workdays import working_days_between

Record = dict[str, Any]
Predicate = Callable[[Record], bool]

COMMON_FIELDS = {"id": "string", "clause": "string", "phase": "enum", "date": "date",
                 "title": "string", "evidence": "evidence", "verified": "bool"}

COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": operator.eq, "ne": operator.ne, "ge": operator.ge,
    "gt": operator.gt, "le": operator.le, "lt": operator.lt,
}
OP_SYMBOLS = {"eq": "=", "ne": "≠", "ge": "≥", "gt": ">", "le": "≤", "lt": "<"}


class SpecError(ValueError):
    """A building block used wrongly in a programme file; ``key`` says where."""

    def __init__(self, key: str, reason: str):
        self.key, self.reason = key, reason
        super().__init__(f"{key}: {reason}")


@dataclass(frozen=True, slots=True)
class Operand:
    value: Any
    param: str | None = None


class Scope:
    """What a spec may refer to: the clause's fields and the resolved parameters."""

    def __init__(self, fields: dict[str, dict], params: dict[str, Any], where: str):
        self.fields, self.params, self.where = fields, params, where

    def field(self, name: str, key: str) -> str:
        if name not in self.fields and name not in COMMON_FIELDS:
            raise SpecError(f"{self.where}.{key}", f"unknown record field '{name}'")
        return name

    def field_type(self, name: str) -> str:
        spec = self.fields.get(name)
        return spec["type"] if spec else COMMON_FIELDS[name]

    def operand(self, raw: Any, key: str) -> Operand:
        if isinstance(raw, dict):
            name = raw.get("param")
            if set(raw) != {"param"} or not isinstance(name, str):
                raise SpecError(f"{self.where}.{key}", "operand must be a literal or {param: NAME}")
            if name not in self.params:
                raise SpecError(f"{self.where}.{key}", f"unknown parameter '{name}'")
            return Operand(self.params[name], name)
        return Operand(raw)


# --- keys --------------------------------------------------------------------------

def normalise_text(text: str) -> str:
    """NFKC, case-folded, without spaces and punctuation: for same-name matching."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return "".join(filter(str.isalnum, text))


def normalise_name(name: str) -> str:
    """An enterprise's or unit's name for identity matching: NFKC (full-width brackets （）, letters
    and digits become half-width), case-folded, without any whitespace. The one place names are
    normalised for "same enterprise" decisions."""
    return "".join(unicodedata.normalize("NFKC", name).casefold().split())


def party_key(party: dict | None) -> str | None:
    """One party's own key (its credit code, else its normalised name); :func:`party_identities`
    also matches a party without a code to a coded party of the same normalised name."""
    if not party:
        return None
    code = party.get("credit_code")
    if code:
        return "code:" + code
    name = party.get("name")
    return "name:" + normalise_name(name) if name else None


def party_identities(parties: Iterable[dict | None]) -> list[str | None]:
    """Identity of each party in a list: the same credit code is the same enterprise; a party
    without a code is the party whose normalised name (:func:`normalise_name`) it shares — a coded
    one if any. Different codes are different enterprises, whatever the names."""
    parties = list(parties)
    by_name: dict[str, str] = {}
    for p in parties:  # coded parties first: a code-less record may come before its coded twin
        if p and p.get("credit_code") and p.get("name"):
            by_name.setdefault(normalise_name(p["name"]), "code:" + p["credit_code"])
    out: list[str | None] = []
    for p in parties:
        if not p:
            out.append(None)
        elif p.get("credit_code"):
            out.append("code:" + p["credit_code"])
        elif p.get("name"):
            name = normalise_name(p["name"])
            out.append(by_name.setdefault(name, "name:" + name))
        else:
            out.append(None)
    return out


def key_function(scope: Scope, name: str, key: str) -> Callable[[Record], Any]:
    scope.field(name, key)
    if scope.field_type(name) == "party":
        return lambda r: party_key(r.get(name))
    return lambda r: r.get(name)


def keys_function(scope: Scope, name: str, key: str) -> Callable[[list[Record]], list[Any]]:
    """The keys of a list of records by one field; a party field by :func:`party_identities`."""
    scope.field(name, key)
    if scope.field_type(name) == "party":
        return lambda records: party_identities(r.get(name) for r in records)
    return lambda records: [r.get(name) for r in records]


# --- what an evaluation tells the building blocks ------------------------------------------

@dataclass
class EvaluationContext:
    """Set by the engine while it evaluates one application: each record's phase window
    (``{in_window: F}``) and the records counted so far per clause (``{unique: F, across: [...]}``)."""

    windows: dict[int, tuple[str, dt.date, dt.date]] = field(default_factory=dict)  # id(record) → (label, start, end)
    counted: dict[str, list[Record]] = field(default_factory=dict)  # clause → counted records


CONTEXT: ContextVar[EvaluationContext | None] = ContextVar("zgcfund_evaluation_context", default=None)


def record_window(record: Record) -> tuple[str, dt.date, dt.date] | None:
    ctx = CONTEXT.get()
    return ctx.windows.get(id(record)) if ctx is not None else None


def division_code(party: dict | None) -> str | None:
    """Positions 3–8 of a party's credit code (GB/T 2260 division code), None without a code."""
    code = (party or {}).get("credit_code")
    return code[2:8] if isinstance(code, str) and len(code) >= 8 else None


# --- record predicates ---------------------------------------------------------------

def _comparison(spec: dict, scope: Scope, key: str) -> tuple[str, Operand]:
    ops = [k for k in spec if k in COMPARISONS]
    if len(ops) != 1:
        raise SpecError(f"{scope.where}.{key}", "exactly one of eq/ne/ge/gt/le/lt expected")
    return ops[0], scope.operand(spec[ops[0]], f"{key}.{ops[0]}")


def growth(current: Any, previous: Any) -> Decimal | None:
    """Year-on-year growth ratio; None when it cannot be computed."""
    if current is None or previous is None or previous <= 0:
        return None
    return (Decimal(str(current)) - Decimal(str(previous))) / Decimal(str(previous))


def compile_predicate(spec: Any, scope: Scope, key: str = "test") -> Predicate:
    if not isinstance(spec, dict) or not spec:
        raise SpecError(f"{scope.where}.{key}", "predicate must be a mapping")
    if "all" in spec or "any" in spec:
        kind = "all" if "all" in spec else "any"
        parts = [compile_predicate(p, scope, f"{key}.{kind}[{i}]") for i, p in enumerate(spec[kind])]
        if kind == "all":
            return lambda r: all(p(r) for p in parts)
        return lambda r: any(p(r) for p in parts)
    if "not" in spec:
        inner = compile_predicate(spec["not"], scope, f"{key}.not")
        return lambda r: not inner(r)
    if "setting" in spec:  # a programme setting (unit: switch) the office decides
        value = bool(scope.operand({"param": spec["setting"]}, f"{key}.setting").value)
        return lambda r: value
    if "present" in spec:
        name, _, part = spec["present"].partition(".")
        scope.field(name, f"{key}.present")
        if part:  # a party's part: enterprise.credit_code
            if scope.field_type(name) != "party" or part not in ("name", "credit_code"):
                raise SpecError(f"{scope.where}.{key}.present", f"'{spec['present']}': only party.name or party.credit_code")
            return lambda r: (r.get(name) or {}).get(part) not in (None, "")
        return lambda r: r.get(name) not in (None, "", [])
    if "in_window" in spec:
        # a date field inside the record's own phase window (W-PRIOR / W-PLAN), as the engine set it
        name = scope.field(spec["in_window"], f"{key}.in_window")

        def in_window(r: Record) -> bool:
            day, window = r.get(name), record_window(r)
            return day is not None and (window is None or window[1] <= day <= window[2])
        return in_window
    if "division_code" in spec:
        name = scope.field(spec["division_code"], f"{key}.division_code")
        if scope.field_type(name) != "party" or set(spec) != {"division_code", "prefix_in"}:
            raise SpecError(f"{scope.where}.{key}", "division_code needs a party field and prefix_in")
        prefixes = tuple(str(p) for p in spec["prefix_in"])

        def division_test(r: Record) -> bool:
            division = division_code(r.get(name))
            return division is not None and division.startswith(prefixes)
        return division_test
    if "growth" in spec:
        cur, prev = (scope.field(n, f"{key}.growth") for n in spec["growth"])
        op, operand = _comparison({k: v for k, v in spec.items() if k != "growth"}, scope, key)
        cmp, threshold = COMPARISONS[op], Decimal(str(operand.value))

        def growth_test(r: Record) -> bool:
            g = growth(r.get(cur), r.get(prev))
            return g is not None and cmp(g, threshold)
        return growth_test
    if "working_days_between" in spec:
        start, end = (scope.field(n, f"{key}.working_days_between")
                      for n in spec["working_days_between"])
        op, operand = _comparison({k: v for k, v in spec.items()
                                   if k != "working_days_between"}, scope, key)
        cmp, threshold = COMPARISONS[op], operand.value

        def days_test(r: Record) -> bool:
            a, b = r.get(start), r.get(end)
            return a is not None and b is not None and cmp(working_days_between(a, b), threshold)
        return days_test
    if "field" in spec:
        name = scope.field(spec["field"], f"{key}.field")
        rest = {k: v for k, v in spec.items() if k != "field"}
        if set(rest) == {"in"}:
            allowed = frozenset(rest["in"])
            return lambda r: r.get(name) in allowed
        if set(rest) == {"prefix_in"}:
            prefixes = tuple(rest["prefix_in"])
            return lambda r: isinstance(r.get(name), str) and r[name].startswith(prefixes)
        if set(rest) == {"contains"}:
            item = rest["contains"]
            return lambda r: item in (r.get(name) or ())
        if set(rest) == {"contains_any"}:
            items = frozenset(rest["contains_any"])
            return lambda r: not items.isdisjoint(r.get(name) or ())
        op, operand = _comparison(rest, scope, key)
        cmp, value = COMPARISONS[op], operand.value
        if op == "eq":
            return lambda r: r.get(name) == value
        if op == "ne":
            return lambda r: r.get(name) != value

        def compare(r: Record) -> bool:
            v = r.get(name)
            return v is not None and cmp(v, value)
        return compare
    raise SpecError(f"{scope.where}.{key}", f"unknown predicate {sorted(spec)}")


# --- set rules: decide over all of a clause's records at once -----------------------------

@dataclass(slots=True)
class Outcome:
    """A record a set rule rejects, with the extra values its message may use."""

    record: Record
    extra: dict[str, Any]


SetRule = Callable[[list[Record]], tuple[list[Record], list[Outcome]]]


def compile_set_rule(spec: dict, scope: Scope, key: str = "test") -> SetRule | None:
    if "unique" in spec:
        # same enterprise by identity (party_identities), within the clause and, with ``across``,
        # against the records already counted in the named clauses (evaluated earlier)
        name = spec["unique"]
        keysf = keys_function(scope, name, f"{key}.unique")
        across = tuple(spec.get("across", ()))

        def unique(records: list[Record]) -> tuple[list[Record], list[Outcome]]:
            ctx = CONTEXT.get()
            earlier = [(cid, r) for cid in across for r in (ctx.counted.get(cid, ()) if ctx else ())]
            keys = keysf([r for _, r in earlier] + records)
            seen: dict[Any, str] = {}
            for (cid, r), k in zip(earlier, keys, strict=False):
                if k is not None:
                    seen.setdefault(k, f"{r['id']}（{cid}）")
            kept, out = [], []
            for r, k in zip(records, keys[len(earlier):], strict=True):
                if k is None:
                    kept.append(r)
                elif k in seen:
                    out.append(Outcome(r, {"duplicate_of": seen[k]}))
                else:
                    seen[k] = r["id"]
                    kept.append(r)
            return kept, out
        return unique
    if "group_sum" in spec:
        field = scope.field(spec["group_sum"], f"{key}.group_sum")
        by = spec.get("by")
        keysf = keys_function(scope, by, f"{key}.by")
        op, operand = _comparison({k: v for k, v in spec.items()
                                   if k not in ("group_sum", "by")}, scope, key)
        cmp, threshold = COMPARISONS[op], Decimal(str(operand.value))

        def group_sum(records: list[Record]) -> tuple[list[Record], list[Outcome]]:
            totals: dict[Any, Decimal] = {}
            keys = keysf(records)
            for r, k in zip(records, keys, strict=True):
                totals[k] = totals.get(k, Decimal(0)) + Decimal(str(r.get(field) or 0))
            kept, out = [], []
            for r, k in zip(records, keys, strict=True):
                total = totals[k]
                if cmp(total, threshold):
                    kept.append(r)
                else:
                    party = r.get(by) or {}
                    out.append(Outcome(r, {"group_total": _plain(total),
                                           "unit_name": party.get("name", "")}))
            return kept, out
        return group_sum
    if "disjoint_periods" in spec:
        # each record reports its own period [start, end] (start absent: the end day alone); a record
        # whose period overlaps one already counted (file order) is not summed twice
        start_f, end_f = (scope.field(n, f"{key}.disjoint_periods") for n in spec["disjoint_periods"])

        def disjoint(records: list[Record]) -> tuple[list[Record], list[Outcome]]:
            kept: list[tuple[Any, Any, Record]] = []
            out = []
            for r in records:
                end = r.get(end_f)
                start = r.get(start_f) or end
                clash = next((k for k in kept if start <= k[1] and k[0] <= end), None)
                if clash is None:
                    kept.append((start, end, r))
                else:
                    out.append(Outcome(r, {"overlaps": clash[2]["id"], "period": f"{start}至{end}",
                                           "other_period": f"{clash[0]}至{clash[1]}"}))
            return [k[2] for k in kept], out
        return disjoint
    return None


# --- clause conditions ---------------------------------------------------------------

def _plain(value: Any) -> Any:
    """Decimal → int when integral, else the Decimal (formatting stays exact)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else value.normalize()
    return value


def _json_number(value: Decimal) -> int | float:
    plain = _plain(value)
    return plain if isinstance(plain, int) else float(plain)


class Measure:
    """A count (optionally distinct, optionally filtered) or a sum over records."""

    def __init__(self, spec: dict, scope: Scope, key: str):
        self.where: Predicate | None = None
        if "count" in spec:
            inner = spec["count"] or {}
            self.kind = "count"
            self.distinct = (keys_function(scope, inner["distinct"], f"{key}.count.distinct")
                             if "distinct" in inner else None)
            if "where" in inner:
                self.where = compile_predicate(inner["where"], scope, f"{key}.count.where")
        elif "sum" in spec:
            self.kind = "sum"
            self.field = scope.field(spec["sum"], f"{key}.sum")
            if "where" in spec:
                self.where = compile_predicate(spec["where"], scope, f"{key}.where")
        else:
            raise SpecError(f"{scope.where}.{key}", "measure must be count or sum")

    def __call__(self, records: Iterable[Record]) -> Decimal:
        if self.where is not None:
            records = [r for r in records if self.where(r)]
        if self.kind == "count":
            if self.distinct is not None:
                return Decimal(len(set(self.distinct(list(records)))))
            return Decimal(len(records) if isinstance(records, list) else sum(1 for _ in records))
        total = Decimal(0)
        for r in records:
            v = r.get(self.field)
            if v is not None:
                total += v if isinstance(v, Decimal) else Decimal(str(v))
        return total


class Condition:
    """A clause's basic condition over its counted records, with an explanation tree."""

    def __init__(self, spec: dict, scope: Scope, key: str = "condition"):
        self.label = spec.get("label")
        self.parts: list[Condition] = []
        if "all" in spec or "any" in spec:
            self.kind = "all" if "all" in spec else "any"
            self.parts = [Condition(s, scope, f"{key}.{self.kind}[{i}]")
                          for i, s in enumerate(spec[self.kind])]
            self.need = len(self.parts) if self.kind == "all" else 1
        elif "of" in spec:
            self.kind = "of"
            self.parts = [Condition(s, scope, f"{key}.of[{i}]") for i, s in enumerate(spec["of"])]
            self.need = int(scope.operand(spec["at_least"], f"{key}.at_least").value)
        elif "table_growth" in spec:
            # growth of a table's totals (records with both figures) over the threshold; pending
            # while a figure's period (field ``period_end``) has not ended on the as-of date
            self.kind = "table_growth"
            self.fields_ = [scope.field(n, f"{key}.table_growth") for n in spec["table_growth"]]
            op, self.threshold = _comparison({k: v for k, v in spec.items()
                                              if k not in ("table_growth", "label", "ref")}, scope, key)
            self.cmp, self.op = COMPARISONS[op], op
            self.threshold_value = Decimal(str(self.threshold.value))
            ends = [scope.params[scope.fields[n]["period_end"]["param"]] for n in self.fields_
                    if "period_end" in (scope.fields.get(n) or {})]
            self.period_end = max(ends) if ends else None
        elif "count" in spec or "sum" in spec:
            self.kind = "measure"
            self.measure = Measure(spec, scope, key)
            if "at_least" not in spec:
                raise SpecError(f"{scope.where}.{key}", "a count or sum needs at_least")
            self.threshold = scope.operand(spec["at_least"], f"{key}.at_least")
            self.threshold_value = Decimal(str(self.threshold.value))
        else:
            raise SpecError(f"{scope.where}.{key}", f"unknown condition {sorted(spec)}")

    def evaluate(self, records: list[Record], as_of: Any = None) -> tuple[bool, dict]:
        if self.kind == "table_growth":
            node: dict[str, Any] = {"check": self.label or "growth", "measure": "table_growth",
                                    "op": OP_SYMBOLS[self.op], "threshold": _json_number(self.threshold_value)}
            if self.threshold.param:
                node["param"] = self.threshold.param
            if self.period_end is not None:
                node["period_end"] = self.period_end.isoformat()
                if as_of is not None and as_of < self.period_end:
                    node.update(pending=True, passed=True)  # a commitment, verified at acceptance
                    return True, node
            cur, prev = self.fields_
            rows = [r for r in records if r.get(cur) is not None and r.get(prev) is not None]
            total_cur = sum((Decimal(str(r[cur])) for r in rows), Decimal(0))
            total_prev = sum((Decimal(str(r[prev])) for r in rows), Decimal(0))
            g = growth(total_cur, total_prev) if rows else None
            passed = g is not None and self.cmp(g, self.threshold_value)
            node.update(value=_json_number(g.quantize(Decimal("0.0001"))) if g is not None else None,
                        rows=len(rows), passed=passed)
            return passed, node
        if self.kind == "measure":
            value = self.measure(records)
            passed = value >= self.threshold_value
            node = {"check": self.label or self.measure.kind, "measure": self.measure.kind,
                    "value": _plain(value), "op": "≥", "threshold": _plain(self.threshold_value),
                    "passed": passed}
            if self.threshold.param:
                node["param"] = self.threshold.param
            return passed, node
        results = [p.evaluate(records, as_of) for p in self.parts]
        met = sum(1 for ok, _ in results if ok)
        passed = met >= self.need
        node = {"check": self.label or {"all": "全部满足", "any": "满足其一",
                                        "of": f"至少满足{self.need}项"}[self.kind],
                "combine": self.kind, "passed": passed, "items": [n for _, n in results]}
        return passed, node
