"""Who may read an activity entry (django-rules). ``domain.queries.events_visible_to`` is the same rule
as a query; keep the two in step.

* the office reads every entry;
* a member of the entry's organization reads only the entries declared ORGANIZATION (its own actions
  and the outcomes told to it), never those naming experts, objectors or internal decisions;
* an expert reads only the entries it made itself (never another expert's name or submission order);
* anyone else, and any deactivated account, reads nothing."""

from __future__ import annotations

import rules

from zgcfund.accounts.models.user import Role
from zgcfund.accounts.rules import is_office
from zgcfund.audit.models import Visibility


@rules.predicate
def can_view_event(user, event) -> bool:
    if event is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if is_office(user):
        return True
    if user.role == Role.EXPERT:
        return event.actor_id == user.pk
    membership = getattr(user, "membership", None)
    return (membership is not None and event.organization_id == membership.organization_id
            and event.visibility == Visibility.ORGANIZATION)


rules.add_perm("audit.view_event", can_view_event)
