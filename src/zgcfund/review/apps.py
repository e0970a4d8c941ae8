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

        # the selection's outcome at publication is worded here (the notice period's last day)
        from zgcfund.applications.domain import notifications
        from zgcfund.review.domain.notify import SENDERS

        notifications.SENDERS.update(SENDERS)
        # … and, once the selection is published, whether it was selected (the status page)
        from zgcfund.applications.domain import outcome
        from zgcfund.review.domain.selection import applicant_outcome

        outcome.published_outcome = applicant_outcome
