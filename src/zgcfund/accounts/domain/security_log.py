"""Reading and pruning the security log (audit.SecurityEvent). Entries are kept at least 180 days
(网络安全法 §21(3): network logs at least six months), whatever the settings say."""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from zgcfund.audit.models import SecurityEvent

MIN_RETENTION_DAYS = 180

log = logging.getLogger("zgcfund.security")


def retention_days(days: int | None = None) -> int:
    """``days`` (or settings.SECURITY_LOG_RETENTION_DAYS), never below 180."""
    if days is None:
        days = getattr(settings, "SECURITY_LOG_RETENTION_DAYS", MIN_RETENTION_DAYS)
    return max(MIN_RETENTION_DAYS, int(days))


def prune(days: int | None = None, *, now: dt.datetime | None = None) -> tuple[int, dt.datetime]:
    """Delete entries older than the retention period; returns how many and the cut-off time."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=retention_days(days))
    deleted, _ = SecurityEvent.objects.filter(at__lt=cutoff).delete()
    log.info("security log pruned: %s entries before %s", deleted, cutoff.isoformat())
    return deleted, cutoff


def search(*, kind: str = "", who: str = "", address: str = "", date_from: dt.date | None = None,
           date_to: dt.date | None = None) -> QuerySet[SecurityEvent]:
    """Entries by kind, user or e-mail tried (part of the name or e-mail), client address (a whole address,
    or its beginning such as ``10.1.``) and dates (inclusive, Beijing time), newest first."""
    events = SecurityEvent.objects.select_related("user")
    if kind:
        events = events.filter(kind=kind)
    who = who.strip()
    if who:
        events = events.filter(Q(identity__icontains=who) | Q(user__email__icontains=who)
                               | Q(user__full_name__icontains=who))
    address = address.strip()
    if address:
        try:
            events = events.filter(address=str(ipaddress.ip_address(address)))
        except ValueError:
            events = events.filter(address__startswith=address)
    if date_from:
        events = events.filter(at__date__gte=date_from)
    if date_to:
        events = events.filter(at__date__lte=date_to)
    return events.order_by("-at", "-id")
