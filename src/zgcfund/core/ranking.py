"""Expert score aggregation and ranking: the computational core of the programme office's
selection (issue 4). Pure Python, no Django; money and scores are ``Decimal``, never floats.

The official text ranks applications "根据工作绩效量化分值排序，进行择优选遴" and leaves the
method to the office. The rules here are documented defaults (``docs/ranking.md``):

* **Aggregation** (:func:`aggregate`): per clause, the scores of the experts who *submitted*
  are averaged — ``mean``, or ``trimmed_mean`` (one highest and one lowest dropped, per clause,
  when at least ``trim_min_experts`` experts scored it; otherwise the plain mean). Each clause
  aggregate is quantized **once** to ``quantum`` (0.01) with ``ROUND_HALF_UP``; family subtotals
  (K, P) and the total are exact sums of the rounded clause aggregates, so the numbers shown add
  up. Disagreement: a clause is flagged when max − min of its scores exceeds
  ``clause_spread_threshold``; the application when max − min of the experts' own totals exceeds
  ``total_spread_threshold``. Fewer than ``min_experts`` submitted experts, or a submitted expert
  who left a clause unscored, makes the aggregate *incomplete*: shown, but not ranked.
* **Ranking** (:func:`rank`): see :data:`DEFAULT_TIE_KEYS`. Competition ranking ("1, 2, 2, 4");
  rows equal on every key share a rank and are displayed by application ID. Ineligible or
  incomplete rows follow all ranked rows with ``rank=None`` and the reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

QUANTUM = Decimal("0.01")
ROUNDING = ROUND_HALF_UP
METHODS = ("mean", "trimmed_mean")
ZERO = Decimal(0)
# How an unranked row's reason begins (an ineligible row's reason comes first when both apply), so a
# stored selection result tells "not eligible" from "eligible, its expert reviews unfinished".
INELIGIBLE_REASON = "不符合申报条件："
INCOMPLETE_REASON = "专家评分未完成："


class RankingInputError(ValueError):
    """Input the core refuses (a float, a score outside its clause's range, a duplicate ID …).

    ``problems`` holds one Chinese message per problem, each naming what is wrong and why.
    """

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        super().__init__("；".join(self.problems))


def to_decimal(value: Any, what: str) -> Decimal:
    """A finite Decimal from a Decimal, int or numeric string; floats are refused (binary rounding)."""
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, bool) or isinstance(value, float):
        raise RankingInputError([f"{what}：须为十进制数（Decimal 或数字字符串），不接受 {value!r}"])
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            raise RankingInputError([f"{what}：“{value}”不是数字"]) from None
    else:
        raise RankingInputError([f"{what}：须为数字，收到 {type(value).__name__}"])
    if not number.is_finite():
        raise RankingInputError([f"{what}：“{value}”不是有限数"])
    return number


def _opt_decimal(value: Any, what: str) -> Decimal | None:
    return None if value is None else to_decimal(value, what)


def jsonable(value: Any) -> Any:
    """Decimals as strings (exact), dates as ISO strings, dataclass-like objects via ``to_dict``."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def id_key(value: Any) -> tuple:
    """Sort key for application IDs: numbers numerically, then strings; stable across mixed types."""
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return (0, value, "")
    return (1, 0, str(value))


# --- expert score aggregation ----------------------------------------------------------------

@dataclass(frozen=True)
class ClauseScale:
    """The range an expert may give for one clause, and the family (K, P) it counts towards."""

    clause: str
    family: str
    low: Decimal = ZERO
    high: Decimal | None = None  # None: no upper bound in the scheme

    def __post_init__(self):
        object.__setattr__(self, "low", to_decimal(self.low, f"条款 {self.clause} 最低分"))
        object.__setattr__(self, "high", _opt_decimal(self.high, f"条款 {self.clause} 最高分"))


def clause_scales(programme: Any) -> dict[str, ClauseScale]:
    """Scales from a programme's scoring scheme: 0 … ``programme.max_score(clause)`` (the clause's cap,
    else base + the increments' caps; no upper bound when an increment is uncapped) — the same range
    the expert's scoring form offers."""
    return {cid: ClauseScale(cid, programme.clauses[cid].family, ZERO, programme.max_score(cid))
            for cid in programme.scoring["clauses"]}


@dataclass(frozen=True)
class ExpertScores:
    """One expert's scores on one application. Drafts (``submitted=False``) are ignored."""

    expert_id: Any
    scores: Mapping[str, Any]
    submitted: bool = True


@dataclass(frozen=True)
class AggregationConfig:
    """The office's aggregation settings (defaults are documented choices, docs/ranking.md)."""

    method: str = "mean"
    trim_min_experts: int = 5
    min_experts: int = 3
    clause_spread_threshold: Decimal | None = Decimal("5")
    total_spread_threshold: Decimal | None = Decimal("15")
    quantum: Decimal = QUANTUM

    def __post_init__(self):
        problems = []
        if self.method not in METHODS:
            problems.append(f"汇总方法：须为 {' / '.join(METHODS)}，收到“{self.method}”")
        if not isinstance(self.trim_min_experts, int) or self.trim_min_experts < 3:
            problems.append("去掉最高最低分所需的最少专家数：须为不小于 3 的整数（去掉两个后至少留一个）")
        if not isinstance(self.min_experts, int) or self.min_experts < 1:
            problems.append("最少提交评分专家数：须为不小于 1 的整数")
        for name in ("clause_spread_threshold", "total_spread_threshold"):
            value = _opt_decimal(getattr(self, name), name)
            if value is not None and value < 0:
                problems.append(f"{name}：分歧阈值不能为负数")
            object.__setattr__(self, name, value)
        quantum = to_decimal(self.quantum, "quantum")
        if quantum <= 0:
            problems.append("quantum：取整单位须为正数")
        object.__setattr__(self, "quantum", quantum)
        if problems:
            raise RankingInputError(problems)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AggregationConfig:
        known = {"method", "trim_min_experts", "min_experts", "clause_spread_threshold",
                 "total_spread_threshold", "quantum"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise RankingInputError([f"汇总设置：未知的键 {', '.join(unknown)}"])
        return cls(**dict(data))

    def to_dict(self) -> dict:
        return jsonable({"method": self.method, "trim_min_experts": self.trim_min_experts,
                         "min_experts": self.min_experts, "clause_spread_threshold": self.clause_spread_threshold,
                         "total_spread_threshold": self.total_spread_threshold, "quantum": self.quantum})


@dataclass(frozen=True)
class ClauseAggregate:
    clause: str
    family: str
    method: str  # the method actually applied: trimmed_mean only with enough experts
    scores: tuple[tuple[Any, Decimal], ...]  # (expert_id, score) of the submitted experts, in input order
    dropped: tuple[Any, ...]  # experts trimmed away (lowest, highest)
    value: Decimal  # quantized once
    spread: Decimal  # max − min over all scores (trimmed ones included)
    flagged: bool
    zero_filled: tuple[Any, ...] = ()  # experts who left it unscored, counted as 0 (missing="zero")

    def to_dict(self) -> dict:
        return jsonable({"clause": self.clause, "family": self.family, "method": self.method,
                         "scores": [{"expert": e, "score": s} for e, s in self.scores],
                         "dropped": list(self.dropped), "value": self.value, "spread": self.spread,
                         "flagged": self.flagged, "zero_filled": list(self.zero_filled)})


@dataclass(frozen=True)
class ApplicationAggregate:
    application_id: Any
    method: str  # the configured method
    experts: tuple[Any, ...]  # submitted experts used
    ignored_experts: tuple[Any, ...]  # assigned but not submitted
    clauses: dict[str, ClauseAggregate]
    families: dict[str, Decimal]
    total: Decimal
    expert_totals: dict[Any, Decimal]
    total_spread: Decimal
    total_flagged: bool
    complete: bool
    reasons: tuple[str, ...]  # why incomplete

    @property
    def flagged_clauses(self) -> list[ClauseAggregate]:
        return [c for c in self.clauses.values() if c.flagged]

    @property
    def flagged(self) -> bool:
        return self.total_flagged or any(c.flagged for c in self.clauses.values())

    def family(self, name: str) -> Decimal:
        return self.families.get(name, ZERO)

    def to_dict(self) -> dict:
        return jsonable({
            "application_id": self.application_id, "method": self.method, "experts": list(self.experts),
            "ignored_experts": list(self.ignored_experts),
            "clauses": {cid: c.to_dict() for cid, c in self.clauses.items()},
            "families": self.families, "total": self.total,
            "expert_totals": [{"expert": e, "total": t} for e, t in self.expert_totals.items()],
            "total_spread": self.total_spread, "total_flagged": self.total_flagged,
            "flagged_clauses": [c.clause for c in self.flagged_clauses],
            "complete": self.complete, "reasons": list(self.reasons),
        })


def aggregate_scores(scores: Sequence[Decimal], config: AggregationConfig) -> tuple[Decimal, str, tuple[int, ...]]:
    """(value, method applied, indexes dropped) for one clause's scores; value quantized once, half up."""
    if not scores:
        return ZERO.quantize(config.quantum), "mean", ()
    dropped: tuple[int, ...] = ()
    method = "mean"
    used = list(scores)
    if config.method == "trimmed_mean" and len(scores) >= config.trim_min_experts:
        order = sorted(range(len(scores)), key=lambda i: (scores[i], i))
        dropped = (order[0], order[-1])
        used = [scores[i] for i in order[1:-1]]
        method = "trimmed_mean"
    mean = sum(used, ZERO) / len(used)
    return mean.quantize(config.quantum, rounding=ROUNDING), method, dropped


def aggregate(application_id: Any, sheets: Iterable[ExpertScores], scales: Mapping[str, ClauseScale],
              config: AggregationConfig | None = None, *, clauses: Iterable[str] | None = None,
              missing: str = "incomplete") -> ApplicationAggregate:
    """Aggregate the submitted experts' scores on one application.

    ``clauses``: the clauses every submitted expert must score (default: every clause any submitted
    expert scored). A submitted expert's unscored clause makes the aggregate incomplete
    (``missing="incomplete"``), or counts as 0 for that expert (``missing="zero"``: for a clause the
    expert's own view of the evaluation left nothing to score).

    Raises :class:`RankingInputError` for a float, an unknown clause or a score outside the
    clause's range, naming the expert and clause.
    """
    config = config or AggregationConfig()
    if missing not in ("incomplete", "zero"):
        raise RankingInputError([f"未评分条款的处理：须为 incomplete 或 zero，收到“{missing}”"])
    sheets = list(sheets)
    submitted = [s for s in sheets if s.submitted]
    ignored = tuple(s.expert_id for s in sheets if not s.submitted)
    problems: list[str] = []
    seen: set = set()
    parsed: list[tuple[Any, dict[str, Decimal]]] = []
    for sheet in submitted:
        if sheet.expert_id in seen:
            problems.append(f"申报 {application_id}：专家 {sheet.expert_id} 的评分重复")
            continue
        seen.add(sheet.expert_id)
        values: dict[str, Decimal] = {}
        for cid, raw in sheet.scores.items():
            what = f"申报 {application_id} 专家 {sheet.expert_id} 条款 {cid}"
            scale = scales.get(cid)
            if scale is None:
                problems.append(f"{what}：分值方案中没有此条款")
                continue
            try:
                value = to_decimal(raw, what)
            except RankingInputError as exc:
                problems.extend(exc.problems)
                continue
            if value < scale.low or (scale.high is not None and value > scale.high):
                upper = "不设上限" if scale.high is None else str(scale.high)
                problems.append(f"{what}：{value} 超出评分范围 {scale.low}–{upper}")
                continue
            values[cid] = value
        parsed.append((sheet.expert_id, values))
    if clauses is not None:
        required = list(clauses)
        unknown = [c for c in required if c not in scales]
        problems.extend(f"申报 {application_id}：须评分的条款 {c} 不在分值方案中" for c in unknown)
    if problems:
        raise RankingInputError(problems)

    scored = {cid for _, values in parsed for cid in values}
    wanted = set(required) | scored if clauses is not None else scored
    order = [cid for cid in scales if cid in wanted]
    reasons: list[str] = []
    if len(parsed) < config.min_experts:
        reasons.append(f"已提交评分的专家 {len(parsed)} 人，少于最低要求 {config.min_experts} 人")
    out: dict[str, ClauseAggregate] = {}
    families: dict[str, Decimal] = {}
    for scale in scales.values():
        families.setdefault(scale.family, ZERO)
    for cid in order:
        absent = tuple(expert for expert, values in parsed if cid not in values)
        filled: tuple[Any, ...] = ()
        if absent and missing == "zero":
            filled = absent
            pairs = tuple((expert, values.get(cid, ZERO)) for expert, values in parsed)
        else:
            pairs = tuple((expert, values[cid]) for expert, values in parsed if cid in values)
            if absent:
                reasons.append(f"条款 {cid}：专家 {', '.join(map(str, absent))} 未评分")
        numbers = [s for _, s in pairs]
        value, method, dropped = aggregate_scores(numbers, config)
        spread = (max(numbers) - min(numbers)) if numbers else ZERO
        flagged = config.clause_spread_threshold is not None and spread > config.clause_spread_threshold
        family = scales[cid].family
        out[cid] = ClauseAggregate(cid, family, method, pairs, tuple(pairs[i][0] for i in dropped), value, spread, flagged,
                                   filled)
        families[family] += value
    expert_totals = {expert: sum(values.values(), ZERO) for expert, values in parsed}
    totals = list(expert_totals.values())
    total_spread = (max(totals) - min(totals)) if totals else ZERO
    total_flagged = config.total_spread_threshold is not None and total_spread > config.total_spread_threshold
    return ApplicationAggregate(
        application_id, config.method, tuple(e for e, _ in parsed), ignored, out, families,
        sum(families.values(), ZERO), expert_totals, total_spread, total_flagged, not reasons, tuple(reasons))


# --- ranking ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class GateProblem:
    rule: str  # X-P-TWO, X-K1-TWO, ...
    message: str

    def to_dict(self) -> dict:
        return {"rule": self.rule, "message": self.message}


@dataclass(frozen=True)
class RankingRow:
    """One application as the ranking sees it. ``organization_id`` groups applications for the
    per-organization cap (falls back to the name)."""

    application_id: Any
    organization_name: str
    total: Decimal
    k_subtotal: Decimal = ZERO
    p_subtotal: Decimal = ZERO
    organization_id: Any = None
    eligible: bool = True
    problems: tuple[GateProblem, ...] = ()
    clauses_met: int = 0
    first_submitted_at: dt.datetime | None = None
    complete: bool = True  # expert aggregate complete
    incomplete_reasons: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)  # tie-break fields a later year declares

    def __post_init__(self):
        for name in ("total", "k_subtotal", "p_subtotal"):
            object.__setattr__(self, name, to_decimal(getattr(self, name), f"申报 {self.application_id} {name}"))
        problems = tuple(p if isinstance(p, GateProblem) else GateProblem(p["rule"], p["message"])
                         for p in self.problems)
        object.__setattr__(self, "problems", problems)
        object.__setattr__(self, "incomplete_reasons", tuple(self.incomplete_reasons))

    @property
    def organization_key(self) -> Any:
        return self.organization_name if self.organization_id is None else self.organization_id

    @property
    def rankable(self) -> bool:
        return self.eligible and self.complete

    @property
    def unranked_reason(self) -> str | None:
        parts = []
        if not self.eligible:
            rules = "；".join(f"{p.rule} {p.message}" for p in self.problems) or "未通过资格关口"
            parts.append(f"{INELIGIBLE_REASON}{rules}")
        if not self.complete:
            parts.append(INCOMPLETE_REASON + ("；".join(self.incomplete_reasons) or "评分不完整"))
        return "；".join(parts) or None

    def value(self, name: str) -> Any:
        if name.startswith("extra."):
            return self.extra.get(name[len("extra."):])
        return getattr(self, name)

    def to_dict(self) -> dict:
        return jsonable({
            "application_id": self.application_id, "organization_id": self.organization_id,
            "organization_name": self.organization_name, "eligible": self.eligible,
            "problems": list(self.problems), "total": self.total, "k_subtotal": self.k_subtotal,
            "p_subtotal": self.p_subtotal, "clauses_met": self.clauses_met,
            "first_submitted_at": self.first_submitted_at, "complete": self.complete,
            "incomplete_reasons": list(self.incomplete_reasons), "extra": dict(self.extra),
        })


SORTABLE_FIELDS = ("total", "k_subtotal", "p_subtotal", "clauses_met", "first_submitted_at")
ORDERS = ("desc", "asc")


@dataclass(frozen=True)
class TieKey:
    """One ranking key. ``desc``: higher is better; ``asc``: lower (earlier) is better.
    A missing value (None) always ranks after any value."""

    field: str
    order: str = "desc"
    label: str = ""

    def __post_init__(self):
        problems = []
        if self.field not in SORTABLE_FIELDS and not (self.field.startswith("extra.") and len(self.field) > 6):
            problems.append(f"排序键“{self.field}”未知：可用 {', '.join(SORTABLE_FIELDS)} 或 extra.<名称>")
        if self.order not in ORDERS:
            problems.append(f"排序键“{self.field}”的方向须为 desc 或 asc，收到“{self.order}”")
        if problems:
            raise RankingInputError(problems)

    def to_dict(self) -> dict:
        return {"field": self.field, "order": self.order, "label": self.label}


#: The documented tie rule (docs/ranking.md), in order. "重点鼓励和引导社会组织在科技重点工作方面
#: 取得实际成效" puts the K subtotal right after the total. A later year passes its own list
#: (e.g. from its programme file: ``["total desc", "p_subtotal desc", ...]``) — no code change.
DEFAULT_TIE_KEYS: tuple[TieKey, ...] = (
    TieKey("total", "desc", "总分高者在前"),
    TieKey("k_subtotal", "desc", "科技重点工作得分高者在前"),
    TieKey("p_subtotal", "desc", "专业服务能力得分高者在前"),
    TieKey("clauses_met", "desc", "满足基本条件的条款多者在前"),
    TieKey("first_submitted_at", "asc", "首次提交时间早者在前"),
)


def tie_keys(spec: Iterable[TieKey | str | Mapping[str, str]] | None = None) -> tuple[TieKey, ...]:
    """Keys from a declared list: TieKey objects, ``"field desc"`` strings or ``{"field", "order"}`` dicts."""
    if spec is None:
        return DEFAULT_TIE_KEYS
    out: list[TieKey] = []
    for item in spec:
        if isinstance(item, TieKey):
            out.append(item)
        elif isinstance(item, str):
            parts = item.split()
            if len(parts) not in (1, 2):
                raise RankingInputError([f"排序键“{item}”：格式应为“字段 desc|asc”"])
            out.append(TieKey(parts[0], parts[1] if len(parts) == 2 else "desc"))
        else:
            out.append(TieKey(item["field"], item.get("order", "desc"), item.get("label", "")))
    if not out:
        raise RankingInputError(["排序键列表不能为空"])
    if len({k.field for k in out}) != len(out):
        raise RankingInputError(["排序键列表中有重复字段"])
    return tuple(out)


@dataclass(frozen=True)
class RankedRow:
    row: RankingRow
    position: int  # display order, 1-based, over all rows
    rank: int | None  # competition rank; None when not rankable
    tied: bool  # shares its rank with another row
    decided_by: str | None  # the first key that put it below the row above (None: first, tied or unranked)
    reason: str | None  # why unranked

    @property
    def application_id(self) -> Any:
        return self.row.application_id

    def to_dict(self) -> dict:
        return {**self.row.to_dict(), "position": self.position, "rank": self.rank, "tied": self.tied,
                "decided_by": self.decided_by, "reason": self.reason}


@dataclass(frozen=True)
class Ranking:
    rows: tuple[RankedRow, ...]
    keys: tuple[TieKey, ...]

    @property
    def ranked(self) -> list[RankedRow]:
        return [r for r in self.rows if r.rank is not None]

    @property
    def unranked(self) -> list[RankedRow]:
        return [r for r in self.rows if r.rank is None]

    def by_id(self) -> dict[Any, RankedRow]:
        return {r.application_id: r for r in self.rows}

    def to_dict(self) -> dict:
        return {"keys": [k.to_dict() for k in self.keys], "rows": [r.to_dict() for r in self.rows]}


class _Reversed:
    """Reverses the order of a value that cannot be negated (a datetime, a string)."""

    __slots__ = ("v",)

    def __init__(self, v: Any):
        self.v = v

    def __lt__(self, other: _Reversed) -> bool:
        return other.v < self.v

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Reversed) and self.v == other.v

    __hash__ = None  # type: ignore[assignment]


