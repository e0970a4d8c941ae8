"""Validate a ``zgc-application/1`` document against a programme.

Produces a normalised :class:`Application` (dates parsed) or raises
:class:`InvalidDocument` listing every problem with its field path, in Chinese.
A typo'd field is an error, never silently ignored.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from zgcfund.core import bounds, creditcode, workdays
from zgcfund.core.errors import InvalidDocument, Problem
from zgcfund.core.programme import FieldSpec, Programme

FORMAT = "zgc-application/1"
PHASES = {"prior": "前期工作绩效", "plan": "实施期内工作计划"}
# A plan record's delivery at acceptance (``delivery.status``); the ``final`` basis counts the first two.
DELIVERY_STATUSES = {"delivered": "已交付", "partly_delivered": "部分交付", "not_delivered": "未交付"}
MAX_NAME = bounds.LENGTHS["name"]  # the fast paths' copy of the name limit
SHA256 = re.compile(r"^[0-9a-f]{64}$")
PHONE = re.compile(r"^[0-9+\-() ]{5,30}$")
INDUSTRY_CODE = re.compile(r"^\d{4}$")


class Bad(Exception):
    """One field's problem; the walker adds the path."""


@dataclass
class Application:
    programme: str
    applied_on: dt.date
    contract_signed_on: dt.date | None
    organization: dict[str, Any]
    choices: dict[str, list[str]]
    records: list[dict[str, Any]]
    document: dict[str, Any] = field(repr=False)
    accepted_on: dt.date | None = None  # the acceptance as-of date (验收), for the ``final`` basis

    @property
    def plan_start(self) -> dt.date:
        return self.contract_signed_on or self.applied_on + dt.timedelta(days=1)


def _typename(value: Any) -> str:
    return {bool: "布尔值", int: "整数", float: "数字", str: "文本", list: "列表",
            dict: "对象", type(None): "null"}.get(type(value), type(value).__name__)


_DATES: dict[str, dt.date] = {}


def parse_date(value: Any) -> dt.date:
    # Applications repeat a few hundred distinct dates; parsed ones are remembered (bounded).
    if type(value) is str:
        day = _DATES.get(value)
        if day is not None:
            return day
    if not isinstance(value, str) or len(value) != 10 or value[4] != "-" or value[7] != "-":
        raise Bad(f"应为YYYY-MM-DD格式的日期，实际为{_shown(value)}")
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise Bad(f"不是有效日期：{_shown(value)}") from None
    if len(_DATES) < 100_000:
        _DATES[value] = day
    return day


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return f"“{value[:40]}”"
    if isinstance(value, list | dict):  # never str() a whole (possibly huge or deep) structure
        return _typename(value)
    return f"{_typename(value)} {bounds.number_text(value)}" if value is not None else "null"


def _string_of(label: str, kind: str = "string") -> Callable[[Any], str]:
    """A text field's check: a string of at most ``bounds.LENGTHS[kind]`` characters."""
    most = bounds.limit(kind)

    def check(value: Any) -> str:
        if not isinstance(value, str):
            raise Bad(f"应为文本，实际为{_typename(value)}")
        if len(value) > most:
            raise Bad(bounds.length_problem(label, value, kind))
        return value
    return check


_string = _string_of("文本")


def _bool(value: Any) -> bool:
    if value is not True and value is not False:
        raise Bad(f"应为 true 或 false，实际为{_shown(value)}")
    return value


def _count_of(label: str) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if type(value) is not int:
            raise Bad(f"应为非负整数，实际为{_shown(value)}")
        if not 0 <= value <= bounds.COUNT_MAX:
            raise Bad(bounds.count_problem(label, value))
        return value
    return check


def _amount_of(label: str) -> Callable[[Any], int | float]:
    def check(value: Any) -> int | float:
        if type(value) not in (int, float) or (type(value) is float and not math.isfinite(value)):
            raise Bad(f"应为非负数（单位：万元），实际为{_shown(value)}")
        if not 0 <= value <= bounds.AMOUNT_MAX:
            raise Bad(bounds.amount_problem(label, value))
        return value
    return check


