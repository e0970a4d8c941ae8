from zgcfund.implementation.models.acceptance import Acceptance, AcceptanceConclusion, AcceptanceStatus
from zgcfund.implementation.models.contract import (
                                                   Commitment,
                                                   CommitmentOrigin,
                                                   CommitmentStatus,
                                                   Contract,
                                                   ContractStatus,
                                                   ContractTranche,
)
from zgcfund.implementation.models.funds import Disbursement, DisbursementStatus, Refund
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
from zgcfund.implementation.models.revenue import RevenueTable

__all__ = ["Acceptance", "AcceptanceConclusion", "AcceptanceStatus", "Commitment", "CommitmentOrigin",
           "CommitmentStatus", "Contract", "ContractStatus", "ContractTranche", "Disbursement", "Refund", "RevenueTable"]
__all__ += ["CommitmentEvidence", "DueDateExtension", "Report", "ReportReminder", "ReportReview", "ReportRound",
            "ReportStatus", "ReportSubmission", "ReportVerdict", "RoundKind"]
__all__ += ["DisbursementStatus"]
