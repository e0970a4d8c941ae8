"""K1.3 服务营收增长: revenue growth of the performance enterprises, aim by aim (pure Python, no Django).

K1.3 (docs/policy/2025-clauses.md) has two aims, each judged on its own table against the industry
growth rate the programme office enters:

* aim (a) 一是 — 2025年1-11月 over 2024年1-11月: the enterprises "为行业发展发挥上拉作用";
* aim (b) 二是 — 2026年1-2月 over 2025年1-2月: they "为行业实现‘开门红’做贡献".

The aims are not declared here: they are read from the programme file (:func:`k13_aims`), so a later
year's file brings its own periods without code. Each ``table_growth`` item of K1.3's ``condition`` is one
aim (in file order: a, b, …): its two record fields (this period, the same months a year earlier), the
comparison (``gt``/``ge``) and the office's rate parameter (``industry_growth_rate``,
``start_growth_rate``). Each field's ``period_end`` parameter dates its period; a period is a
cumulative year-to-date statistics period (累计), from 1 January of its end's year ("2026年1-2月").

Readings (documented in docs/engine.md):

* The aim is judged on the **group**: the totals of the enterprises that have both figures of the aim
  (as the engine's ``table_growth``). Each enterprise's own growth is shown beside it.
* "Meets" uses the programme file's comparison — today ``gt`` for both aims ("高于行业增速": to pull the
  industry up a group must grow faster than it; equal growth pulls nothing up). Aim (b)'s 开门红
  contribution is read the same way: the text gives it no other measure.
* A zero or missing base (上年同期) figure leaves growth undefined: stated, never a division by zero.
* A period that has not ended on the as-of date cannot be judged: the aim is ``pending`` ("2026年1-2月
  尚未结束"), a commitment verified at acceptance; figures entered for it are not used.
* The same enterprise twice (same credit code; without a code, the same normalised name) is an input
  error naming it, as are unknown figure names, negative figures and floats.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from zgcfund.core.errors import ProgrammeFileError
from zgcfund.core.numbers import display_number
from zgcfund.core.programme import Programme, load_programme
from zgcfund.core.ranking import jsonable
from zgcfund.core.vocabulary import party_identities

CLAUSE = "K1.3"
MET, NOT_MET, PENDING, UNDETERMINED = "met", "not_met", "pending", "undetermined"
STATUS_NAMES = {MET: "满足", NOT_MET: "未满足", PENDING: "统计期未结束，验收时核对", UNDETERMINED: "无法判断"}
# the comparisons an aim may use, as words: (passes, fails)
OP_WORDS = {"gt": ("高于", "未高于"), "ge": ("不低于", "低于")}
AIM_KEYS = "abcdefgh"
GROWTH_PLACES = Decimal("0.0001")


class GrowthInputError(ValueError):
    """Input refused (duplicate enterprise, unknown figure, negative or non-decimal figure …):
    ``problems`` holds one Chinese message per problem, each naming where."""

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        super().__init__("；".join(self.problems))


# --- the aims, from the programme file ------------------------------------------------

@dataclass(frozen=True)
class Period:
    """One statistics period: a K1.3 record field and its dates (year to date)."""

    field: str  # the zgc-application/1 record field, e.g. revenue_2025_jan_nov
    label: str  # "2025年1-11月"
    start: dt.date
    end: dt.date
    param: str  # the programme parameter dating its end, e.g. k13_jan_nov_2025_end


@dataclass(frozen=True)
class Aim:
    key: str  # "a", "b"
    name: str  # "一是"
    label: str  # the programme's label of the aim
    current: Period
    previous: Period
    op: str  # "gt" | "ge"
    rate_param: str  # the office's parameter, e.g. industry_growth_rate
    quote: str  # the official text of the aim (the rate parameter's ref)

    @property
    def ends(self) -> dt.date:
        return max(self.current.end, self.previous.end)

    def periods_open_on(self, as_of: dt.date) -> list[Period]:
        return [p for p in (self.current, self.previous) if p.end > as_of]

    def to_dict(self) -> dict:
        return jsonable({"key": self.key, "name": self.name, "label": self.label, "op": self.op,
                         "rate_param": self.rate_param, "quote": self.quote,
                         "current": _period_dict(self.current), "previous": _period_dict(self.previous)})


def _period_dict(p: Period) -> dict:
    return {"field": p.field, "label": p.label, "start": p.start, "end": p.end, "param": p.param}


def _table_growth_nodes(spec: Any, key: str) -> Iterable[tuple[str, dict]]:
    if not isinstance(spec, dict):
        return
    if "table_growth" in spec:
        yield key, spec
    for kind in ("all", "any", "of"):
        for i, part in enumerate(spec.get(kind) or ()):
            yield from _table_growth_nodes(part, f"{key}.{kind}[{i}]")


@lru_cache(maxsize=32)
def k13_aims(programme: Programme, on: dt.date | None = None) -> tuple[Aim, ...]:
    """K1.3's aims as the programme file declares them, with the period dates in force on ``on``
    (default: each parameter's latest value). Compiled once per programme and date; a malformed
    declaration raises :class:`ProgrammeFileError` naming the key."""
    clause = programme.clauses.get(CLAUSE)
    if clause is None:
        raise ProgrammeFileError(programme.origin, f"clauses.{CLAUSE}", "no such clause")
    day = on or dt.date.max
    fields = clause.raw["fields"]
    aims = []
    nodes = list(_table_growth_nodes(clause.raw["condition"], f"clauses.{CLAUSE}.condition"))
    if not nodes:
        raise ProgrammeFileError(programme.origin, f"clauses.{CLAUSE}.condition", "no table_growth aim")
    for i, (key, node) in enumerate(nodes):
        ops = [op for op in OP_WORDS if op in node]
        others = [op for op in ("eq", "ne", "le", "lt") if op in node]
        if len(ops) != 1 or others:
            raise ProgrammeFileError(programme.origin, key, "an aim compares with exactly one of gt/ge")
        rate = node[ops[0]]
        if not isinstance(rate, dict) or rate.get("param") not in programme.parameters:
            raise ProgrammeFileError(programme.origin, f"{key}.{ops[0]}",
                                     "the industry growth rate must be an office parameter {param: NAME}")
        names = node["table_growth"]
        if not isinstance(names, list) or len(names) != 2:
            raise ProgrammeFileError(programme.origin, f"{key}.table_growth", "needs [this period, a year earlier]")
        periods = [_period(programme, fields, name, day) for name in names]
        label = node.get("label") or f"目标{AIM_KEYS[i]}"
        name = label.partition("：")[0] if "：" in label else label
        aims.append(Aim(AIM_KEYS[i], name, label, periods[0], periods[1], ops[0], rate["param"],
                        programme.parameters[rate["param"]].ref.quote))
    return tuple(aims)


def _period(programme: Programme, fields: dict, name: str, day: dt.date) -> Period:
    key = f"clauses.{CLAUSE}.fields.{name}"
    spec = fields.get(name)
    if spec is None:
        raise ProgrammeFileError(programme.origin, key, "unknown record field")
    param = (spec.get("period_end") or {}).get("param")
    if param not in programme.parameters:
        raise ProgrammeFileError(programme.origin, f"{key}.period_end", "needs {param: NAME} of a date parameter")
    end = programme.parameters[param].value_on(day)
    if not isinstance(end, dt.date) or end.day != calendar.monthrange(end.year, end.month)[1]:
        raise ProgrammeFileError(programme.origin, f"parameters.{param}", f"a period end must be a month's last day: {end}")
    start = dt.date(end.year, 1, 1)
    label = f"{end.year}年1-{end.month}月" if end.month > 1 else f"{end.year}年1月"
    return Period(name, label, start, end, param)


# --- input ------------------------------------------------------------------------

@dataclass(frozen=True)
class EnterpriseRevenue:
    """One performance enterprise and its revenue figures (万元), by record field name
    (``revenue_2025_jan_nov`` …); a figure absent or None is missing."""

    credit_code: str | None
    name: str
    figures: Mapping[str, Any] = field(default_factory=dict)


def enterprises_from_records(records: Iterable[Mapping[str, Any]]) -> list[EnterpriseRevenue]:
    """The K1.3 records of a zgc-application/1 document as input (records a reviewer rejected,
    ``verified: false``, left out). JSON numbers become Decimals through their text."""
    out = []
    for r in records:
        if r.get("clause") != CLAUSE or r.get("verified") is False:
            continue
        party = r.get("enterprise") or {}
        figures = {k: (Decimal(str(v)) if isinstance(v, int | float) and not isinstance(v, bool) else v)
                   for k, v in r.items() if k.startswith("revenue_")}
        out.append(EnterpriseRevenue(party.get("credit_code"), party.get("name") or "", figures))
    return out


def _figure(value: Any, where: str, problems: list[str]) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool | float):
        problems.append(f"{where}：营收须为十进制数（Decimal 或数字字符串），不接受 {value!r}")
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip() if isinstance(value, str) else value)
    except (InvalidOperation, TypeError, ValueError):
        problems.append(f"{where}：“{value}”不是数字")
        return None
    if not number.is_finite() or number < 0:
        problems.append(f"{where}：营收须为非负数（万元），实际为 {value}")
        return None
    return number


def _rate(value: Any, where: str, problems: list[str]) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool | float):
        problems.append(f"{where}：行业增速须为十进制数（Decimal 或数字字符串，如 0.05），不接受 {value!r}")
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        problems.append(f"{where}：“{value}”不是数字")
        return None
    if not number.is_finite():
        problems.append(f"{where}：“{value}”不是有限数")
        return None
    return number


# --- output -----------------------------------------------------------------------

def percent(ratio: Decimal | None) -> str:
    """A growth ratio as a percentage with two decimals: ``Decimal("0.1234")`` → "12.34%"."""
    return "—" if ratio is None else f"{display_number(ratio * 100, 2)}%"


def _change(ratio: Decimal) -> str:
    return f"同比增长{percent(ratio)}" if ratio >= 0 else f"同比下降{percent(-ratio)}"


def _money(value: Decimal) -> str:
    return f"{display_number(value, grouping=True)}万元"


@dataclass(frozen=True)
class EnterpriseAim:
    """One enterprise's growth on one aim."""

    aim: str
    current: Decimal | None
    previous: Decimal | None
    growth: Decimal | None
    status: str
    in_total: bool  # counted in the group's totals (both figures present, period ended)
    message: str

    def to_dict(self) -> dict:
        return jsonable({"aim": self.aim, "current": self.current, "previous": self.previous,
                         "growth": _rounded(self.growth),
                         "growth_percent": percent(self.growth) if self.growth is not None else None,
                         "status": self.status, "in_total": self.in_total, "message": self.message})


@dataclass(frozen=True)
class EnterpriseGrowth:
    credit_code: str | None
    name: str
    aims: tuple[EnterpriseAim, ...]

    def to_dict(self) -> dict:
        return {"credit_code": self.credit_code, "name": self.name, "aims": [a.to_dict() for a in self.aims]}


@dataclass(frozen=True)
class AimResult:
    """The group's growth on one aim: the verdict of K1.3 for that aim."""

    aim: Aim
    rate: Decimal | None
    status: str
    growth: Decimal | None
    current_total: Decimal | None
    previous_total: Decimal | None
    enterprises: int  # in the totals
    message: str
    rule: str = CLAUSE

    @property
    def meets(self) -> bool | None:
        return {MET: True, NOT_MET: False}.get(self.status)

    def to_dict(self) -> dict:
        return jsonable({"aim": self.aim.key, "name": self.aim.name, "label": self.aim.label,
                         "current_period": self.aim.current.label, "previous_period": self.aim.previous.label,
                         "period_end": self.aim.ends, "op": self.aim.op, "rate_param": self.aim.rate_param,
                         "rate": self.rate, "status": self.status, "meets": self.meets,
                         "growth": _rounded(self.growth),
                         "growth_percent": percent(self.growth) if self.growth is not None else None,
                         "current_total": self.current_total, "previous_total": self.previous_total,
                         "enterprises": self.enterprises, "rule": self.rule, "message": self.message})


@dataclass(frozen=True)
class GrowthResult:
    as_of: dt.date
    status: str  # not_met > undetermined > pending > met
    aims: tuple[AimResult, ...]
    enterprises: tuple[EnterpriseGrowth, ...]
    message: str
    rule: str = CLAUSE

    def aim(self, key: str) -> AimResult:
        return next(a for a in self.aims if a.aim.key == key)

    def to_dict(self) -> dict:
        return jsonable({"rule": self.rule, "as_of": self.as_of, "status": self.status, "message": self.message,
                         "aims": [a.to_dict() for a in self.aims],
                         "enterprises": [e.to_dict() for e in self.enterprises]})


def _rounded(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(GROWTH_PLACES)


# --- judgement --------------------------------------------------------------------

def _growth(current: Decimal, previous: Decimal) -> Decimal | None:
    return None if previous == 0 else (current - previous) / previous


def _compare(aim: Aim, growth: Decimal, rate: Decimal) -> bool:
    return growth > rate if aim.op == "gt" else growth >= rate


def _open_message(aim: Aim, as_of: dt.date) -> str:
    periods = aim.periods_open_on(as_of)
    ends = "、".join((f"{p.label}" if len(periods) > 1 else "") + f"统计期至{p.end.isoformat()}" for p in periods)
    return f"{'、'.join(p.label for p in periods)}尚未结束（{ends}，评估基准日{as_of.isoformat()}）"


def k13_growth(enterprises: Sequence[EnterpriseRevenue], as_of: dt.date,
               rates: Mapping[str, Any] | None = None, programme: Programme | None = None,
               on: dt.date | None = None) -> GrowthResult:
    """Judge K1.3 on ``as_of``: per enterprise and for the group, the growth of each aim.

    ``rates``: the industry growth rate per aim, keyed by the aim's key (``"a"``, ``"b"``) or its
    parameter (``industry_growth_rate``, ``start_growth_rate``); a ratio (``Decimal("0.05")`` = 5%),
    ``None`` = not entered yet. An aim left out takes the office's value in the programme file in force
    on ``on`` (default ``as_of``), as do the period dates. Raises :class:`GrowthInputError` listing
    every problem of the input."""
    programme = programme or load_programme()
    day = on or as_of
    aims = k13_aims(programme, day)
    problems: list[str] = []
    known = {a.current.field for a in aims} | {a.previous.field for a in aims}
    by_key = {a.key: a for a in aims} | {a.rate_param: a for a in aims}
    given: dict[str, Any] = {}
    for k, v in (rates or {}).items():
        aim = by_key.get(k)
        if aim is None:
            problems.append(f"rates.{k}：未知的目标（可用：{'、'.join(by_key)}）")
        elif aim.key in given:
            problems.append(f"rates.{k}：目标{aim.key}的行业增速重复给出")
        else:
            given[aim.key] = _rate(v, f"rates.{k}", problems)
    params = programme.params_on(day)
    rate_of = {a.key: given[a.key] if a.key in given else _rate(params.get(a.rate_param), a.rate_param, problems)
               for a in aims}

    rows: list[tuple[EnterpriseRevenue, dict[str, Decimal | None]]] = []
    for i, e in enumerate(enterprises):
        where = f"enterprises[{i}]"
        if not isinstance(e, EnterpriseRevenue):
            problems.append(f"{where}：须为 EnterpriseRevenue")
            continue
        if not (e.name or "").strip():
            problems.append(f"{where}.name：须填写企业名称")
        figures: dict[str, Decimal | None] = {}
        for name, value in (e.figures or {}).items():
            if name not in known:
                problems.append(f"{where}.figures.{name}：企业“{e.name}”的未知营收字段（可用：{'、'.join(sorted(known))}）")
                continue
            figures[name] = _figure(value, f"{where}.figures.{name}（企业“{e.name}”）", problems)
        rows.append((e, figures))
    identities = party_identities({"credit_code": (e.credit_code or "").strip() or None, "name": e.name}
                                  for e, _ in rows)
    first: dict[str, int] = {}
    for i, ((e, _), identity) in enumerate(zip(rows, identities, strict=True)):
        if identity is None:
            continue
        if identity in first:
            what = f"统一社会信用代码 {e.credit_code}" if e.credit_code else "名称相同，均无统一社会信用代码"
            problems.append(f"enterprises[{i}]：企业“{e.name}”（{what}）与 enterprises[{first[identity]}] 为同一企业，"
                            "同一企业只可列出一次")
        else:
            first[identity] = i
    if problems:
        raise GrowthInputError(problems)

    per_enterprise: list[list[EnterpriseAim]] = [[] for _ in rows]
    results = []
    for aim in aims:
        rate = rate_of[aim.key]
        cur_f, prev_f = aim.current.field, aim.previous.field
        cur_l, prev_l = aim.current.label, aim.previous.label
        head = f"{aim.name}（{cur_l}较{prev_l}）"
        if aim.periods_open_on(as_of):
            opened = _open_message(aim, as_of)
            for slot, (e, figures) in zip(per_enterprise, rows, strict=True):
                slot.append(EnterpriseAim(aim.key, None, None, None, PENDING, False,
                                          f"{e.name}：{opened}，所填营收暂不使用"
                                          if figures.get(cur_f) is not None or figures.get(prev_f) is not None
                                          else f"{e.name}：{opened}"))
            results.append(AimResult(aim, rate, PENDING, None, None, None, 0,
                                     f"{head}：{opened}，不能判断；为承诺事项，验收时核对（{CLAUSE}）"))
            continue
        words = OP_WORDS[aim.op]
        cur_total = prev_total = Decimal(0)
        counted = 0
        left_out = []
        for slot, (e, figures) in zip(per_enterprise, rows, strict=True):
            cur, prev = figures.get(cur_f), figures.get(prev_f)
            missing = [label for label, v in ((cur_l, cur), (prev_l, prev)) if v is None]
            if missing:
                left_out.append(e.name)
                slot.append(EnterpriseAim(aim.key, cur, prev, None, UNDETERMINED, False,
                                          f"{e.name}：未填写{'、'.join(missing)}营收，无法计算同比增速，不计入合计"))
                continue
            assert cur is not None and prev is not None
            cur_total += cur
            prev_total += prev
            counted += 1
            g = _growth(cur, prev)
            if g is None:
                slot.append(EnterpriseAim(aim.key, cur, prev, None, UNDETERMINED, True,
                                          f"{e.name}：{prev_l}营收为0，同比增速无法计算（两期营收计入合计）"))
            elif rate is None:
                slot.append(EnterpriseAim(aim.key, cur, prev, g, UNDETERMINED, True,
                                          f"{e.name}：{_change(g)}；项目办公室尚未录入行业增速，无法比较"))
            else:
                ok = _compare(aim, g, rate)
                slot.append(EnterpriseAim(aim.key, cur, prev, g, MET if ok else NOT_MET, True,
                                          f"{e.name}：{cur_l}营收{_money(cur)}，{prev_l}{_money(prev)}，{_change(g)}，"
                                          f"{words[0] if ok else words[1]}行业增速{percent(rate)}"))
        note = f"；未计入合计：{'、'.join(left_out)}（营收未填全）" if left_out else ""
        if not rows:
            status, g, message = UNDETERMINED, None, f"{head}：未列出绩效企业，无法计算增速"
        elif not counted:
            status, g, message = UNDETERMINED, None, f"{head}：没有同时填写{cur_l}和{prev_l}营收的绩效企业，无法计算增速{note}"
        else:
            g = _growth(cur_total, prev_total)
            totals = f"{counted}家绩效企业{cur_l}营收合计{_money(cur_total)}，{prev_l}合计{_money(prev_total)}"
            if g is None:
                status, message = UNDETERMINED, f"{head}：{totals}，上年同期合计为0，增速无法计算{note}"
            elif rate is None:
                status, message = UNDETERMINED, f"{head}：{totals}，{_change(g)}；项目办公室尚未录入行业增速，无法判断{note}"
            else:
                ok = _compare(aim, g, rate)
                status = MET if ok else NOT_MET
                message = (f"{head}：{totals}，{_change(g)}，{words[0] if ok else words[1]}行业增速{percent(rate)}，"
                           f"{'满足' if ok else '未满足'}（{aim.quote}）{note}")
        results.append(AimResult(aim, rate, status, g, cur_total if counted else None,
                                 prev_total if counted else None, counted, f"{message}（{CLAUSE}）"))

    statuses = [r.status for r in results]
    overall = next(s for s in (NOT_MET, UNDETERMINED, PENDING, MET) if s in statuses)
    summary = {MET: "各目标均满足", NOT_MET: "有目标未满足", UNDETERMINED: "有目标无法判断",
               PENDING: "有目标的统计期尚未结束，验收时核对"}[overall]
    message = f"{CLAUSE} 服务营收增长（基准日{as_of.isoformat()}）：{summary}：" + "；".join(
        f"{r.aim.name}{STATUS_NAMES[r.status]}" for r in results)
    enterprises_out = tuple(EnterpriseGrowth((e.credit_code or None), e.name, tuple(slot))
                            for (e, _), slot in zip(rows, per_enterprise, strict=True))
    return GrowthResult(as_of, overall, tuple(results), enterprises_out, message)
