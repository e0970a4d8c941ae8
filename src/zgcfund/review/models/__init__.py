from zgcfund.review.models.decisions import Approval, Decision, DecisionStatus, DecisionSubject, Verdict
from zgcfund.review.models.expert import Assignment, ClauseScore, ConflictOfInterest, RecordVerdict
from zgcfund.review.models.formal import FormalReview, RecordComment
from zgcfund.review.models.ranking import RankingEvaluation, SelectionPlan
from zgcfund.review.models.selection import Objection, Selection

__all__ = ["Approval", "Assignment", "ClauseScore", "ConflictOfInterest", "Decision", "DecisionStatus",
           "DecisionSubject", "FormalReview", "Objection", "RankingEvaluation",
           "RecordComment", "RecordVerdict", "Selection", "SelectionPlan", "Verdict"]
