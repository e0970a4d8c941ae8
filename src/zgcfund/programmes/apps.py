from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    name = "zgcfund.programmes"
    label = "programmes"
    verbose_name = _("项目年度")
    default_auto_field = "django.db.models.BigAutoField"
