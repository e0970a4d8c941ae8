from zgcfund.implementation.models.contract import Commitment, CommitmentOrigin, CommitmentStatus, Contract, ContractTranche
from zgcfund.implementation.models.reports import (
                                                    CommitmentEvidence,
                                                    DueDateExtension,
                                                    Report,
                                                    ReportReminder,
                                                    ReportReview,
                                                    ReportRound,
                                                    ReportStatus,
                                                    ReportSubmission,
                                                    ReportVerdict,
                                                    RoundKind,
)

__all__ = ["Commitment", "CommitmentOrigin", "CommitmentStatus", "Contract", "ContractTranche"]
__all__ += ["CommitmentEvidence", "DueDateExtension", "Report", "ReportReminder", "ReportReview", "ReportRound",
            "ReportStatus", "ReportSubmission", "ReportVerdict", "RoundKind"]
