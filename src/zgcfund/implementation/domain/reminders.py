"""Reminding organizations of their report due dates (``zgcfund remind``, run daily): ``days`` days before
the (extended) due date and until it, an organization that has not submitted the round's report gets one
notice (mail and inbox), once per round, application and due date (an extension reminds again). The same
run starts the implementation (``start_implementation``, by the system) of contracts signed before today."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction

from zgcfund.applications.domain.notifications import REPORTS_PAGE, to_organization
from zgcfund.implementation.domain import reports
from zgcfund.implementation.models import ReportReminder, ReportRound
from zgcfund.programmes.domain import clock

DEFAULT_DAYS = 7


def send_report_reminders(days: int = DEFAULT_DAYS, today: dt.date | None = None) -> int:
    """Send the report reminders due today; returns how many were sent."""
    today = today or clock.today()
    sent = 0
    for report_round in ReportRound.objects.order_by("due_on", "pk"):
        for row in reports.round_rows(report_round, today):
            due, app = row["due_on"], row["application"]
            if not today <= due <= today + dt.timedelta(days=days) or (row["report"] and row["report"].status != "draft"):
                continue
            try:
                with transaction.atomic():
                    ReportReminder.objects.create(round=report_round, application=app, due_on=due, sent_at=clock.now())
            except IntegrityError:  # already reminded of this due date
                continue
            to_organization(app, "report.due_soon", "report_due_soon",
                            {"round": report_round.name, "due_on": due.isoformat(), "asks": report_round.asks},
                            page=REPORTS_PAGE)
            sent += 1
    return sent


def daily(report_days: int = DEFAULT_DAYS) -> str:
    """Installed in ``review.domain.reminders.DAILY`` (ImplementationConfig.ready): what ``zgcfund remind``
    also does each day, as a line for its output."""
    started = reports.start_due_implementations()
    sent = send_report_reminders(report_days)
    return f"已提醒 {sent} 家单位提交实施期报告；{started} 项合同转入实施。"
