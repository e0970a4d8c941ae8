from zgcfund.implementation.models.contract import Commitment, CommitmentOrigin, CommitmentStatus, Contract, ContractTranche
from zgcfund.implementation.models.funds import Disbursement, Refund

__all__ = ["Commitment", "CommitmentOrigin", "CommitmentStatus", "Contract", "ContractTranche", "Disbursement",
           "Refund"]
