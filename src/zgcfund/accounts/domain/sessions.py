"""Which sessions a user is signed in with: each login records its session key, each logout forgets
it, and ``end_sessions`` deletes them all (deactivation, removal from an organization). Independently,
Django's ModelBackend refuses a session of an inactive user on its next request."""

from __future__ import annotations

import logging
from importlib import import_module

from django.conf import settings
from django.db import DatabaseError, transaction

from zgcfund.accounts.models import UserSession

log = logging.getLogger("zgcfund.security")


def _store_class():
    return import_module(settings.SESSION_ENGINE).SessionStore


def track(request, user) -> None:
    """Record the session ``user`` has just signed in with (called on user_logged_in)."""
    key = getattr(getattr(request, "session", None), "session_key", None)
    if not key or user is None or user.pk is None:
        return
    try:
        with transaction.atomic():
            UserSession.objects.update_or_create(session_key=key, defaults={"user": user})
            store = _store_class()
            gone = [k for k in UserSession.objects.filter(user=user).exclude(session_key=key)
                    .values_list("session_key", flat=True) if not store().exists(k)]  # expired meanwhile
            UserSession.objects.filter(session_key__in=gone).delete()
    except DatabaseError:  # the login itself must not fail; an inactive user's session is refused anyway
        log.exception("could not record the session of user %s", user.pk)


def forget(request) -> None:
    """Drop the record of the current session (called on user_logged_out, before the session is flushed)."""
    key = getattr(getattr(request, "session", None), "session_key", None)
    if key:
        UserSession.objects.filter(session_key=key).delete()


def end_sessions(user) -> int:
    """Delete every recorded session of ``user``; it is signed out on its next request. Returns how many."""
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    store = _store_class()
    for key in keys:
        store().delete(key)
    UserSession.objects.filter(user=user).delete()
    return len(keys)
