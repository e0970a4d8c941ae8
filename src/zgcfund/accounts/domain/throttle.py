"""Login throttling (等保: login-failure handling), kept in Django's cache:

* per e-mail: after 5 failed logins for one e-mail address within 15 minutes, logins for that address
  are refused for 15 minutes, whether or not an account exists;
* per client address: failed logins from one client, for any accounts, are counted under
  ``ratelimit.LOGIN_ADDRESS``; over the limit the client may not try to log in at all, so it can
  neither spray passwords across accounts nor lock every account. IPv6 clients count per /64."""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import time

from django.core.cache import cache

from zgcfund.accounts.domain import ratelimit

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


def address_key(address: str | None) -> str:
    """The rate-limit key of a client address (an IPv6 client's whole /64 counts as one)."""
    if not address:
        return "address:unknown"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "address:unknown"
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return f"address:{ip.ipv4_mapped}"
        return f"address:{ipaddress.ip_network(f'{ip}/64', strict=False)}"
    return f"address:{ip}"


def address_locked_for(address: str | None) -> int:
    """Seconds until logins from ``address`` are accepted again; 0 if not locked."""
    return ratelimit.wait_seconds(ratelimit.LOGIN_ADDRESS, address_key(address))


def record_address_failure(address: str | None) -> bool:
    """Count a failed login from ``address``; True if the address is now locked."""
    ratelimit.hit(ratelimit.LOGIN_ADDRESS, address_key(address))
    locked = bool(address_locked_for(address))
    if locked:
        log.warning("login locked for client %s after %s failures", address_key(address),
                    ratelimit.LOGIN_ADDRESS.max_hits)
    return locked
