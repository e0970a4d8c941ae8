"""Who may read an activity entry (django-rules). ``domain.queries.events_visible_to`` is the same rule
as a query; keep the two in step.

* the office reads every entry;
* a member of the entry's organization reads only the entries declared ORGANIZATION (its own actions
  and the outcomes told to it), never those naming experts, objectors or internal decisions;
* a user outside any organization (an expert) reads only the entries it made itself (never another
  expert's name or submission order);
* an anonymous or deactivated account reads nothing.

Decided by the user's membership, not its role name, so audit (below accounts) imports no accounts code."""

from __future__ import annotations

import rules

from zgcfund.audit.models import Visibility


@rules.predicate
def can_view_event(user, event) -> bool:
    if event is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_office:
        return True
    membership = getattr(user, "membership", None)
    if membership is None:
        return event.actor_id == user.pk
    return event.organization_id == membership.organization_id and event.visibility == Visibility.ORGANIZATION


rules.add_perm("audit.view_event", can_view_event)
