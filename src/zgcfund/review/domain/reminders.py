"""Reminding experts of the expert-review due date (``zgcfund remind``, run daily, e.g. by cron):
``days`` days before a programme's due date (``SelectionPlan.review_due_on``) and until it, every expert
with an unsubmitted assignment in that programme gets one notice (mail and inbox) listing those
applications, once per due date (``Assignment.reminded_for``; a moved date reminds again)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable

from django.urls import reverse

from zgcfund.accounts.domain.inbox import deliver
from zgcfund.applications.domain import workflow
from zgcfund.programmes.domain import clock
from zgcfund.review.models import Assignment, SelectionPlan

DEFAULT_DAYS = 3

#: what apps above this one also do on each ``zgcfund remind`` run (installed in their AppConfig.ready):
#: ``task(report_days) -> line`` (the implementation app's report reminders)
DAILY: list[Callable[[int], str]] = []


def send_due_reminders(days: int = DEFAULT_DAYS, today: dt.date | None = None) -> int:
    """Send the reminders due today; returns how many experts were reminded."""
    today = today or clock.today()
    reminded = 0
    plans = SelectionPlan.objects.filter(review_due_on__gte=today, review_due_on__lte=today + dt.timedelta(days=days))
    for plan in plans.order_by("review_due_on", "code"):
        due = plan.review_due_on
        pending = (Assignment.objects.filter(application__programme_code=plan.code, submitted_at__isnull=True,
                                             application__status__in=workflow.EXPERT_REVIEW_PHASES,
                                             expert__is_active=True)
                   .exclude(reminded_for=due).select_related("expert", "application__organization")
                   .order_by("expert_id", "application__organization__name"))
        by_expert: dict[int, list[Assignment]] = defaultdict(list)
        for a in pending:
            by_expert[a.expert_id].append(a)
        for items in by_expert.values():
            deliver("review_due", {"due": due.isoformat(), "count": len(items),
                                   "organizations": [a.application.organization.name for a in items]},
                    key="review.due", users=[items[0].expert], link=reverse("expert:tasks"))
            Assignment.objects.filter(pk__in=[a.pk for a in items]).update(reminded_for=due)
            reminded += 1
    return reminded
