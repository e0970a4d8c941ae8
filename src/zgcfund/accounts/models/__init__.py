from zgcfund.accounts.models.inbox import InboxNotice
from zgcfund.accounts.models.organization import Invitation, Membership, Organization
from zgcfund.accounts.models.pending import PendingRegistration
from zgcfund.accounts.models.session import UserSession
from zgcfund.accounts.models.user import User

__all__ = ["InboxNotice", "Invitation", "Membership", "Organization", "PendingRegistration", "User", "UserSession"]