def _date_of(label: str, calendar: bool = False) -> Callable[[Any], dt.date]:
    """A date in the plausible range (``bounds``); ``calendar``: also covered by the working-day calendar."""
    def check(value: Any) -> dt.date:
        day = parse_date(value)
        if not bounds.DATE_MIN <= day <= bounds.DATE_MAX:
            raise Bad(bounds.date_problem(label, day))
        if calendar and not workdays.covers(day):
            raise Bad(str(workdays.CalendarRangeError(day)))
        return day
    return check


def _industry_code(value: Any) -> str:
    if not isinstance(value, str) or not INDUSTRY_CODE.match(value):
        raise Bad(f"应为4位国民经济行业代码（GB/T 4754-2017），实际为{_shown(value)}")
    return value


def _credit_code(value: Any) -> str:
    if not isinstance(value, str):
        raise Bad(f"统一社会信用代码应为文本，实际为{_typename(value)}")
    code = creditcode.normalise(value)
    if not creditcode.is_valid(code):
        raise Bad("统一社会信用代码无效：" + "；".join(creditcode.problems(code)))
    return code


def _accepting(codes: frozenset[str]) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if isinstance(value, str) and creditcode.normalise(value) in codes:
            return creditcode.normalise(value)
        return _credit_code(value)
    return check


def _object(value: Any, allowed: dict[str, Callable[[Any], Any]], required: tuple[str, ...],
            path: str, problems: list[Problem]) -> dict[str, Any] | None:
    if not isinstance(value, dict):
        problems.append(Problem(path, f"应为对象，实际为{_typename(value)}"))
        return None
    out = {}
    for key, item in value.items():
        check = allowed.get(key)
        if check is None:
            problems.append(Problem(f"{path}.{key}", f"未知字段（允许的字段：{'、'.join(allowed)}）"))
            continue
        if item is None:
            out[key] = None
            continue
        try:
            out[key] = check(item)
        except Bad as exc:
            problems.append(Problem(f"{path}.{key}", str(exc)))
    for key in required:
        if value.get(key) in (None, ""):
            problems.append(Problem(f"{path}.{key}", "必填，未填写"))
    return out


class _Nested:
    """A checker for an object-valued field; collects inner problems as one Bad."""

    def __init__(self, allowed: dict[str, Callable[[Any], Any]], required: tuple[str, ...]):
        self.allowed, self.required = allowed, required

    def __call__(self, value: Any) -> dict[str, Any]:
        problems: list[Problem] = []
        out = _object(value, self.allowed, self.required, "", problems)
        if problems:
            raise _NestedBad(problems)
        return out  # type: ignore[return-value]


class _NestedBad(Bad):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("；".join(str(p) for p in problems))


class _Party(_Nested):
    """The party checker, with a fast path for a well-formed party (same result as the general path)."""

    def __call__(self, value: Any) -> dict[str, Any]:
        if isinstance(value, dict) and value.keys() <= self.allowed.keys():
            name, code = value.get("name"), value.get("credit_code")
            if isinstance(name, str) and 0 < len(name) <= MAX_NAME:
                if code is None:
                    return dict(value)
                if isinstance(code, str):
                    code = creditcode.normalise(code)
                    if creditcode.is_valid(code):
                        out = dict(value)
                        out["credit_code"] = code
                        return out
        return super().__call__(value)


def _party(label: str) -> _Party:
    return _Party({"name": _string_of(f"{label}名称", "name"), "credit_code": _credit_code}, ("name",))


def _phone(value: Any) -> str:
    if not isinstance(value, str) or not PHONE.match(value):
        raise Bad(f"电话号码格式不正确：{_shown(value)}")
    return value


def _contact(label: str) -> _Nested:
    return _Nested({"name": _string_of(f"{label}姓名", "name"), "phone": _phone}, ())


def _sha256(value: Any) -> str:
    if not isinstance(value, str) or not SHA256.match(value.lower()):
        raise Bad(f"应为64位十六进制SHA-256摘要，实际为{_shown(value)}")
    return value.lower()


def _evidence_kind(kinds: dict[str, str]) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if not isinstance(value, str) or value not in kinds:
            allowed = "、".join(f"{k}（{v}）" for k, v in kinds.items()) or "本条款未规定材料类型"
            raise Bad(f"材料类型{_shown(value)}无效，应为：{allowed}")
        return value
    return check


