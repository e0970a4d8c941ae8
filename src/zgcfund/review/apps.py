from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewConfig(AppConfig):
    name = "zgcfund.review"
    label = "review"
    verbose_name = _("评审")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # applications (below this app) shows the returning formal review's comments to the applicant
        from zgcfund.applications.domain import feedback
        from zgcfund.review.domain.formal import open_comments

        feedback.open_comments = open_comments
