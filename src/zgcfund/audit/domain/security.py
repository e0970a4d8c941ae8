"""The security log: logins, failures, lock-outs, refusals, rate limits, server errors and personal-data
downloads, each with user, client address and time (网络安全法 §21(3); 等保 2.0 audit records).

Every entry also goes to the ``zgcfund.security`` logger, so a deployment's log shipping sees it even
when the database write fails (as it may while answering a server error)."""

from __future__ import annotations

import ipaddress
import logging

from django.conf import settings
from django.db import DatabaseError

from zgcfund.audit.models import SecurityEvent, SecurityEventKind

log = logging.getLogger("zgcfund.security")

__all__ = ["SecurityEventKind", "client_address", "record_security_event"]


def _valid_ip(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_address(request) -> str | None:
    """The client's IP address. Behind a reverse proxy (``ZGCFUND_TRUSTED_PROXIES`` = number of proxies
    that append to X-Forwarded-For), the address that many hops from the right; else REMOTE_ADDR."""
    if request is None:
        return None
    hops = getattr(settings, "ZGCFUND_TRUSTED_PROXIES", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if hops and forwarded:
        parts = [p for p in (s.strip() for s in forwarded.split(",")) if p]
        if len(parts) >= hops:
            address = _valid_ip(parts[-hops])
            if address:
                return address
    return _valid_ip(request.META.get("REMOTE_ADDR", ""))


def record_security_event(kind: str, request=None, *, user=None, identity: str = "", status: int | None = None,
                          detail: str = "") -> SecurityEvent | None:
    """Append a security-log entry; never raises (a failing log must not turn a refusal into a 500)."""
    if user is None and request is not None:
        user = getattr(request, "user", None)
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    address = client_address(request)
    method = request.method[:8] if request is not None and request.method else ""
    path = request.path[:300] if request is not None else ""
    log.info("%s user=%s identity=%s address=%s %s %s status=%s %s", kind, getattr(user, "pk", None),
             identity, address, method, path, status, detail)
    try:
        return SecurityEvent.objects.create(kind=kind, user=user, identity=identity[:254], address=address,
                                            method=method, path=path, status=status, detail=detail[:500])
    except DatabaseError:
        log.exception("could not store security event %s", kind)
        return None
