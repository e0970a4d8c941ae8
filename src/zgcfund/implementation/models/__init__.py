from zgcfund.implementation.models.contract import (
                                                    Commitment,
                                                    CommitmentOrigin,
                                                    CommitmentStatus,
                                                    Contract,
                                                    ContractStatus,
                                                    ContractTranche,
)

__all__ = ["Commitment", "CommitmentOrigin", "CommitmentStatus", "Contract", "ContractStatus", "ContractTranche"]
