from zgcfund.review.models.expert import Assignment, ClauseScore, ConflictOfInterest, RecordVerdict
from zgcfund.review.models.formal import FormalReview, RecordComment

__all__ = ["Assignment", "ClauseScore", "ConflictOfInterest", "FormalReview", "RecordComment", "RecordVerdict"]
