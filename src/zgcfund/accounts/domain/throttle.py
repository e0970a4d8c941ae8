"""Login throttling: after 5 failed logins for one e-mail address within 15 minutes, logins for that
address are refused for 15 minutes (等保: login-failure handling). Kept in Django's cache, keyed by
a hash of the address; the count is per address whether or not an account exists."""

from __future__ import annotations

import hashlib
import logging
import time

from django.core.cache import cache

MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60
LOCK_SECONDS = 15 * 60

log = logging.getLogger("zgcfund.security")


def _now() -> float:
    return time.time()


def _key(kind: str, email: str) -> str:
    return f"zgcfund:login-{kind}:" + hashlib.sha256((email or "").strip().lower().encode("utf-8")).hexdigest()


def locked_for(email: str) -> int:
    """Seconds until logins for ``email`` are accepted again; 0 if not locked."""
    until = cache.get(_key("lock", email))
    return max(0, int(until - _now()) + 1) if until and until > _now() else 0


def record_failure(email: str) -> bool:
    """Count a failed login; True if this failure locks the address."""
    now = _now()
    key = _key("fail", email)
    failures = [t for t in cache.get(key, []) if t > now - WINDOW_SECONDS] + [now]
    if len(failures) >= MAX_FAILURES:
        cache.set(_key("lock", email), now + LOCK_SECONDS, LOCK_SECONDS)
        cache.delete(key)
        log.warning("login locked for %s minutes after %s failures (address hash %s)", LOCK_SECONDS // 60,
                    len(failures), key.rsplit(":", 1)[1][:12])
        return True
    cache.set(key, failures, WINDOW_SECONDS)
    return False


def clear(email: str) -> None:
    cache.delete_many([_key("fail", email), _key("lock", email)])
