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

import operator
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
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


def party_key(party: dict | None) -> str | None:
    if not party:
        return None
    code = party.get("credit_code")
    if code:
        return "code:" + code
    name = party.get("name")
    return "name:" + normalise_text(name) if name else None


def key_function(scope: Scope, name: str, key: str) -> Callable[[Record], Any]:
    scope.field(name, key)
    if scope.field_type(name) == "party":
        return lambda r: party_key(r.get(name))
    return lambda r: r.get(name)


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
    if "present" in spec:
        name = scope.field(spec["present"], f"{key}.present")
        return lambda r: r.get(name) not in (None, "", [])
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
        keyf = key_function(scope, spec["unique"], f"{key}.unique")

        def unique(records: list[Record]) -> tuple[list[Record], list[Outcome]]:
            seen: dict[Any, str] = {}
            kept, out = [], []
            for r in records:
                k = keyf(r)
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
        keyf = key_function(scope, by, f"{key}.by")
        op, operand = _comparison({k: v for k, v in spec.items()
                                   if k not in ("group_sum", "by")}, scope, key)
        cmp, threshold = COMPARISONS[op], Decimal(str(operand.value))

        def group_sum(records: list[Record]) -> tuple[list[Record], list[Outcome]]:
            totals: dict[Any, Decimal] = {}
            for r in records:
                k = keyf(r)
                totals[k] = totals.get(k, Decimal(0)) + Decimal(str(r.get(field) or 0))
            kept, out = [], []
            for r in records:
                total = totals[keyf(r)]
                if cmp(total, threshold):
                    kept.append(r)
                else:
                    party = r.get(by) or {}
                    out.append(Outcome(r, {"group_total": _plain(total),
                                           "unit_name": party.get("name", "")}))
            return kept, out
        return group_sum
    return None


# --- clause conditions ---------------------------------------------------------------

def _plain(value: Any) -> Any:
    """Decimal → int when integral, else the Decimal (formatting stays exact)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else value.normalize()
    return value


class Measure:
    """A count (optionally distinct, optionally filtered) or a sum over records."""

    def __init__(self, spec: dict, scope: Scope, key: str):
        self.where: Predicate | None = None
        if "count" in spec:
            inner = spec["count"] or {}
            self.kind = "count"
            self.distinct = (key_function(scope, inner["distinct"], f"{key}.count.distinct")
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
                return Decimal(len({self.distinct(r) for r in records}))
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
        elif "count" in spec or "sum" in spec:
            self.kind = "measure"
            self.measure = Measure(spec, scope, key)
            if "at_least" not in spec:
                raise SpecError(f"{scope.where}.{key}", "a count or sum needs at_least")
            self.threshold = scope.operand(spec["at_least"], f"{key}.at_least")
            self.threshold_value = Decimal(str(self.threshold.value))
        else:
            raise SpecError(f"{scope.where}.{key}", f"unknown condition {sorted(spec)}")

    def evaluate(self, records: list[Record]) -> tuple[bool, dict]:
        if self.kind == "measure":
            value = self.measure(records)
            passed = value >= self.threshold_value
            node = {"check": self.label or self.measure.kind, "measure": self.measure.kind,
                    "value": _plain(value), "op": "≥", "threshold": _plain(self.threshold_value),
                    "passed": passed}
            if self.threshold.param:
                node["param"] = self.threshold.param
            return passed, node
        results = [p.evaluate(records) for p in self.parts]
        met = sum(1 for ok, _ in results if ok)
        passed = met >= self.need
        node = {"check": self.label or {"all": "全部满足", "any": "满足其一",
                                        "of": f"至少满足{self.need}项"}[self.kind],
                "combine": self.kind, "passed": passed, "items": [n for _, n in results]}
        return passed, node