def _sort_column(values: list[Any], desc: bool) -> list[tuple]:
    # None after any value in both directions; desc numbers negated, other desc values wrapped
    if not desc:
        return [(1, 0) if v is None else (0, v) for v in values]
    return [(1, 0) if v is None else (0, -v) if isinstance(v, int | Decimal) and not isinstance(v, bool)
            else (0, _Reversed(v)) for v in values]


def _sorted(rows: list[RankingRow], keys: Sequence[TieKey]) -> list[tuple[RankingRow, tuple]]:
    """(row, key values) in ranking order; full ties by application ID (display order only)."""
    columns = [[r.value(k.field) for r in rows] if k.field.startswith("extra.") else [getattr(r, k.field) for r in rows]
               for k in keys]
    sort_keys = list(zip(*(_sort_column(col, k.order == "desc") for col, k in zip(columns, keys, strict=True)),
                         (id_key(r.application_id) for r in rows), strict=True))
    values = list(zip(*columns, strict=True)) if rows else []
    order = sorted(range(len(rows)), key=sort_keys.__getitem__)
    return [(rows[i], values[i]) for i in order]


def rank(rows: Iterable[RankingRow], keys: Iterable[TieKey | str | Mapping[str, str]] | None = None) -> Ranking:
    """Rank applications by the declared keys (default :data:`DEFAULT_TIE_KEYS`).

    Rows equal on every key share a rank (competition ranking: 1, 2, 2, 4) and are displayed by
    application ID. Ineligible or incomplete rows come after all ranked ones, ordered by the
    same keys, with ``rank=None`` and the reason.
    """
    keys = tie_keys(keys)
    rows = list(rows)
    seen: set = set()
    dupes = []
    for r in rows:
        if r.application_id in seen:
            dupes.append(str(r.application_id))
        seen.add(r.application_id)
    if dupes:
        raise RankingInputError([f"申报 {d} 在排名输入中出现多次" for d in dupes])
    names = [k.field for k in keys]
    rankable = _sorted([r for r in rows if r.rankable], keys)
    out: list[RankedRow] = []
    current_rank = 0
    last = len(rankable) - 1
    for i, (row, values) in enumerate(rankable):
        decided_by = None
        same_as_above = i > 0 and values == rankable[i - 1][1]
        if not same_as_above:
            current_rank = i + 1
            if i:
                decided_by = next(n for n, a, b in zip(names, rankable[i - 1][1], values, strict=True) if a != b)
        tied = same_as_above or (i < last and values == rankable[i + 1][1])
        out.append(RankedRow(row, i + 1, current_rank, tied, decided_by, None))
    for row, _ in _sorted([r for r in rows if not r.rankable], keys):
        out.append(RankedRow(row, len(out) + 1, None, False, None, row.unranked_reason))
    return Ranking(tuple(out), keys)


def row_from_review(application_id: Any, organization_name: str, aggregate: ApplicationAggregate, *,
                    organization_id: Any = None, evaluation: Mapping[str, Any] | None = None,
                    first_submitted_at: dt.datetime | None = None, k_family: str = "K", p_family: str = "P",
                    extra: Mapping[str, Any] | None = None) -> RankingRow:
    """A ranking row from an expert aggregate and the engine's ``zgc-evaluation/1`` (eligibility,
    gate problems, number of clauses met)."""
    evaluation = evaluation or {}
    problems = tuple(GateProblem(p.get("rule", ""), p.get("message", "")) for p in evaluation.get("problems", []))
    met = sum(1 for c in (evaluation.get("clauses") or {}).values() if c.get("status") == "met")
    return RankingRow(
        application_id=application_id, organization_name=organization_name, organization_id=organization_id,
        total=aggregate.total, k_subtotal=aggregate.family(k_family), p_subtotal=aggregate.family(p_family),
        eligible=bool(evaluation.get("eligible", True)), problems=problems, clauses_met=met,
        first_submitted_at=first_submitted_at, complete=aggregate.complete,
        incomplete_reasons=aggregate.reasons, extra=dict(extra or {}))
