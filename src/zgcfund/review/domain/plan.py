"""The office's selection plan for a programme (``SelectionPlan``): the number or budget to fund
(the selection page's defaults, the core's spec) and how experts' scores are aggregated. Audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from zgcfund.audit.domain import record_event
from zgcfund.audit.models import Visibility
from zgcfund.core.ranking import AggregationConfig, RankingInputError
from zgcfund.review.domain.ranking import DEFAULT_SETTINGS, office_settings
from zgcfund.review.domain.selection import METHOD_NAMES, SelectionInvalid
from zgcfund.review.models import SelectionPlan

AGGREGATION_METHODS = {"mean": gettext_lazy("算术平均"), "trimmed_mean": gettext_lazy("去掉一个最高分和一个最低分后平均")}


def plan_for(code: str) -> SelectionPlan | None:
    return SelectionPlan.objects.filter(code=code).first()


def required_experts(code: str) -> int:
    """How many experts' submitted reviews an application of ``code`` needs to be ranked: the plan's
    aggregation minimum (``min_experts``), else the ranking settings' default."""
    return int(office_settings(code)["min_experts"])


@dataclass(frozen=True)
class Staffing:
    """One application's experts against the required number (the assignment pages)."""

    required: int
    assigned: int
    submitted: int

    @property
    def too_few_assigned(self) -> bool:
        return self.assigned < self.required

    @property
    def too_few_submitted(self) -> bool:
        return self.submitted < self.required

    @property
    def to_assign(self) -> int:
        return max(self.required - self.assigned, 0)

    @property
    def short(self) -> bool:
        return self.too_few_assigned or self.too_few_submitted


def staffing(assignments, required: int) -> Staffing:
    """``assignments``: the application's Assignment rows (already fetched)."""
    assignments = list(assignments)
    return Staffing(required, len(assignments), sum(1 for a in assignments if a.is_submitted))


def save_plan(code: str, spec: dict[str, Any], settings: dict[str, Any], by) -> SelectionPlan:
    """Save the selection spec (the core's, as ``interfaces.forms.selection_plan`` reads it) and the
    ranking settings; raises SelectionInvalid when the settings do not make a valid aggregation."""
    try:
        AggregationConfig.from_dict(settings)
    except RankingInputError as exc:
        raise SelectionInvalid({"agg_method": pgettext("list separator", "；").join(exc.problems)}) from None
    spec = {k: v for k, v in spec.items() if k != "tie_decision"}  # ties are decided on a selection, not in the plan
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


def set_review_due(code: str, day, by) -> SelectionPlan:
    """Set (or clear, with None) the optional expert-review due date of a programme: new assignments'
    mails name it, and ``zgcfund remind`` reminds experts with unsubmitted reviews before it. Audited."""
    with transaction.atomic():
        plan, _created = SelectionPlan.objects.select_for_update().get_or_create(code=code)
        before = plan.review_due_on
        if before == day:
            return plan
        plan.review_due_on = day
        plan.updated_by, plan.updated_at = by, timezone.now()
        plan.save(update_fields=["review_due_on", "updated_by", "updated_at"])
        summary = (_("设置专家评审截止日：%(day)s") % {"day": day.isoformat()} if day is not None
                   else _("取消专家评审截止日"))
        record_event("programme.review_due", summary, actor=by, obj=plan,
                     changes={"code": code, "review_due_on": [before.isoformat() if before else None,
                                                              day.isoformat() if day else None]},
                     visibility=Visibility.OFFICE)
    return plan


def review_due_dates(codes) -> dict[str, dt.date]:
    """The expert-review due date the office set per programme code (programmes without one left out)."""
    return dict(SelectionPlan.objects.filter(code__in=set(codes), review_due_on__isnull=False)
                .values_list("code", "review_due_on"))
