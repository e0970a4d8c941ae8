"""Request parsing for the review app's forms: each function reads posted (or query) data — a
``QueryDict`` or a plain dict of strings — and returns the typed value the domain takes, or raises
the domain's form error (``SelectionInvalid``) keyed by field name. The domain never sees the request."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from zgcfund.core.ranking import AggregationConfig, RankingInputError
from zgcfund.core.selection import DEFAULT_CAP
from zgcfund.review.domain.plan import AGGREGATION_METHODS, plan_for
from zgcfund.review.domain.ranking import office_settings
from zgcfund.review.domain.scoring import ReviewInput
from zgcfund.review.domain.selection import METHOD_NAMES, SelectionInvalid

BAND_ROWS = range(1, 6)
REVIEW_PREFIXES = (("verdict-", "verdicts"), ("reason-", "reasons"), ("score-", "scores"), ("comment-", "comments"))


def _text(data, name: str) -> str:
    return (data.get(name) or "").strip()


def _list(data, name: str) -> list:
    return data.getlist(name) if hasattr(data, "getlist") else data.get(name, [])


# --- assignment and conflicts ------------------------------------------------------------------

MAX_EXPERTS_PER_APPLICATION = 20


def experts_per_application(data) -> tuple[int | None, str | None]:
    """每份申报书的专家人数 as (number, None), or (None, the Chinese message naming the field)."""
    raw = _text(data, "per_application")
    if raw.isdigit() and len(raw) < 4 and 1 <= int(raw) <= MAX_EXPERTS_PER_APPLICATION:
        return int(raw), None
    return None, _("每份申报书的专家人数：请填写 1 至 %(max)s 之间的整数（收到“%(raw)s”）。") % {
        "max": MAX_EXPERTS_PER_APPLICATION, "raw": raw[:20]}


def review_due_input(data) -> tuple[bool, dt.date | None, str | None]:
    """专家评审截止日: (clear?, the date, None) or (False, None, the Chinese message). An empty field
    with ``clear`` removes the date."""
    if _text(data, "clear"):
        return True, None, None
    raw = _text(data, "review_due_on")
    try:
        return False, dt.date.fromisoformat(raw), None
    except ValueError:
        return False, None, _("专家评审截止日：请填写日期（年-月-日，收到“%(raw)s”）。") % {"raw": raw[:20]}


def chosen_ids(data, name: str) -> list[int]:
    """The ids ticked in a multiple-choice field (anything not a number is ignored)."""
    return [int(v) for v in _list(data, name) if isinstance(v, str) and v.isdigit() and len(v) < 12]


def chosen_id(data, name: str) -> int | None:
    """The id chosen in a single-choice field, None unless a number."""
    raw = _text(data, name)
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


# --- the expert's review -----------------------------------------------------------------------

def review_input(data) -> ReviewInput:
    """The expert's review form: ``verdict-<record>``, ``reason-<record>``, ``score-<clause>`` and
    ``comment-<clause>`` fields by record id / clause; the domain checks them (``scoring.save_review``)."""
    out = ReviewInput()
    for key, value in data.items():
        for prefix, target in REVIEW_PREFIXES:
            if key.startswith(prefix):
                getattr(out, target)[key[len(prefix):]] = value
    return out


# --- the selection spec (selection page and plan) ----------------------------------------------

def _amount(data, name: str, label: str, errors: dict[str, str], *, required: bool = True) -> str | None:
    raw = _text(data, name)
    if not raw:
        if required:
            errors[name] = _("%(label)s：请填写金额（万元）。") % {"label": label}
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        errors[name] = _("%(label)s：“%(raw)s”不是数字。") % {"label": label, "raw": raw}
        return None
    if not value.is_finite() or value < 0:
        errors[name] = _("%(label)s：须为不小于 0 的数字（万元）。") % {"label": label}
        return None
    return str(value)


def selection_spec(data) -> dict[str, Any]:
    """The core's declarative selection spec from the selection form (POST or GET data); raises SelectionInvalid."""
    errors: dict[str, str] = {}
    method = data.get("method") or ""
    if method not in METHOD_NAMES:
        raise SelectionInvalid({"method": _("遴选方式：请选择按数量、按预算或按档次。")})
    cap_raw = _text(data, "cap_per_organization")
    cap = _amount(data, "cap_per_organization", _("单位年度支持上限"), errors, required=False) if cap_raw else str(DEFAULT_CAP)
    spec: dict[str, Any] = {"method": method}
    if method == "by_count":
        raw = _text(data, "n")
        try:
            n = int(raw)
            if n < 1:
                raise ValueError
            spec["n"] = n
        except ValueError:
            errors["n"] = _("入选数量：请填写正整数（收到“%(raw)s”）。") % {"raw": raw}
    elif method == "by_budget":
        spec["budget"] = _amount(data, "budget", _("总预算"), errors)
        spec["amount_per_application"] = _amount(data, "amount_per_application", _("每项支持金额"), errors)
        spec["cap_per_organization"] = cap
    else:
        bands = []
        for i in BAND_ROWS:
            name = _text(data, f"band{i}_name")
            first, last = _text(data, f"band{i}_first"), _text(data, f"band{i}_last")
            amount_raw = _text(data, f"band{i}_amount")
            if not (name or first or last or amount_raw):
                continue
            amount = _amount(data, f"band{i}_amount", _("第 %(i)s 档金额") % {"i": i}, errors)
            try:
                lo, hi = int(first), int(last)
                if lo < 1 or hi < lo:
                    raise ValueError
            except ValueError:
                errors[f"band{i}_first"] = _("第 %(i)s 档名次范围：起止名次须为正整数且起 ≤ 止。") % {"i": i}
                continue
            bands.append({"name": name or _("第 %(i)s 档") % {"i": i}, "ranks": [lo, hi], "amount": amount})
        if not bands and "band1_first" not in errors:
            errors["band1_name"] = _("按档次：请至少填写一个档次（名次范围和金额）。")
        spec["bands"] = bands
        spec["cap_per_organization"] = cap
        if _text(data, "budget"):
            spec["budget"] = _amount(data, "budget", _("总预算"), errors)
    tie = [int(x) for x in _list(data, "tie_decision") if str(x).isdigit()]
    if tie and method in ("by_count", "by_budget"):
        spec["tie_decision"] = tie
    if errors:
        raise SelectionInvalid(errors)
    return spec


