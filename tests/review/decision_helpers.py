"""For tests that take a selection or a contract through the office's collective decision (集体研究): the
2025 programme file asks two office approvals for each; ``approve_pending`` adds the ones still missing."""

from __future__ import annotations

from zgcfund.accounts.models.user import Role, User
from zgcfund.review.domain import decisions

PASSWORD = "Passw0rd-test"


def second_office_user(n: int = 2) -> User:
    """Another office user (created once per test database), named 钱复核 / 孙复核 …"""
    email = f"approver{n}@zgc.example"
    user = User.objects.filter(email=email).first()
    if user is None:
        from zgcfund.devtools.people import create_user

        user = create_user(email, PASSWORD, role=Role.OFFICE, full_name=f"复核{n}")
    return user


def approve_pending(subject: str, obj, approver: User | None = None):
    """Approve the open decision about ``obj`` by other office users until it is approved (``approver``
    first when given); the effect runs. Returns the decision."""
    decision = decisions.pending_for(subject, obj)
    assert decision is not None, f"no open {subject} decision about {obj!r}"
    n = 1
    while decision.is_pending:
        n += 1
        user = approver if approver is not None and n == 2 else second_office_user(n)
        decision = decisions.approve(decision, user)
    return decision