def evidence_check(kinds: dict[str, str]) -> Callable[[Any], list[dict[str, str]]]:
    """The checker for a record's ``evidence`` list; ``kinds`` are the clause's declared kinds
    (key → label), which an item's optional ``kind`` must name."""
    item_check = _Nested({"name": _string_of("支撑材料文件名", "name"), "sha256": _sha256,
                          "kind": _evidence_kind(kinds)}, ("name", "sha256"))

    def check(value: Any) -> list[dict[str, str]]:
        if not isinstance(value, list):
            raise Bad(f"应为列表，实际为{_typename(value)}")
        out = []
        for i, item in enumerate(value):
            # Fast path: exactly {name, sha256}, both fine and the digest already lower-case;
            # gives what item_check would.
            if isinstance(item, dict) and len(item) == 2:
                name, digest = item.get("name"), item.get("sha256")
                if isinstance(name, str) and 0 < len(name) <= MAX_NAME and isinstance(digest, str) \
                        and SHA256.match(digest):
                    out.append(dict(item))
                    continue
            try:
                out.append(item_check(item))
            except _NestedBad as exc:
                raise _NestedBad([Problem(f"[{i}]{p.path}", p.message) for p in exc.problems]) from None
        return out
    return check


_evidence = evidence_check({})


def _enum(values: dict[str, str]) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if not isinstance(value, str) or value not in values:
            raise Bad(f"取值{_shown(value)}无效，应为：" + "、".join(f"{k}（{v}）" for k, v in values.items()))
        return value
    return check


def _set(values: dict[str, str]) -> Callable[[Any], frozenset[str]]:
    one = _enum(values)

    def check(value: Any) -> frozenset[str]:
        if not isinstance(value, list):
            raise Bad(f"应为列表，实际为{_typename(value)}")
        items = [one(v) for v in value]
        if len(set(items)) != len(items):
            raise Bad("列表中有重复值")
        return frozenset(items)
    return check


FIELD_CHECKS: dict[str, Callable[[str], Callable[[Any], Any]]] = {  # field type → check, given the label
    "string": _string_of, "text": lambda label: _string_of(label, "text"), "bool": lambda _label: _bool,
    "count": _count_of, "amount": _amount_of, "date": _date_of, "party": _party, "contact": _contact,
    "industry_code": lambda _label: _industry_code,
}


def field_check(spec: FieldSpec) -> Callable[[Any], Any]:
    if spec.type == "enum":
        return _enum(spec.values or {})
    if spec.type == "set":
        return _set(spec.values or {})
    if spec.type == "date" and spec.calendar == "working_days":
        return _date_of(spec.label, calendar=True)
    return FIELD_CHECKS[spec.type](spec.label)


