"""X-P-GROW: professional service capability at acceptance against the application (pure Python, no Django).

"通过支持，专业服务能力需有提升，包括服务种类有增加，或服务事项有拓展，或服务数量有增加"
(docs/policy/2025-clauses.md, X-P-GROW). Per P area (P1–P7) the two sides are compared on three
dimensions, any one of which is growth:

* **kinds of service** (服务种类): the distinct values of the clause's ``type`` field (its enum labels);
* **scope** (服务事项拓展): the distinct values of the fields :data:`SCOPE_FIELDS` names — only where
  the zgc-application/1 format records a scope (P1 publisher, P3 location); other areas have no scope
  field and are compared on kinds and numbers only;
* **numbers** (服务数量): the record count and the sum of each of the clause's ``count`` fields in the
  programme file (participants, services, page_views, people_served, enterprises …), except
  :data:`NOT_QUANTITIES`.

The two sides (readings, docs/engine.md):

* the **application** (申报): its prior-performance records (``phase: prior``) — the basis selection ranked on;
* the **acceptance** (验收, the final basis): its prior records plus the plan records delivered
  (``delivery.status`` ``delivered`` or ``partly_delivered``, ``delivery.verified`` true — as the engine's
  final basis counts them). Plan records not delivered are
  commitments that did not happen and count for nothing.

On both sides records a reviewer rejected (``verified: false``) are left out. Given the engine's
evaluation of a side (``zgc-evaluation/1``), only the records it counted for the clause are taken
(windows, X-ONCE and record rules as the engine judged them); without one, records count as the document
states them. The verdict is ``grew`` when at least one P area grew on at least one dimension (the text
says "或"); what shrank is stated beside it, for the office, but does not by itself fail the check.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from zgcfund.core.numbers import display_number
from zgcfund.core.programme import ClauseDef, Programme, load_programme
from zgcfund.core.ranking import jsonable
from zgcfund.core.vocabulary import normalise_name

RULE = "X-P-GROW"
FAMILY = "P"
KIND_FIELD = "type"
GREW, DID_NOT_GROW = "grew", "did_not_grow"
EVALUATION_FORMAT = "zgc-evaluation/1"
# Scope per P clause: fields of zgc-application/1 whose distinct values say where or through whom the
# service reached (服务事项有拓展). Only what the format records: P1 发布单位 (publishers: standards
# published through more bodies), P3 举办地 (international work held in Beijing and abroad).
SCOPE_FIELDS: dict[str, tuple[str, ...]] = {"P1": ("publisher",), "P3": ("location",)}
# count fields that describe a record rather than measure service: a brand event's years held
NOT_QUANTITIES = frozenset({"years_held"})
RECORDS = "records"  # the quantity key of the record count
# delivery statuses that make a plan record acceptance-time work, as on the engine's final basis
# (a partly delivered record counts with what was delivered: its fields state the delivered figures)
DELIVERED_STATUSES = ("delivered", "partly_delivered")


class PGrowInputError(ValueError):
    """A document or evaluation that cannot be compared; the message names the key."""


def delivered(record: Mapping[str, Any]) -> bool:
    """A plan record delivered (or partly delivered) in the implementation period, the delivery
    verified at acceptance (``delivery.verified`` true)."""
    delivery = record.get("delivery") or {}
    return (record.get("phase") == "plan" and isinstance(delivery, Mapping)
            and delivery.get("status") in DELIVERED_STATUSES and delivery.get("verified") is True)


def _records(doc: Any, side: str) -> list[Mapping[str, Any]]:
    records = getattr(doc, "records", None)
    if records is None:
        if not isinstance(doc, Mapping):
            raise PGrowInputError(f"{side}：须为 zgc-application/1 文档")
        records = doc.get("records")
    if not isinstance(records, list) or not all(isinstance(r, Mapping) for r in records):
        raise PGrowInputError(f"{side}.records：须为记录列表")
    return records


def _counted(evaluation: Mapping[str, Any] | None, side: str) -> dict[str, set[str]] | None:
    if evaluation is None:
        return None
    if not isinstance(evaluation, Mapping) or evaluation.get("format") != EVALUATION_FORMAT:
        raise PGrowInputError(f"{side}_evaluation.format：须为 {EVALUATION_FORMAT}")
    clauses = evaluation.get("clauses")
    if not isinstance(clauses, Mapping):
        raise PGrowInputError(f"{side}_evaluation.clauses：缺失")
    return {cid: set(c.get("counted") or ()) for cid, c in clauses.items() if isinstance(c, Mapping)}


def _side(doc: Any, side: str, evaluation: Mapping[str, Any] | None, clauses: dict[str, ClauseDef]) -> dict[str, list]:
    counted = _counted(evaluation, side)
    out: dict[str, list] = {cid: [] for cid in clauses}
    for r in _records(doc, side):
        cid = r.get("clause")
        if cid not in clauses or r.get("verified") is False:
            continue
        if r.get("phase") != "prior" and not (side == "acceptance" and delivered(r)):
            continue
        if counted is not None and r.get("id") not in counted.get(cid, ()):
            continue
        out[cid].append(r)
    return out


# --- one side's capability in one area -------------------------------------------------

@dataclass(frozen=True)
class Capability:
    records: tuple[str, ...]  # record ids
    kinds: tuple[str, ...]  # "P3:intl_conference", sorted
    scope: tuple[tuple[str, str], ...]  # ("P3.location", normalised value), sorted
    quantities: tuple[tuple[str, Decimal], ...]  # (key, total); key "records" or "P7.participants"

    def quantity(self, key: str) -> Decimal:
        return dict(self.quantities).get(key, Decimal(0))

    def to_dict(self) -> dict:
        return jsonable({"records": list(self.records), "kinds": list(self.kinds),
                         "scope": [list(s) for s in self.scope], "quantities": dict(self.quantities)})


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _capability(clauses: list[ClauseDef], records: dict[str, list], shown: dict[tuple[str, str], str]) -> Capability:
    ids, kinds, scope = [], set(), set()
    totals: dict[str, Decimal] = {RECORDS: Decimal(0)}
    for c in clauses:
        for r in records[c.id]:
            ids.append(str(r.get("id")))
            totals[RECORDS] += 1
            if r.get(KIND_FIELD) is not None:
                kinds.add(f"{c.id}:{r[KIND_FIELD]}")
            for name in SCOPE_FIELDS.get(c.id, ()):
                value = r.get(name)
                if isinstance(value, str) and value.strip():
                    key = (f"{c.id}.{name}", normalise_name(value))
                    scope.add(key)
                    shown.setdefault(key, value.strip())
            for name, spec in c.fields.items():
                if spec.type == "count" and name not in NOT_QUANTITIES:
                    n = _number(r.get(name))
                    if n is not None:
                        totals[f"{c.id}.{name}"] = totals.get(f"{c.id}.{name}", Decimal(0)) + n
    return Capability(tuple(ids), tuple(sorted(kinds)), tuple(sorted(scope)), tuple(sorted(totals.items())))


# --- comparison ---------------------------------------------------------------------------

@dataclass(frozen=True)
class QuantityChange:
    key: str
    label: str
    before: Decimal
    after: Decimal

    def to_dict(self) -> dict:
        return jsonable({"key": self.key, "label": self.label, "before": self.before, "after": self.after})


@dataclass(frozen=True)
class AreaGrowth:
    area: str  # "P3"
    title: str
    before: Capability
    after: Capability
    kinds_added: tuple[str, ...]  # labels
    kinds_dropped: tuple[str, ...]
    scope_added: tuple[str, ...]  # "举办地：境外"
    scope_dropped: tuple[str, ...]
    quantities: tuple[QuantityChange, ...]  # those non-zero on either side
    grew: bool
    newly_started: bool
    reasons: tuple[str, ...]  # Chinese: how it grew, or why not, and what shrank

    @property
    def more_kinds(self) -> bool:
        return bool(self.kinds_added)

    @property
    def wider_scope(self) -> bool:
        return bool(self.scope_added)

    @property
    def larger_numbers(self) -> tuple[QuantityChange, ...]:
        return tuple(q for q in self.quantities if q.after > q.before)

    def to_dict(self) -> dict:
        return jsonable({
            "area": self.area, "title": self.title, "grew": self.grew, "newly_started": self.newly_started,
            "more_kinds": self.more_kinds, "wider_scope": self.wider_scope,
            "larger_numbers": bool(self.larger_numbers),
            "kinds_added": list(self.kinds_added), "kinds_dropped": list(self.kinds_dropped),
            "scope_added": list(self.scope_added), "scope_dropped": list(self.scope_dropped),
            "quantities": [q.to_dict() for q in self.quantities],
            "before": self.before.to_dict(), "after": self.after.to_dict(), "reasons": list(self.reasons)})


@dataclass(frozen=True)
class PGrowResult:
    verdict: str  # "grew" | "did_not_grow"
    areas: tuple[AreaGrowth, ...]  # every P area of the programme, in file order
    reasons: tuple[str, ...]
    rule: str = RULE

    @property
    def grew(self) -> bool:
        return self.verdict == GREW

    def area(self, area: str) -> AreaGrowth:
        return next(a for a in self.areas if a.area == area)

    def to_dict(self) -> dict:
        return {"rule": self.rule, "verdict": self.verdict, "grew": self.grew,
                "reasons": [{"rule": self.rule, "message": m} for m in self.reasons],
                "areas": [a.to_dict() for a in self.areas]}


def _kind_label(clauses: dict[str, ClauseDef], kind: str) -> str:
    cid, _, value = kind.partition(":")
    spec = clauses[cid].fields.get(KIND_FIELD)
    return (spec.values or {}).get(value, value) if spec else value


def _quantity_label(clauses: dict[str, ClauseDef], key: str) -> str:
    if key == RECORDS:
        return "工作项数"
    cid, _, name = key.partition(".")
    return clauses[cid].fields[name].label


def _scope_label(clauses: dict[str, ClauseDef], key: tuple[str, str], shown: dict) -> str:
    cid, _, name = key[0].partition(".")
    spec = clauses[cid].fields[name]
    value = shown[key]
    return f"{spec.label}：{(spec.values or {}).get(value, value)}"


def _n(value: Decimal) -> str:
    return display_number(value, grouping=True)


def compare_areas(programme: Programme, before: dict[str, list], after: dict[str, list]) -> list[AreaGrowth]:
    clauses = {c.id: c for c in programme.clauses_of(FAMILY)}
    out = []
    for area in programme.families[FAMILY]["areas"]:
        members = [c for c in clauses.values() if c.area == area]
        shown: dict[tuple[str, str], str] = {}
        b, a = _capability(members, before, shown), _capability(members, after, shown)
        kinds_added = tuple(_kind_label(clauses, k) for k in a.kinds if k not in b.kinds)
        kinds_dropped = tuple(_kind_label(clauses, k) for k in b.kinds if k not in a.kinds)
        scope_added = tuple(_scope_label(clauses, s, shown) for s in a.scope if s not in b.scope)
        scope_dropped = tuple(_scope_label(clauses, s, shown) for s in b.scope if s not in a.scope)
        keys = [RECORDS, *sorted({k for k, _ in b.quantities + a.quantities} - {RECORDS})]
        quantities = tuple(QuantityChange(k, _quantity_label(clauses, k), b.quantity(k), a.quantity(k))
                           for k in keys if b.quantity(k) or a.quantity(k))
        larger = [q for q in quantities if q.after > q.before]
        smaller = [q for q in quantities if q.after < q.before]
        newly = not b.records and bool(a.records)
        grew = bool(kinds_added or scope_added or larger)
        reasons = []
        if newly:
            reasons.append("申报时未开展，验收时新开展本项")
        if kinds_added:
            reasons.append(f"服务种类增加：新增{'、'.join(kinds_added)}")
        if scope_added:
            reasons.append(f"服务事项拓展：新增{'、'.join(scope_added)}")
        if larger:
            reasons.append("服务数量增加：" + "，".join(f"{q.label} {_n(q.before)} → {_n(q.after)}" for q in larger))
        if not grew and (b.records or a.records):
            reasons.append("服务种类、服务事项、服务数量均未增加")
        if kinds_dropped or scope_dropped or smaller:
            parts = ([f"服务种类{'、'.join(kinds_dropped)}"] if kinds_dropped else []) + \
                    ([f"服务事项{'、'.join(scope_dropped)}"] if scope_dropped else []) + \
                    [f"{q.label} {_n(q.before)} → {_n(q.after)}" for q in smaller]
            reasons.append("减少：" + "，".join(parts))
        if not b.records and not a.records:
            reasons.append("申报时和验收时均未开展")
        title = programme.areas.get(area, area)
        out.append(AreaGrowth(area, title, b, a, kinds_added, kinds_dropped, scope_added, scope_dropped,
                              quantities, grew, newly, tuple(reasons)))
    return out


def p_growth(application: Any, acceptance: Any, programme: Programme | None = None,
             application_evaluation: Mapping[str, Any] | None = None,
             acceptance_evaluation: Mapping[str, Any] | None = None) -> PGrowResult:
    """X-P-GROW: the professional capability in ``acceptance`` (final basis: prior + delivered plan
    records) against ``application`` (prior basis). Each is a zgc-application/1 document (a mapping, or a
    validated :class:`~zgcfund.core.application.Application`); each optional evaluation restricts its side
    to the records the engine counted. ``programme`` defaults to the documents' programme."""
    code = getattr(application, "programme", None) or (application.get("programme") if isinstance(application, Mapping) else None)
    other = getattr(acceptance, "programme", None) or (acceptance.get("programme") if isinstance(acceptance, Mapping) else None)
    if code and other and code != other:
        raise PGrowInputError(f"programme：申报文档为 {code}，验收文档为 {other}，不是同一项目")
    programme = programme or load_programme(code or None)
    clauses = {c.id: c for c in programme.clauses_of(FAMILY)}
    before = _side(application, "application", application_evaluation, clauses)
    after = _side(acceptance, "acceptance", acceptance_evaluation, clauses)
    areas = compare_areas(programme, before, after)
    grown = [a for a in areas if a.grew]
    if grown:
        reasons = tuple(f"{a.area} {a.title}：{'；'.join(a.reasons)}" for a in grown)
        others = tuple(f"{a.area} {a.title}：{'；'.join(a.reasons)}" for a in areas
                       if not a.grew and (a.before.records or a.after.records))
        reasons = (f"专业服务能力有提升（{'、'.join(a.area for a in grown)}）", *reasons, *others)
        return PGrowResult(GREW, tuple(areas), reasons)
    touched = [a for a in areas if a.before.records or a.after.records]
    reasons = ("专业服务能力未见提升：验收时与申报时相比，各项专业服务能力的服务种类、服务事项、服务数量均未增加",
               *(f"{a.area} {a.title}：{'；'.join(a.reasons)}" for a in touched))
    return PGrowResult(DID_NOT_GROW, tuple(areas), reasons)


def delivered_ids(records: Iterable[Mapping[str, Any]]) -> list[str]:
    """The ids of the delivered plan records (see :func:`delivered`)."""
    return [str(r.get("id")) for r in records if delivered(r)]