def spec_initial(spec: dict) -> dict[str, Any]:
    """Selection form values from a core spec."""
    out = {k: spec[k] for k in ("method", "n", "budget", "amount_per_application", "cap_per_organization") if spec.get(k)}
    for i, band in enumerate(spec.get("bands", []), start=1):
        out |= {f"band{i}_name": band["name"], f"band{i}_first": band["ranks"][0], f"band{i}_last": band["ranks"][1],
                f"band{i}_amount": band["amount"]}
    return out


# --- the selection plan (selection spec and how experts' scores are aggregated) ---------------

def _int(data, name: str, label: str, low: int, errors: dict[str, str]) -> int | None:
    raw = _text(data, name)
    try:
        value = int(raw)
        if value < low:
            raise ValueError
        return value
    except ValueError:
        errors[name] = _("%(label)s：请填写不小于 %(low)s 的整数（收到“%(raw)s”）。") % {"label": label, "low": low, "raw": raw}
        return None


def _decimal(data, name: str, label: str, errors: dict[str, str]) -> str | None:
    raw = _text(data, name)
    try:
        value = Decimal(raw)
        if not value.is_finite() or value < 0:
            raise InvalidOperation
        return str(value)
    except InvalidOperation:
        errors[name] = _("%(label)s：请填写不小于 0 的数字（收到“%(raw)s”）。") % {"label": label, "raw": raw}
        return None


def ranking_settings(data) -> dict[str, Any]:
    """How experts' scores are aggregated, from the plan form; raises SelectionInvalid."""
    errors: dict[str, str] = {}
    method = data.get("agg_method") or ""
    if method not in AGGREGATION_METHODS:
        errors["agg_method"] = _("汇总方式：请选择算术平均或去掉最高最低分后平均。")
    settings = {
        "method": method,
        "min_experts": _int(data, "min_experts", _("最少专家人数"), 1, errors),
        "trim_min_experts": _int(data, "trim_min_experts", _("去掉最高最低分所需最少专家人数"), 3, errors),
        "clause_spread_threshold": _decimal(data, "clause_spread_threshold", _("单条款分差提示阈值"), errors),
        "total_spread_threshold": _decimal(data, "total_spread_threshold", _("总分分差提示阈值"), errors),
    }
    if not errors:
        try:
            AggregationConfig.from_dict(settings)
        except RankingInputError as exc:
            errors["agg_method"] = pgettext("list separator", "；").join(exc.problems)
    if errors:
        raise SelectionInvalid(errors)
    return settings


def selection_plan(data) -> tuple[dict[str, Any], dict[str, Any]]:
    """The plan form: (selection spec without tie decisions, ranking settings); raises SelectionInvalid
    with the errors of both parts."""
    errors: dict[str, str] = {}
    spec = settings = None
    try:
        spec = selection_spec(data)
    except SelectionInvalid as exc:
        errors |= exc.errors
    try:
        settings = ranking_settings(data)
    except SelectionInvalid as exc:
        errors |= exc.errors
    if errors:
        raise SelectionInvalid(errors)
    spec.pop("tie_decision", None)  # ties are decided on a selection, not in the plan
    return spec, settings


def plan_initial(code: str) -> dict[str, Any]:
    """The plan as form values (defaults where nothing is saved)."""
    plan = plan_for(code)
    settings = office_settings(code)
    return {
        "method": "by_count", **spec_initial(plan.selection_spec if plan else {}),
        "agg_method": settings["method"], "min_experts": settings["min_experts"],
        "trim_min_experts": settings["trim_min_experts"],
        "clause_spread_threshold": settings["clause_spread_threshold"],
        "total_spread_threshold": settings["total_spread_threshold"],
    }


# --- publication and objections --------------------------------------------------------------------

def notice_days_input(data) -> int | None:
    """公示天数 as an integer, None unless the field holds digits (``selection.publish`` names the range)."""
    raw = _text(data, "notice_days")
    return int(raw) if raw.isdigit() and len(raw) < 6 else None


def objection_input(data) -> dict[str, Any]:
    """The objection form as ``selection.record_objection``'s keyword arguments: the application's id
    (None unless a number), the date received (None unless a date, 年-月-日) and the texts, stripped."""
    raw_id = _text(data, "application")
    try:
        received_on = dt.date.fromisoformat(_text(data, "received_on"))
    except ValueError:
        received_on = None
    return {"application_id": int(raw_id) if raw_id.isdigit() else None, "received_on": received_on,
            **{name: _text(data, name) for name in ("submitter_name", "submitter_unit", "content", "handling")}}
