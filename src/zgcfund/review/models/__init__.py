from zgcfund.review.models.formal import FormalReview, RecordComment

__all__ = ["FormalReview", "RecordComment"]
