"""Activity entries a user may read, filtered in SQL; the same rule as ``audit.rules.can_view_event``."""

from __future__ import annotations

from django.db.models import QuerySet

from zgcfund.audit.models import AuditEvent, Visibility


def events_visible_to(user, application=None) -> QuerySet[AuditEvent]:
    """The entries ``user`` may read (``audit.view_event`` as a query), newest first; of ``application``
    only when given. The caller checks ``audit.view_history`` on the application first."""
    qs = AuditEvent.objects.select_related("actor")
    if application is not None:
        qs = qs.filter(application=application)
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.is_office:
        return qs
    membership = getattr(user, "membership", None)
    if membership is None:  # an expert: its own entries only
        return qs.filter(actor=user)
    return qs.filter(organization_id=membership.organization_id, visibility=Visibility.ORGANIZATION)
