"""Remind experts of the expert-review due date (``zgcfund remind [--days N]``; run once a day)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from zgcfund.review.domain.reminders import DAILY, DEFAULT_DAYS, send_due_reminders


class Command(BaseCommand):
    help = ("Remind experts with unsubmitted reviews, from N days before a programme's expert-review due date "
            "(set on the office's assignment page) until that day; once per expert and due date.")

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=DEFAULT_DAYS,
                            help=f"start reminding this many days before the due date (default {DEFAULT_DAYS})")
        parser.add_argument("--report-days", type=int, default=7,
                            help="remind organizations of a report this many days before its due date (default 7)")

    def handle(self, *args, days, report_days, **options):
        if days < 0 or report_days < 0:
            raise CommandError("--days and --report-days must be 0 or more")
        n = send_due_reminders(days)
        self.stdout.write(f"已提醒 {n} 位评审专家。")
        for task in DAILY:
            self.stdout.write(task(report_days))
