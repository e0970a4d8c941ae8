from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewConfig(AppConfig):
    name = "zgcfund.review"
    label = "review"
    verbose_name = _("评审")
    default_auto_field = "django.db.models.BigAutoField"
