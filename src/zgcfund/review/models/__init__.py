from zgcfund.review.models.expert import Assignment, ClauseScore, ConflictOfInterest, RecordVerdict
from zgcfund.review.models.formal import FormalReview, RecordComment
from zgcfund.review.models.selection import Objection, Selection

__all__ = ["Assignment", "ClauseScore", "ConflictOfInterest", "FormalReview", "Objection", "RecordComment", "RecordVerdict",
           "Selection"]
