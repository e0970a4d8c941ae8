from zgcfund.implementation.models.acceptance import Acceptance, AcceptanceConclusion, AcceptanceStatus
from zgcfund.implementation.models.contract import Commitment, CommitmentOrigin, CommitmentStatus, Contract, ContractTranche

__all__ = ["Acceptance", "AcceptanceConclusion", "AcceptanceStatus", "Commitment", "CommitmentOrigin",
           "CommitmentStatus", "Contract", "ContractTranche"]