def _non_empty(check: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def inner(value: Any) -> Any:
        value = check(value)
        if not value.strip():
            raise Bad("不能为空")
        return value
    return inner


def _non_empty_string(kind: str) -> Callable[[Any], str]:
    """``_non_empty(_string_of(…))`` with a fast path for the common case."""
    most, slow = bounds.limit(kind), _non_empty(_string_of(bounds.LABELS[kind], kind))

    def check(value: Any) -> str:
        if isinstance(value, str) and len(value) <= most and value.strip():
            return value
        return slow(value)
    return check


_delivery = _Nested({"status": _enum(DELIVERY_STATUSES), "reason": _non_empty(_string_of("交付情况说明", "text")),
                     "verified": _bool, "delivered_on": _date_of("交付日期")}, ("status",))

COMMON_CHECKS: dict[str, Callable[[Any], Any]] = {
    "id": _non_empty_string("id"), "clause": _string, "phase": _enum(PHASES), "date": _date_of(bounds.LABELS["date"]),
    "title": _non_empty_string("title"), "evidence": _evidence, "verified": _bool, "delivery": _delivery,
}
COMMON_REQUIRED = ("id", "clause", "phase", "date", "title")


def _assert_rejects_null(name: str, check: Callable[[Any], Any]) -> None:
    """The record fast path relies on this: a null field is stored as null, never checked."""
    try:
        check(None)
    except Bad:
        return
    raise AssertionError(f"field check for '{name}' accepts null")


class Validator:
    """Compiled per programme: per-clause field checkers."""

    def __init__(self, programme: Programme):
        self.programme = programme
        self.clause_checks: dict[str, tuple[dict[str, Callable[[Any], Any]], tuple[str, ...]]] = {}
        self.conditional: dict[str, list[tuple[str, str, tuple[str, ...], str]]] = {}
        self.ordered: dict[str, list[tuple[str, str, str, str]]] = {}
        for cid, clause in programme.clauses.items():
            checks = dict(COMMON_CHECKS)
            checks.update({name: field_check(f) for name, f in clause.fields.items()})
            checks["evidence"] = evidence_check({k: v.label for k, v in clause.evidence_kinds.items()})
            required = COMMON_REQUIRED + tuple(n for n, f in clause.fields.items() if f.required)
            self.clause_checks[cid] = (checks, required)
            # fields required only for some records (required_when): (field, on field, values, reason)
            self.conditional[cid] = [
                (n, f.required_when[0], f.required_when[1],
                 "、".join(f"“{clause.fields[f.required_when[0]].values[v]}”" for v in f.required_when[1]))
                for n, f in clause.fields.items() if f.required_when]
            # date order (not_after): (field, later field, labels)
            self.ordered[cid] = [(n, f.not_after, f.label, clause.fields[f.not_after].label
                                  if f.not_after in clause.fields else bounds.LABELS["date"])
                                 for n, f in clause.fields.items() if f.not_after]
        self.required_keys = {cid: frozenset(required) for cid, (_, required) in self.clause_checks.items()}
        for checks, _ in self.clause_checks.values():
            for name, check in checks.items():
                _assert_rejects_null(name, check)
        self.org_checks = {"name": _non_empty(_string_of(bounds.LABELS["organization.name"])), "credit_code": _credit_code,
                           "comprehensive": _bool, "registers_tech_contracts": _bool}
        self.top = ("format", "programme", "applied_on", "contract_signed_on", "accepted_on", "organization",
                    "choices", "records")

    def validate(self, doc: Any, accepted_credit_codes: frozenset[str] = frozenset()) -> Application:
        """``accepted_credit_codes``: organization codes that fail the check but that the office
        accepted by a recorded override (the web app passes them; the CLI never does)."""
        problems: list[Problem] = []
        if not isinstance(doc, dict):
            raise InvalidDocument([Problem("", f"文档顶层应为JSON对象，实际为{_typename(doc)}")])
        for key in doc:
            if key not in self.top:
                problems.append(Problem(key, f"未知字段（允许的字段：{'、'.join(self.top)}）"))
        if doc.get("format") != FORMAT:
            problems.append(Problem("format", f"应为“{FORMAT}”，实际为{_shown(doc.get('format'))}"))
        if doc.get("programme") != self.programme.code:
            problems.append(Problem("programme", f"应为“{self.programme.code}”，实际为{_shown(doc.get('programme'))}"))

        applied_on = self._date(doc, "applied_on", problems, required=True)
        contract = self._date(doc, "contract_signed_on", problems, required=False)
        if applied_on and contract and contract < applied_on:
            problems.append(Problem("contract_signed_on", f"合同签署日期 {contract} 早于申报日期 {applied_on}"))
        if applied_on and contract:  # W-PLAN: 实施期时间为2025年签署合同的日期到2026年6月
            params = self.programme.params_on(applied_on)
            first, last = params.get("contract_earliest"), params.get("contract_latest")
            if first and last and not first <= contract <= last:
                problems.append(Problem("contract_signed_on",
                                        f"合同签署日期（contract_signed_on）{contract} 不在{first.year}年内"
                                        f"（{first}至{last}）：实施期自{first.year}年签署合同的日期起算（W-PLAN）"))
        accepted = self._date(doc, "accepted_on", problems, required=False)
        if accepted and applied_on and accepted < applied_on:
            problems.append(Problem("accepted_on", f"验收日期 {accepted} 早于申报日期 {applied_on}"))
        elif accepted and contract and accepted < contract:
            problems.append(Problem("accepted_on", f"验收日期 {accepted} 早于合同签署日期 {contract}"))

        org_checks = self.org_checks
        if accepted_credit_codes:
            org_checks = {**org_checks, "credit_code": _accepting(accepted_credit_codes)}
        org = _object(doc.get("organization"), org_checks, ("name", "credit_code"),
                      "organization", problems) if "organization" in doc else None
        if "organization" not in doc:
            problems.append(Problem("organization", "必填，未填写"))
        choices = self._choices(doc.get("choices"), problems)
        records = self._records(doc.get("records"), problems)
        if problems:
            raise InvalidDocument(problems)
        org = {"comprehensive": False, "registers_tech_contracts": False, **(org or {})}
        return Application(self.programme.code, applied_on, contract, org, choices, records, doc, accepted)

    @staticmethod
    def _date(doc: dict, key: str, problems: list[Problem], required: bool) -> dt.date | None:
        value = doc.get(key)
        if value is None:
            if required:
                problems.append(Problem(key, "必填，未填写"))
            return None
        try:
            return _date_of(bounds.LABELS[key])(value)
        except Bad as exc:
            problems.append(Problem(key, str(exc)))
            return None

    def _choices(self, value: Any, problems: list[Problem]) -> dict[str, list[str]]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            problems.append(Problem("choices", f"应为对象，实际为{_typename(value)}"))
            return {}
        out = {}
        groups = self.programme.choice_groups
        limits = {g.group: g.choose for g in self.programme.gates if g.kind == "choose"}
        for group, chosen in value.items():
            path = f"choices.{group}"
            if group not in groups:
                problems.append(Problem(path, f"未知的选项组（应为：{'、'.join(groups)}）"))
                continue
            if not isinstance(chosen, list) or not all(isinstance(c, str) for c in chosen):
                problems.append(Problem(path, "应为条款编号列表"))
                continue
            bad = [c for c in chosen if c not in groups[group]]
            if bad:
                problems.append(Problem(path, f"{'、'.join(bad)} 不属于{group}（应为：{'、'.join(groups[group])}）"))
            elif len(set(chosen)) != len(chosen):
                problems.append(Problem(path, "列表中有重复的条款"))
            elif group in limits and len(chosen) > limits[group]:
                problems.append(Problem(path, f"最多可选取{limits[group]}项，实际选取{len(chosen)}项"))
            else:
                out[group] = list(chosen)
        return out

    def _records(self, value: Any, problems: list[Problem]) -> list[dict[str, Any]]:
        if value is None:
            problems.append(Problem("records", "必填，未填写（可为空列表）"))
            return []
        if not isinstance(value, list):
            problems.append(Problem("records", f"应为列表，实际为{_typename(value)}"))
            return []
        too_many = bounds.records_problem(len(value))
        if too_many:  # not checked one by one: the work stays bounded
            problems.append(Problem("records", too_many))
            return []
        out = []
        seen: dict[str, int] = {}
        clause_checks = self.clause_checks
        for i, raw in enumerate(value):
            if not isinstance(raw, dict):
                problems.append(Problem(f"records[{i}]", f"应为对象，实际为{_typename(raw)}"))
                continue
            cid = raw.get("clause")
            checks = clause_checks.get(cid) if isinstance(cid, str) else None
            if checks is None:
                problems.append(Problem(f"records[{i}].clause",
                                        f"未知条款编号{_shown(cid)}（应为：{'、'.join(clause_checks)}）"))
                continue
            allowed, required = checks
            rec = None
            # Fast path for a well-formed record: every required field present, and every field
            # known (else KeyError) and passing its check (a null never does, see __init__).
            # Anything else goes through _record, which collects the problems; the checks are
            # pure, so running them again there is safe.
            if raw.keys() >= self.required_keys[cid]:
                try:
                    rec = {key: allowed[key](item) for key, item in raw.items()}
                except (KeyError, Bad):
                    pass
            if rec is None:
                rec = self._record(f"records[{i}]", raw, cid, allowed, required, problems)
            if self.conditional[cid] or self.ordered[cid]:
                self._required_when(f"records[{i}]", raw, cid, problems)
                self._date_order(f"records[{i}]", rec, cid, problems)
            if rec.get("delivery") is not None:
                _delivery_rules(f"records[{i}]", rec, problems)
            rid = rec.get("id")
            if rid is not None:
                if rid in seen:
                    problems.append(Problem(f"records[{i}].id", f"记录编号“{rid}”与 records[{seen[rid]}] 重复"))
                else:
                    seen[rid] = i
            out.append(rec)
        return out

    def check_record(self, raw: dict) -> tuple[dict[str, Any], list[Problem]]:
        """One record on its own (a web form's check). Problem paths are relative to the record,
        e.g. ``enterprise.credit_code``; cross-record rules (ids, X-ONCE) are not checked here."""
        cid = raw.get("clause")
        checks = self.clause_checks.get(cid) if isinstance(cid, str) else None
        if checks is None:
            return {}, [Problem("clause", f"未知条款编号{_shown(cid)}（应为：{'、'.join(self.clause_checks)}）")]
        problems: list[Problem] = []
        rec = self._record("", raw, cid, *checks, problems)
        self._required_when("", raw, cid, problems)
        self._date_order("", rec, cid, problems)
        if rec.get("delivery") is not None:
            _delivery_rules("", rec, problems)
        return rec, [Problem(p.path.lstrip("."), p.message) for p in problems]

    def _date_order(self, path: str, rec: dict, cid: str, problems: list[Problem]) -> None:
        for name, later, label, later_label in self.ordered[cid]:
            first, last = rec.get(name), rec.get(later)
            if first is not None and last is not None and str(first) > str(last):
                problems.append(Problem(f"{path}.{name}", f"{label} {first} 晚于{later_label} {last}"))

    def _required_when(self, path: str, raw: dict, cid: str, problems: list[Problem]) -> None:
        for name, on, values, shown in self.conditional[cid]:
            if raw.get(on) in values and raw.get(name) is None:
                problems.append(Problem(f"{path}.{name}", f"类型为{shown}时必填，未填写"))

    @staticmethod
    def _record(path: str, raw: dict, cid: str, allowed: dict[str, Callable[[Any], Any]], required: tuple[str, ...],
                problems: list[Problem]) -> dict[str, Any]:
        rec: dict[str, Any] = {}
        for key, item in raw.items():
            check = allowed.get(key)
            if check is None:
                problems.append(Problem(f"{path}.{key}", f"条款{cid}的记录没有此字段（允许的字段：{'、'.join(allowed)}）"))
            elif item is None:
                rec[key] = None
            else:
                try:
                    rec[key] = check(item)
                except _NestedBad as exc:
                    problems.extend(Problem(f"{path}.{key}{_join(p.path)}", p.message) for p in exc.problems)
                except Bad as exc:
                    problems.append(Problem(f"{path}.{key}", str(exc)))
        for key in required:
            if raw.get(key) is None:
                problems.append(Problem(f"{path}.{key}", "必填，未填写"))
        return rec


def _delivery_rules(path: str, rec: dict, problems: list[Problem]) -> None:
    """``delivery`` (a plan record's delivery at acceptance): on plan records only; ``reason`` required
    unless delivered; no ``delivered_on`` for work not delivered."""
    delivery = rec["delivery"]
    if rec.get("phase") == "prior":
        problems.append(Problem(f"{path}.delivery", "只有实施期内工作计划记录（phase: plan）可填写交付情况（delivery），"
                                                    "前期工作绩效记录不填写"))
    status = delivery.get("status")
    if status in DELIVERY_STATUSES and status != "delivered" and not delivery.get("reason"):
        problems.append(Problem(f"{path}.delivery.reason",
                                f"交付状态为“{DELIVERY_STATUSES[status]}”时必填，未填写（说明未全部交付的原因）"))
    if status == "not_delivered" and delivery.get("delivered_on") is not None:
        problems.append(Problem(f"{path}.delivery.delivered_on", "交付状态为“未交付”时不应填写交付日期"))


def _join(sub: str) -> str:
    return sub if sub.startswith("[") or not sub else f".{sub.lstrip('.')}"


_VALIDATORS: dict[str, Validator] = {}


def validator_for(programme: Programme) -> Validator:
    v = _VALIDATORS.get(programme.sha256)
    if v is None:
        v = _VALIDATORS[programme.sha256] = Validator(programme)
    return v


def validate(doc: Any, programme: Programme, accepted_credit_codes: frozenset[str] = frozenset()) -> Application:
    return validator_for(programme).validate(doc, accepted_credit_codes)
