"""Delete security-log entries older than the retention period (never less than 180 days)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from zgcfund.accounts.domain import security_log


class Command(BaseCommand):
    help = ("Delete security-log entries older than SECURITY_LOG_RETENTION_DAYS (or --days); "
            f"never fewer than {security_log.MIN_RETENTION_DAYS} days are kept (网络安全法 §21(3)).")

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, help="keep this many days (at least "
                            f"{security_log.MIN_RETENTION_DAYS}; default: SECURITY_LOG_RETENTION_DAYS)")

    def handle(self, *args, days=None, **options):
        if days is not None and days < security_log.MIN_RETENTION_DAYS:
            raise CommandError(f"--days {days}: security logs are kept at least "
                               f"{security_log.MIN_RETENTION_DAYS} days (网络安全法 §21(3)).")
        deleted, cutoff = security_log.prune(days)
        self.stdout.write(f"Deleted {deleted} security-log entries older than {cutoff:%Y-%m-%d %H:%M %Z} "
                          f"({security_log.retention_days(days)} days kept).")
