"""The programme clock: the date and time the programme's rules see (application date, windows).

Normally the real time. A demo or training installation may set ZGCFUND_CLOCK_DATE (YYYY-MM-DD) so
that a past programme year runs as it did then: the clock shows that date, and time of day moves on.
Authentication, sessions and audit timestamps always use the real time.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone


def simulated_date() -> dt.date | None:
    value = getattr(settings, "ZGCFUND_CLOCK_DATE", None)
    return dt.date.fromisoformat(value) if isinstance(value, str) and value else value or None


def now() -> dt.datetime:
    real = timezone.now()
    day = simulated_date()
    if day is None:
        return real
    return real + dt.timedelta(days=(day - timezone.localdate(real)).days)


def today() -> dt.date:
    return timezone.localdate(now())
