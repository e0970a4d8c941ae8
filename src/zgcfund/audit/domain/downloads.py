"""Every export or download of personal data is recorded: an activity entry for the office (who, when,
what, of which application or organization) and a security-log entry (with the client's address)."""

from __future__ import annotations

from typing import Any

from zgcfund.audit.domain import record_event
from zgcfund.audit.domain.security import SecurityEventKind, record_security_event
from zgcfund.audit.models import AuditEvent, Visibility


def record_download(request, action: str, summary: str, *, application=None, organization=None,
                    obj: Any = None, changes: dict | None = None) -> AuditEvent:
    """``action`` is ``export.<what>`` (a table built for the download) or ``download.<what>`` (a stored
    file or document). Office-only: downloads are access records, not the applicant's history."""
    event = record_event(action, summary, actor=request.user, organization=organization, application=application,
                         obj=obj, changes={"path": request.path[:300], **(changes or {})},
                         visibility=Visibility.OFFICE)
    record_security_event(SecurityEventKind.PERSONAL_DATA, request, status=200, detail=f"{action}: {summary}")
    return event
