"""Rate limits for actions that cost the office or other users something: registration, invitations,
uploads, password resets. Counted in the shared cache per limit and key (an address, a user, an
organization); a sliding window like the login throttle (accounts.domain.throttle).

    wait = ratelimit.hit(ratelimit.UPLOAD, f"user:{user.pk}")
    if wait: ... refuse with ratelimit.message(wait)
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Limit:
    name: str
    max_hits: int
    window_seconds: int


# Declared once here; callers look them up at call time, so a test may replace one (monkeypatch).
REGISTRATION = Limit("registration", 5, 3600)            # per client address
INVITATION = Limit("invitation", 30, 24 * 3600)          # per organization
UPLOAD = Limit("upload", 120, 3600)                      # per user
NOTICE = Limit("notice", 60, 3600)                       # pre-registration notices lodged, per organization
PASSWORD_RESET = Limit("password_reset", 5, 3600)        # per client address
LOGIN_ADDRESS = Limit("login_address", 30, 15 * 60)      # failed logins per client address, any account


def _now() -> float:
    return time.time()


def _key(limit: Limit, key: str) -> str:
    return f"zgcfund:rate-{limit.name}:" + hashlib.sha256(key.encode("utf-8")).hexdigest()


def _recent(limit: Limit, key: str) -> list[float]:
    now = _now()
    return [t for t in cache.get(_key(limit, key), []) if t > now - limit.window_seconds]


def wait_seconds(limit: Limit, key: str) -> int:
    """Seconds until one more attempt is allowed under ``limit`` for ``key``; 0 if allowed now."""
    if limit.max_hits <= 0:
        return limit.window_seconds  # a limit of none: always refused
    hits = _recent(limit, key)
    if len(hits) < limit.max_hits:
        return 0
    return max(1, int(hits[-limit.max_hits] + limit.window_seconds - _now()) + 1)


def hit(limit: Limit, key: str) -> int:
    """Count one attempt; return 0 if it is allowed, else the seconds to wait (the attempt is not counted)."""
    wait = wait_seconds(limit, key)
    if wait:
        return wait
    cache.set(_key(limit, key), [*_recent(limit, key), _now()], limit.window_seconds)
    return 0


def reset(limit: Limit, key: str) -> None:
    cache.delete(_key(limit, key))


def message(wait: int) -> str:
    minutes = max(1, (wait + 59) // 60)
    return _("操作过于频繁，请 %(minutes)s 分钟后再试。") % {"minutes": minutes}
