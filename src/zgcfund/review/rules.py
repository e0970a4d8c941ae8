"""Permission predicates (django-rules) for expert review. The office's review pages ask
``accounts.access_office`` (``office_required``)."""

from __future__ import annotations

import rules

from zgcfund.accounts.rules import is_expert, is_office


@rules.predicate
def is_expert_of_assignment(user, assignment) -> bool:
    """The expert the assignment was given to (its frozen submission, its scores)."""
    return assignment is not None and is_expert(user) and assignment.expert_id == user.pk


rules.add_perm("review.view_tasks", is_expert)
rules.add_perm("review.declare_conflict", is_expert)
rules.add_perm("review.review_assignment", is_expert_of_assignment)

# the office's collective decisions (集体研究): office users only; an applicant never sees them
rules.add_perm("review.view_decisions", is_office)
