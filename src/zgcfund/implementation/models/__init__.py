from zgcfund.implementation.models.contract import Commitment, CommitmentStatus, Contract, ContractTranche

__all__ = ["Commitment", "CommitmentStatus", "Contract", "ContractTranche"]
