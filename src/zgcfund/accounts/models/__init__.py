from zgcfund.accounts.models.organization import Invitation, Membership, Organization
from zgcfund.accounts.models.user import User

__all__ = ["Invitation", "Membership", "Organization", "User"]
