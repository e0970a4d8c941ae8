"""Recording who changed what (append-only)."""

from __future__ import annotations

from typing import Any

from zgcfund.audit.models import AuditEvent, Visibility


def record_event(action: str, summary: str, *, actor=None, organization=None, application=None,
                 obj: Any = None, changes: dict | None = None, visibility: str = Visibility.OFFICE) -> AuditEvent:
    """Append an activity entry. ``visibility`` says who besides the office may read it; entries
    default to the office only (see ``Visibility``)."""
    if application is not None and organization is None:
        organization = application.organization
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        organization=organization, application=application, action=action, summary=summary[:300],
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=str(getattr(obj, "pk", "") or "") if obj is not None else "",
        changes=changes or {}, visibility=visibility,
    )


def changed_fields(before: dict, after: dict) -> dict[str, list]:
    """``{field: [old, new]}`` for the keys whose value differs."""
    return {k: [before.get(k), after.get(k)] for k in sorted(before.keys() | after.keys()) if before.get(k) != after.get(k)}
