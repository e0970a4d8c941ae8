"""The office's selection plan for a programme (``SelectionPlan``): the number or budget to fund
(the selection page's defaults, the core's spec) and how experts' scores are aggregated. Audited."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from zgcfund.audit.domain import record_event
from zgcfund.audit.models import Visibility
from zgcfund.core.ranking import AggregationConfig, RankingInputError
from zgcfund.review.domain.ranking import DEFAULT_SETTINGS, office_settings
from zgcfund.review.domain.selection import METHOD_NAMES, SelectionInvalid, spec_from_form
from zgcfund.review.models import SelectionPlan

AGGREGATION_METHODS = {"mean": gettext_lazy("算术平均"), "trimmed_mean": gettext_lazy("去掉一个最高分和一个最低分后平均")}


def plan_for(code: str) -> SelectionPlan | None:
    return SelectionPlan.objects.filter(code=code).first()


def _int(data, name: str, label: str, low: int, errors: dict[str, str]) -> int | None:
    raw = (data.get(name) or "").strip()
    try:
        value = int(raw)
        if value < low:
            raise ValueError
        return value
    except ValueError:
        errors[name] = _("%(label)s：请填写不小于 %(low)s 的整数（收到“%(raw)s”）。") % {"label": label, "low": low, "raw": raw}
        return None


def _decimal(data, name: str, label: str, errors: dict[str, str]) -> str | None:
    raw = (data.get(name) or "").strip()
    try:
        value = Decimal(raw)
        if not value.is_finite() or value < 0:
            raise InvalidOperation
        return str(value)
    except InvalidOperation:
        errors[name] = _("%(label)s：请填写不小于 0 的数字（收到“%(raw)s”）。") % {"label": label, "raw": raw}
        return None


def ranking_settings_from_form(data) -> dict[str, Any]:
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


def spec_initial(spec: dict) -> dict[str, Any]:
    """Selection form values from a core spec."""
    out = {k: spec[k] for k in ("method", "n", "budget", "amount_per_application", "cap_per_organization") if spec.get(k)}
    for i, band in enumerate(spec.get("bands", []), start=1):
        out |= {f"band{i}_name": band["name"], f"band{i}_first": band["ranks"][0], f"band{i}_last": band["ranks"][1],
                f"band{i}_amount": band["amount"]}
    return out


def form_initial(code: str) -> dict[str, Any]:
    """The plan as form values (defaults where nothing is saved)."""
    plan = plan_for(code)
    settings = office_settings(code)
    initial: dict[str, Any] = {
        "method": "by_count", **spec_initial(plan.selection_spec if plan else {}),
        "agg_method": settings["method"], "min_experts": settings["min_experts"],
        "trim_min_experts": settings["trim_min_experts"],
        "clause_spread_threshold": settings["clause_spread_threshold"],
        "total_spread_threshold": settings["total_spread_threshold"],
    }
    return initial


def save_plan(code: str, data, by) -> SelectionPlan:
    errors: dict[str, str] = {}
    spec = settings = None
    try:
        spec = spec_from_form(data)
    except SelectionInvalid as exc:
        errors |= exc.errors
    try:
        settings = ranking_settings_from_form(data)
    except SelectionInvalid as exc:
        errors |= exc.errors
    if errors:
        raise SelectionInvalid(errors)
    spec.pop("tie_decision", None)  # ties are decided on a selection, not in the plan
    with transaction.atomic():
        plan, _created = SelectionPlan.objects.select_for_update().get_or_create(code=code)
        before = {"selection_spec": plan.selection_spec, "ranking_settings": plan.ranking_settings}
        plan.selection_spec, plan.ranking_settings = spec, {**{k: v for k, v in DEFAULT_SETTINGS.items()
                                                               if k in ("missing", "tie_keys")}, **settings}
        plan.updated_by, plan.updated_at = by, timezone.now()
        plan.save()
        record_event("programme.plan", _("设置遴选计划：%(method)s；专家评分%(agg)s，至少 %(n)s 位专家")
                     % {"method": METHOD_NAMES[spec["method"]], "agg": AGGREGATION_METHODS[settings["method"]],
                        "n": settings["min_experts"]},
                     actor=by, obj=plan, changes={"code": code, "before": before,
                                                  "after": {"selection_spec": spec, "ranking_settings": settings}},
                     visibility=Visibility.OFFICE)
    return plan
