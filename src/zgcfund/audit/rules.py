"""Who may read an activity entry (django-rules). ``domain.queries.events_visible_to`` is the same rule
as a query; keep the two in step.

* the office reads every entry;
* a member of the entry's organization reads only the entries declared ORGANIZATION (its own actions
  and the outcomes told to it), never those naming experts, objectors or internal decisions;
* a user outside any organization (an expert) reads only the entries it made itself (never another
  expert's name or submission order);
* an anonymous or deactivated account reads nothing.

An application's activity list (``audit.view_history``) is open to the office and the organization's users.

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


@rules.predicate
def is_office_user(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_office)


@rules.predicate
def is_member_of_application_organization(user, application) -> bool:
    if application is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    membership = getattr(user, "membership", None)
    return membership is not None and membership.organization_id == application.organization_id


# An application's activity list: the office (all entries) and the organization's users (its own entries,
# ``events_visible_to``); never an expert, even one assigned to review the application.
can_view_history = is_office_user | is_member_of_application_organization

rules.add_perm("audit.view_event", can_view_event)
rules.add_perm("audit.view_history", can_view_history)
rules.add_perm("audit.view_decision_history", is_office_user)  # the office's page of one application's decisions
