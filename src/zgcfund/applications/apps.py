from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "zgcfund.applications"
    label = "applications"
    verbose_name = _("申报与支撑材料")
    default_auto_field = "django.db.models.BigAutoField"
