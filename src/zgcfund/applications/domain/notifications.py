"""Notifications the workflow queues (``workflow.Transition.notify``), dispatched after commit.

``SENDERS`` maps a notification key to the function that sends it (an e-mail through
``accounts.domain.mail``). No application e-mail exists yet: keys without a sender are logged as not
yet implemented. A sender never raises into the request: the change is already committed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

log = logging.getLogger("zgcfund.notifications")

# key -> sender(application, event) -> bool (sent)
SENDERS: dict[str, Callable] = {}


def dispatch(key: str, application_id: int, event_id: int | None = None) -> bool:
    """Send the notification ``key`` about an application (called on commit). False when not sent."""
    sender = SENDERS.get(key)
    if sender is None:
        log.info("notification %s for application %s: no sender yet (not implemented)", key, application_id)
        return False
    from zgcfund.applications.models import Application
    from zgcfund.audit.models import AuditEvent

    application = Application.objects.select_related("organization").filter(pk=application_id).first()
    event = AuditEvent.objects.filter(pk=event_id).first() if event_id else None
    if application is None:
        return False
    try:
        return bool(sender(application, event))
    except Exception:
        log.exception("notification %s for application %s failed", key, application_id)
        return False
