"""Selection over a ranking (by count, by budget, by rank bands) and the what-if diff.
Pure Python, no Django. Amounts are ``Decimal`` 万元.

* :func:`by_count` — the top n. A tie that crosses the n-th place is reported (``tie_at_cut``)
  and its rows left for the office to decide (``tie_decision``), never cut silently.
* :func:`by_budget` — fund in rank order while the budget lasts; **stop at the first application
  that does not fit** and report the remainder (no partial funding, no skipping ahead). A tie
  crossing that stop is reported like a tie at the count cut.
* :func:`by_bands` — each band of ranks (``ranks: [1, 5]``) or cumulative share of ranked
  applications (``top_share: "0.2"``) gets an amount; a row's band is that of its rank number,
  so tied rows always share a band. Optional budget check reports an overrun.

In every method the per-organization cap (default 20 万元 per organization per year, predecessor
programme) limits the *sum* awarded to one organization's applications; applications are served
in rank order, so the better-ranked one is funded first. Rows not ranked (ineligible,
incomplete review) are never selected.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import Any

from zgcfund.core.numbers import display_number
from zgcfund.core.ranking import (
    ZERO,
    RankedRow,
    Ranking,
    RankingInputError,
    RankingRow,
    id_key,
    jsonable,
    rank,
    to_decimal,
)

DEFAULT_CAP = Decimal("20")  # 万元 per organization per year (predecessor programme, 2018)

SELECTED = "selected"
NOT_SELECTED = "not_selected"
TIE_AT_CUT = "tie_at_cut"  # left for the office to decide
UNRANKED = "unranked"


class SelectionError(RankingInputError):
    """Selection settings the core refuses (negative budget, overlapping bands, …)."""


def _money(value: Any, what: str) -> Decimal:
    amount = to_decimal(value, what)
    if amount < 0:
        raise SelectionError([f"{what}：不能为负数"])
    return amount


def _fmt(amount: Decimal) -> str:
    return display_number(amount)


# --- results -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Outcome:
    application_id: Any
    organization_id: Any
    organization_name: str
    rank: int | None
    total: Decimal
    status: str  # selected | not_selected | tie_at_cut | unranked
    band: str | None = None
    amount: Decimal | None = None  # awarded (after the per-organization cap)
    nominal_amount: Decimal | None = None  # before the cap
    reason: str | None = None

    @property
    def capped(self) -> bool:
        return self.amount is not None and self.nominal_amount is not None and self.amount < self.nominal_amount

    def to_dict(self) -> dict:
        return jsonable({
            "application_id": self.application_id, "organization_id": self.organization_id,
            "organization_name": self.organization_name, "rank": self.rank, "total": self.total,
            "status": self.status, "band": self.band, "amount": self.amount,
            "nominal_amount": self.nominal_amount, "capped": self.capped, "reason": self.reason,
        })


@dataclass(frozen=True)
class Notice:
    code: str  # tie_at_cut, tie_decided, budget_remainder, over_budget, cap_applied, band_widened_by_tie, ...
    message: str
    application_ids: tuple[Any, ...] = ()

    def to_dict(self) -> dict:
        return jsonable({"code": self.code, "message": self.message, "application_ids": list(self.application_ids)})


@dataclass(frozen=True)
class TieAtCut:
    rank: int
    application_ids: tuple[Any, ...]
    places_left: int | None = None  # by_count: places left for the tied group
    money_left: Decimal | None = None  # by_budget: budget left for the tied group

    def to_dict(self) -> dict:
        return jsonable({"rank": self.rank, "application_ids": list(self.application_ids),
                         "places_left": self.places_left, "money_left": self.money_left})


@dataclass(frozen=True)
class SelectionResult:
    method: str
    parameters: dict
    selected: tuple[Outcome, ...]
    not_selected: tuple[Outcome, ...]
    total_amount: Decimal | None
    budget: Decimal | None = None
    remainder: Decimal | None = None
    over_budget: Decimal | None = None
    tie_at_cut: TieAtCut | None = None
    warnings: tuple[Notice, ...] = ()

    @property
    def selected_ids(self) -> list[Any]:
        return [o.application_id for o in self.selected]

    @cached_property
    def _index(self) -> dict[Any, Outcome]:
        return {o.application_id: o for o in (*self.selected, *self.not_selected)}

    def outcome(self, application_id: Any) -> Outcome | None:
        return self._index.get(application_id)

    def to_dict(self) -> dict:
        return jsonable({
            "method": self.method, "parameters": self.parameters,
            "selected": [o.to_dict() for o in self.selected],
            "not_selected": [o.to_dict() for o in self.not_selected],
            "totals": {"count": len(self.selected), "amount": self.total_amount, "budget": self.budget,
                       "remainder": self.remainder, "over_budget": self.over_budget},
            "tie_at_cut": self.tie_at_cut.to_dict() if self.tie_at_cut else None,
            "warnings": [w.to_dict() for w in self.warnings],
        })


def _outcome(r: RankedRow, status: str, reason: str | None = None, *, band: str | None = None,
             amount: Decimal | None = None, nominal: Decimal | None = None) -> Outcome:
    row = r.row
    return Outcome(row.application_id, row.organization_id, row.organization_name, r.rank, row.total, status,
                   band, amount, nominal, reason)


def _unranked(ranking: Ranking) -> list[Outcome]:
    return [_outcome(r, UNRANKED, r.reason) for r in ranking.unranked]


def _result(method: str, parameters: dict, outcomes: list[Outcome], warnings: list[Notice], *,
            amounts: bool, budget: Decimal | None = None, tie: TieAtCut | None = None) -> SelectionResult:
    selected = tuple(o for o in outcomes if o.status == SELECTED)
    not_selected = tuple(o for o in outcomes if o.status != SELECTED)
    total = sum((o.amount for o in selected if o.amount is not None), ZERO) if amounts else None
    remainder = over = None
    if budget is not None and total is not None:
        if total <= budget:
            remainder = budget - total
        else:
            over = total - budget
    return SelectionResult(method, jsonable(parameters), selected, not_selected, total, budget, remainder, over,
                           tie, tuple(warnings))


class _Caps:
    """Per-organization running totals against the cap."""

    def __init__(self, cap: Decimal | None, already: Mapping[Any, Any] | None):
        self.cap = cap
        self.given: dict[Any, Decimal] = {k: _money(v, f"单位 {k} 本年度已获支持金额") for k, v in (already or {}).items()}

    def allowed(self, row: RankingRow, nominal: Decimal) -> Decimal:
        if self.cap is None:
            return nominal
        return max(ZERO, min(nominal, self.cap - self.given.get(row.organization_key, ZERO)))

    def give(self, row: RankingRow, amount: Decimal) -> None:
        self.given[row.organization_key] = self.given.get(row.organization_key, ZERO) + amount

    def refusal(self, row: RankingRow) -> str:
        return f"单位“{row.organization_name}”本年度支持金额已达上限 {_fmt(self.cap)} 万元"


def _tie_group(ranked: list[RankedRow], rank_no: int) -> list[RankedRow]:
    return [r for r in ranked if r.rank == rank_no]


def _check_decision(decision: Iterable[Any] | None, tied_ids: list[Any]) -> list[Any] | None:
    if decision is None:
        return None
    decision = list(decision)
    stray = [d for d in decision if d not in tied_ids]
    if stray:
        raise SelectionError([f"并列决定中的申报 {', '.join(map(str, stray))} 不在跨越入选线的并列组中"])
    return decision


# --- by count ----------------------------------------------------------------------------------

def by_count(ranking: Ranking, n: int, *, tie_decision: Iterable[Any] | None = None) -> SelectionResult:
    """The top ``n`` ranked applications. When the n-th and (n+1)-th share a rank, the whole tied
    group is left as ``tie_at_cut`` (places above it are selected) until the office passes
    ``tie_decision``: the IDs of the tied group it selects."""
    if not isinstance(n, int) or isinstance(n, bool) or n < 0:
        raise SelectionError([f"入选数量：须为非负整数，收到 {n!r}"])
    ranked = ranking.ranked
    warnings: list[Notice] = []
    outcomes: list[Outcome] = []
    tie = None
    cut_rank = None
    if 0 < n < len(ranked) and ranked[n - 1].rank == ranked[n].rank:
        cut_rank = ranked[n - 1].rank
    if n > len(ranked):
        warnings.append(Notice("fewer_than_n", f"可排名的申报只有 {len(ranked)} 项，少于入选数量 {n}"))
    if cut_rank is None:
        if tie_decision:
            warnings.append(Notice("tie_decision_unused", f"第 {n} 名入选线上没有跨线并列，并列决定未使用",
                                   tuple(tie_decision)))
        for r in ranked:
            if r.position <= n:
                outcomes.append(_outcome(r, SELECTED))
            else:
                outcomes.append(_outcome(r, NOT_SELECTED, f"排名第 {r.rank}，未进入前 {n} 名"))
        return _result("by_count", {"n": n}, outcomes + _unranked(ranking), warnings, amounts=False)

    group = _tie_group(ranked, cut_rank)
    ids = [r.application_id for r in group]
    firm = sum(1 for r in ranked if r.rank < cut_rank)
    places = n - firm
    decision = _check_decision(tie_decision, ids)
    tie = TieAtCut(cut_rank, tuple(ids), places_left=places)
    if decision is None:
        warnings.append(Notice(TIE_AT_CUT, f"第 {cut_rank} 名有 {len(ids)} 项并列，跨越第 {n} 名入选线（尚余 {places} 个名额），"
                                           "须由项目办公室决定", tuple(ids)))
    elif len(decision) != places:
        warnings.append(Notice("tie_decided", f"项目办公室就第 {cut_rank} 名并列决定入选 {len(decision)} 项"
                                              f"（尚余名额 {places} 个）", tuple(decision)))
    else:
        warnings.append(Notice("tie_decided", f"项目办公室就第 {cut_rank} 名并列决定入选 {len(decision)} 项",
                               tuple(decision)))
    for r in ranked:
        if r.rank < cut_rank:
            outcomes.append(_outcome(r, SELECTED))
        elif r.rank == cut_rank:
            if decision is None:
                outcomes.append(_outcome(r, TIE_AT_CUT, f"第 {cut_rank} 名并列 {len(ids)} 项，跨越入选线，待项目办公室决定"))
            elif r.application_id in decision:
                outcomes.append(_outcome(r, SELECTED, "并列，项目办公室决定入选"))
            else:
                outcomes.append(_outcome(r, NOT_SELECTED, "并列，项目办公室决定不入选"))
        else:
            outcomes.append(_outcome(r, NOT_SELECTED, f"排名第 {r.rank}，未进入前 {n} 名"))
    return _result("by_count", {"n": n, "tie_decision": decision}, outcomes + _unranked(ranking), warnings,
                   amounts=False, tie=tie)


# --- bands -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Band:
    """A band of the ranking: ranks ``ranks=(first, last)``, or down to the cumulative
    ``top_share`` of ranked applications (position round-half-up of share × count)."""

    name: str
    amount: Decimal
    ranks: tuple[int, int] | None = None
    top_share: Decimal | None = None

    def __post_init__(self):
        object.__setattr__(self, "amount", _money(self.amount, f"档次“{self.name}”金额"))
        problems = []
        if (self.ranks is None) == (self.top_share is None):
            problems.append(f"档次“{self.name}”：须给出 ranks（名次范围）或 top_share（累计比例）之一")
        if self.ranks is not None:
            ranks = tuple(self.ranks)
            if (len(ranks) != 2 or not all(isinstance(x, int) and not isinstance(x, bool) for x in ranks)
                    or ranks[0] < 1 or ranks[1] < ranks[0]):
                problems.append(f"档次“{self.name}”：名次范围须为 [起, 止]，1 ≤ 起 ≤ 止，收到 {list(self.ranks)}")
            object.__setattr__(self, "ranks", ranks)
        if self.top_share is not None:
            share = to_decimal(self.top_share, f"档次“{self.name}”比例")
            if not ZERO < share <= 1:
                problems.append(f"档次“{self.name}”：累计比例须大于 0 且不大于 1，收到 {share}")
            object.__setattr__(self, "top_share", share)
        if problems:
            raise SelectionError(problems)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Band:
        unknown = sorted(set(data) - {"name", "amount", "ranks", "top_share"})
        if unknown:
            raise SelectionError([f"档次“{data.get('name', '')}”：未知的键 {', '.join(unknown)}"])
        if "name" not in data or "amount" not in data:
            raise SelectionError(["档次：须有 name 和 amount"])
        ranks = data.get("ranks")
        return cls(data["name"], data["amount"], tuple(ranks) if ranks is not None else None, data.get("top_share"))

    def to_dict(self) -> dict:
        return jsonable({"name": self.name, "amount": self.amount, "ranks": list(self.ranks) if self.ranks else None,
                         "top_share": self.top_share})


def bands_from(spec: Iterable[Band | Mapping[str, Any]]) -> tuple[Band, ...]:
    bands = tuple(b if isinstance(b, Band) else Band.from_dict(b) for b in spec)
    if not bands:
        raise SelectionError(["档次列表不能为空"])
    if len({b.name for b in bands}) != len(bands):
        raise SelectionError(["档次名称不能重复"])
    return bands


def resolve_bands(bands: Iterable[Band | Mapping[str, Any]], n_ranked: int) -> list[tuple[Band, int, int]]:
    """(band, first rank, last rank) for ``n_ranked`` ranked applications. Share bands start after
    the previous band and end at round-half-up(top_share × n_ranked); ranges must ascend without overlap."""
    out: list[tuple[Band, int, int]] = []
    end = 0
    for band in bands_from(bands):
        if band.ranks is not None:
            lo, hi = band.ranks
        else:
            lo = end + 1
            hi = int((band.top_share * n_ranked).to_integral_value(rounding=ROUND_HALF_UP))
        if lo <= end:
            raise SelectionError([f"档次“{band.name}”与上一档次重叠或顺序颠倒（起于第 {lo} 名，上一档止于第 {end} 名）"])
        out.append((band, lo, hi))
        end = max(end, hi)
    return out


def _band_of(resolved: list[tuple[Band, int, int]], rank_no: int) -> Band | None:
    for band, lo, hi in resolved:
        if lo <= rank_no <= hi:
            return band
    return None


def by_bands(ranking: Ranking, bands: Iterable[Band | Mapping[str, Any]], *,
             cap_per_organization: Any = DEFAULT_CAP, budget: Any = None,
             already_awarded: Mapping[Any, Any] | None = None) -> SelectionResult:
    """Each band's rows get its amount, capped per organization. A band whose last rank is tied
    takes the whole tied group (reported as ``band_widened_by_tie``). With ``budget``, an overrun
    is reported (``over_budget``), not cut: the office changes the bands or the amounts."""
    bands = bands_from(bands)
    cap = None if cap_per_organization is None else _money(cap_per_organization, "单位年度支持上限")
    budget_d = None if budget is None else _money(budget, "总预算")
    ranked = ranking.ranked
    resolved = resolve_bands(bands, len(ranked))
    caps = _Caps(cap, already_awarded)
    outcomes: list[Outcome] = []
    warnings: list[Notice] = []
    members: dict[str, list[Any]] = {b.name: [] for b in bands}
    capped_ids: list[Any] = []
    for r in ranked:
        band = _band_of(resolved, r.rank)
        if band is None:
            outcomes.append(_outcome(r, NOT_SELECTED, f"排名第 {r.rank}，未进入任何档次"))
            continue
        members[band.name].append(r.application_id)
        amount = caps.allowed(r.row, band.amount)
        if amount <= 0 < band.amount:
            outcomes.append(_outcome(r, NOT_SELECTED, caps.refusal(r.row), band=band.name, amount=ZERO,
                                     nominal=band.amount))
            capped_ids.append(r.application_id)
            continue
        caps.give(r.row, amount)
        reason = None
        if amount < band.amount:
            capped_ids.append(r.application_id)
            reason = f"受单位年度支持上限 {_fmt(cap)} 万元限制，由 {_fmt(band.amount)} 万元减为 {_fmt(amount)} 万元"
        outcomes.append(_outcome(r, SELECTED, reason, band=band.name, amount=amount, nominal=band.amount))
    for band, lo, hi in resolved:
        got = members[band.name]
        if hi < lo:
            warnings.append(Notice("band_empty", f"档次“{band.name}”按比例折算后没有名次（可排名 {len(ranked)} 项）"))
        elif len(got) > hi - lo + 1:
            warnings.append(Notice("band_widened_by_tie", f"档次“{band.name}”第 {hi} 名并列，实际 {len(got)} 项"
                                                          f"（名义第 {lo}–{hi} 名，{hi - lo + 1} 项）", tuple(got)))
    if capped_ids:
        warnings.append(Notice("cap_applied", f"{len(capped_ids)} 项申报受单位年度支持上限 {_fmt(cap)} 万元限制",
                               tuple(capped_ids)))
    result = _result("by_bands", {"bands": [b.to_dict() for b in bands], "ranges": [[b.name, lo, hi] for b, lo, hi in resolved],
                                  "cap_per_organization": cap, "budget": budget_d},
                     outcomes + _unranked(ranking), warnings, amounts=True, budget=budget_d)
    extra = []
    if result.over_budget:
        extra.append(Notice("over_budget", f"分档支持合计 {_fmt(result.total_amount)} 万元，超出总预算 {_fmt(budget_d)} 万元"
                                           f" {_fmt(result.over_budget)} 万元"))
    elif result.remainder:
        extra.append(Notice("budget_remainder", f"总预算剩余 {_fmt(result.remainder)} 万元"))
    return _with_warnings(result, extra)


def _with_warnings(result: SelectionResult, extra: list[Notice]) -> SelectionResult:
    if not extra:
        return result
    return SelectionResult(result.method, result.parameters, result.selected, result.not_selected, result.total_amount,
                           result.budget, result.remainder, result.over_budget, result.tie_at_cut,
                           (*result.warnings, *extra))


# --- by budget ---------------------------------------------------------------------------------

@dataclass
class _Plan:
    """How each row is funded under by_budget: nominal amount and band."""

    fixed: Decimal | None
    resolved: list[tuple[Band, int, int]] | None

    def nominal(self, r: RankedRow) -> tuple[Decimal | None, str | None]:
        if self.resolved is None:
            return self.fixed, None
        band = _band_of(self.resolved, r.rank)
        return (band.amount, band.name) if band else (None, None)


def _fund_in_order(rows: list[RankedRow], budget: Decimal, plan: _Plan, caps: _Caps,
                   capped_ids: list[Any]) -> tuple[list[Outcome], Decimal, int | None]:
    """Fund ``rows`` in order; returns (outcomes, remaining budget, index of the row that did not fit)."""
    outcomes: list[Outcome] = []
    remaining = budget
    for i, r in enumerate(rows):
        nominal, bname = plan.nominal(r)
        if nominal is None:
            outcomes.append(_outcome(r, NOT_SELECTED, f"排名第 {r.rank}，未进入任何档次"))
            continue
        amount = caps.allowed(r.row, nominal)
        if amount <= 0 < nominal:
            capped_ids.append(r.application_id)
            outcomes.append(_outcome(r, NOT_SELECTED, caps.refusal(r.row), band=bname, amount=ZERO, nominal=nominal))
            continue
        if amount > remaining:
            return outcomes, remaining, i
        caps.give(r.row, amount)
        remaining -= amount
        reason = None
        if amount < nominal:
            capped_ids.append(r.application_id)
            reason = f"受单位年度支持上限 {_fmt(caps.cap)} 万元限制，由 {_fmt(nominal)} 万元减为 {_fmt(amount)} 万元"
        outcomes.append(_outcome(r, SELECTED, reason, band=bname, amount=amount, nominal=nominal))
    return outcomes, remaining, None


def by_budget(ranking: Ranking, budget: Any, *, amount_per_application: Any = None,
              bands: Iterable[Band | Mapping[str, Any]] | None = None, cap_per_organization: Any = DEFAULT_CAP,
              already_awarded: Mapping[Any, Any] | None = None,
              tie_decision: Iterable[Any] | None = None) -> SelectionResult:
    """Fund in rank order while the budget lasts, each application ``amount_per_application`` or its
    band's amount, capped per organization.

    * An application the cap leaves nothing for is passed over (the next one is considered).
    * The first application whose (capped) amount exceeds what remains **stops** the selection:
      it and every later one are not selected, and the remainder is reported. No partial funding,
      no skipping ahead to a cheaper one — the office may fund the remainder by its own decision.
    * When the stop splits a tied group (a row of the same rank was already funded), the whole group
      is left as ``tie_at_cut`` (its money back in the remainder) until the office passes
      ``tie_decision``; the decided IDs are then funded in display order while they fit.
    """
    budget_d = _money(budget, "总预算")
    if (amount_per_application is None) == (bands is None):
        raise SelectionError(["按预算遴选：须给出每项金额（amount_per_application）或分档金额（bands）之一"])
    cap = None if cap_per_organization is None else _money(cap_per_organization, "单位年度支持上限")
    ranked = ranking.ranked
    fixed = None if amount_per_application is None else _money(amount_per_application, "每项支持金额")
    plan = _Plan(fixed, resolve_bands(bands, len(ranked)) if bands is not None else None)
    capped_ids: list[Any] = []
    caps = _Caps(cap, already_awarded)
    outcomes, remaining, stop_i = _fund_in_order(ranked, budget_d, plan, caps, capped_ids)
    warnings: list[Notice] = []
    tie = None
    decision = None
    if stop_i is not None:
        stop = ranked[stop_i]
        crossing = any(o.status == SELECTED and o.rank == stop.rank for o in outcomes)
        if not crossing:
            if tie_decision:
                warnings.append(Notice("tie_decision_unused", "预算线上没有跨线并列，并列决定未使用", tuple(tie_decision)))
            needed = caps.allowed(stop.row, plan.nominal(stop)[0])
            warnings.append(Notice("budget_stopped", f"第 {stop.rank} 名（申报 {stop.application_id}）需 {_fmt(needed)} 万元，"
                                                     f"超过剩余预算 {_fmt(remaining)} 万元，遴选在此停止",
                                   (stop.application_id,)))
            after = ranked[stop_i:]
        else:
            # Redo the rows above the tied group (same order, same result), then the group by decision.
            first = next(i for i, r in enumerate(ranked) if r.rank == stop.rank)
            capped_ids = []
            caps = _Caps(cap, already_awarded)
            outcomes, remaining, _ = _fund_in_order(ranked[:first], budget_d, plan, caps, capped_ids)
            group = [r for r in ranked[first:] if r.rank == stop.rank]
            ids = [r.application_id for r in group]
            decision = _check_decision(tie_decision, ids)
            tie = TieAtCut(stop.rank, tuple(ids), money_left=remaining)
            if decision is None:
                warnings.append(Notice(TIE_AT_CUT, f"第 {stop.rank} 名有 {len(ids)} 项并列，跨越预算线"
                                                   f"（剩余 {_fmt(remaining)} 万元），须由项目办公室决定", tuple(ids)))
            else:
                warnings.append(Notice("tie_decided", f"项目办公室就第 {stop.rank} 名并列决定入选 {len(decision)} 项",
                                       tuple(decision)))
            for r in group:
                nominal, bname = plan.nominal(r)
                amount = caps.allowed(r.row, nominal)
                if amount <= 0 < nominal:
                    capped_ids.append(r.application_id)
                    outcomes.append(_outcome(r, NOT_SELECTED, caps.refusal(r.row), band=bname, amount=ZERO, nominal=nominal))
                elif decision is None:
                    outcomes.append(_outcome(r, TIE_AT_CUT, f"第 {stop.rank} 名并列 {len(ids)} 项，跨越预算线，待项目办公室决定",
                                             band=bname, nominal=nominal))
                elif r.application_id not in decision:
                    outcomes.append(_outcome(r, NOT_SELECTED, "并列，项目办公室决定不入选", band=bname, nominal=nominal))
                elif amount > remaining:
                    short = f"并列，项目办公室决定入选，但预算不足（剩余 {_fmt(remaining)} 万元，本项 {_fmt(amount)} 万元）"
                    outcomes.append(_outcome(r, NOT_SELECTED, short, band=bname, nominal=nominal))
                else:
                    caps.give(r.row, amount)
                    remaining -= amount
                    reason = "并列，项目办公室决定入选"
                    if amount < nominal:
                        capped_ids.append(r.application_id)
                        reason += f"；受单位年度支持上限 {_fmt(cap)} 万元限制，由 {_fmt(nominal)} 万元减为 {_fmt(amount)} 万元"
                    outcomes.append(_outcome(r, SELECTED, reason, band=bname, amount=amount, nominal=nominal))
            after = ranked[first + len(group):]
        for r in after:
            outcomes.append(_outcome(r, NOT_SELECTED, f"预算不足：遴选止于第 {stop.rank} 名（剩余 {_fmt(remaining)} 万元）"))
    if capped_ids:
        warnings.append(Notice("cap_applied", f"{len(capped_ids)} 项申报受单位年度支持上限 {_fmt(cap)} 万元限制",
                               tuple(capped_ids)))
    params = {"budget": budget_d, "amount_per_application": fixed, "cap_per_organization": cap,
              "bands": [b.to_dict() for b, _, _ in plan.resolved] if plan.resolved else None, "tie_decision": decision}
    result = _result("by_budget", params, outcomes + _unranked(ranking), warnings, amounts=True, budget=budget_d, tie=tie)
    if result.remainder:
        result = _with_warnings(result, [Notice("budget_remainder", f"预算剩余 {_fmt(result.remainder)} 万元")])
    return result


# --- declarative selection and the what-if diff ------------------------------------------------

METHODS: dict[str, Callable[..., SelectionResult]] = {"by_count": by_count, "by_budget": by_budget, "by_bands": by_bands}


def select(ranking: Ranking, spec: Mapping[str, Any]) -> SelectionResult:
    """Run a selection from a stored spec, e.g. ``{"method": "by_count", "n": 30}`` or
    ``{"method": "by_bands", "bands": [...], "cap_per_organization": "20", "budget": "400"}``."""
    spec = dict(spec)
    method = spec.pop("method", None)
    if method not in METHODS:
        raise SelectionError([f"遴选方式：须为 {' / '.join(METHODS)}，收到“{method}”"])
    fn = METHODS[method]
    params = inspect.signature(fn).parameters
    unknown = sorted(k for k in spec if k not in params or k == "ranking")
    missing = sorted(k for k, p in params.items() if k != "ranking" and p.default is p.empty and k not in spec)
    if unknown or missing:
        detail = "；".join(filter(None, [unknown and f"未知的参数 {', '.join(unknown)}",
                                         missing and f"缺少参数 {', '.join(missing)}"]))
        raise SelectionError([f"遴选方式 {method} 的参数有误：{detail}"])
    return fn(ranking, **spec)


@dataclass(frozen=True)
class Movement:
    application_id: Any
    organization_name: str
    old_rank: int | None
    new_rank: int | None
    movement: int | None  # old − new: positive moved up; None when ranked on one side only
    old_total: Decimal | None
    new_total: Decimal | None
    old_status: str | None = None  # selection status, when a selection spec is given
    new_status: str | None = None
    old_amount: Decimal | None = None
    new_amount: Decimal | None = None

    @property
    def selection_changed(self) -> bool:
        return self.old_status != self.new_status or self.old_amount != self.new_amount

    @property
    def changed(self) -> bool:
        return (self.old_rank != self.new_rank or self.old_total != self.new_total or self.selection_changed)

    def to_dict(self) -> dict:
        return jsonable({
            "application_id": self.application_id, "organization_name": self.organization_name,
            "old_rank": self.old_rank, "new_rank": self.new_rank, "movement": self.movement,
            "old_total": self.old_total, "new_total": self.new_total, "old_status": self.old_status,
            "new_status": self.new_status, "old_amount": self.old_amount, "new_amount": self.new_amount,
            "selection_changed": self.selection_changed,
        })


@dataclass(frozen=True)
class WhatIf:
    movements: tuple[Movement, ...]  # sorted: largest absolute movement first
    before: SelectionResult | None = None
    after: SelectionResult | None = None

    @property
    def changed(self) -> list[Movement]:
        return [m for m in self.movements if m.changed]

    def to_dict(self) -> dict:
        return jsonable({
            "movements": [m.to_dict() for m in self.movements],
            "changed": len(self.changed),
            "selection_changed": sum(1 for m in self.movements if m.selection_changed),
            "before": self.before.to_dict() if self.before else None,
            "after": self.after.to_dict() if self.after else None,
        })


def _as_ranking(value: Ranking | Iterable[RankingRow]) -> Ranking:
    return value if isinstance(value, Ranking) else rank(value)


def what_if(before: Ranking | Iterable[RankingRow], after: Ranking | Iterable[RankingRow],
            selection: Mapping[str, Any] | None = None) -> WhatIf:
    """Which applications move, and by how much, between two rankings (keyed by application ID),
    and — with a ``selection`` spec (see :func:`select`) — whose selection status or amount changes.

    Sorted by absolute movement, largest first; an application ranked on one side only (it became
    or stopped being eligible, or is new) counts as the largest movement. Equal movements follow
    the new display order."""
    old, new = _as_ranking(before), _as_ranking(after)
    old_rows, new_rows = old.by_id(), new.by_id()
    sel_old = select(old, selection) if selection is not None else None
    sel_new = select(new, selection) if selection is not None else None
    out = []
    ids = list(new_rows) + [i for i in old_rows if i not in new_rows]
    for app_id in ids:
        o, n = old_rows.get(app_id), new_rows.get(app_id)
        old_rank = o.rank if o else None
        new_rank = n.rank if n else None
        moved = old_rank - new_rank if old_rank is not None and new_rank is not None else None
        so = sel_old.outcome(app_id) if sel_old else None
        sn = sel_new.outcome(app_id) if sel_new else None
        out.append(Movement(app_id, (n or o).row.organization_name, old_rank, new_rank, moved,
                            o.row.total if o else None, n.row.total if n else None,
                            so.status if so else None, sn.status if sn else None,
                            so.amount if so else None, sn.amount if sn else None))
    big = len(ids) + 1
    position = {app_id: (new_rows[app_id].position if app_id in new_rows else big + old_rows[app_id].position)
                for app_id in ids}

    def magnitude(m: Movement) -> int:
        if m.movement is not None:
            return abs(m.movement)
        return big if (m.old_rank is None) != (m.new_rank is None) else 0

    out.sort(key=lambda m: (-magnitude(m), position[m.application_id], id_key(m.application_id)))
    return WhatIf(tuple(out), sel_old, sel_new)
