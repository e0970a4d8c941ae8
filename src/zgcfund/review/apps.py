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
        # confirming a selection is a collective decision (集体研究); confirm() is its effect
        from django.urls import reverse

        from zgcfund.review.domain import decisions, selection
        from zgcfund.review.models import Selection

        decisions.register("selection", Selection, lambda s, by, d: selection.confirm(s, by, d.note),
                           refusals=(selection.SelectionRefused,), check=selection.confirm_refusal,
                           url=lambda s: reverse("office:selection_detail", args=[s.pk]),
                           label=selection.decision_label, summary=selection.decision_summary,
                           programme_code=lambda s: s.code)
