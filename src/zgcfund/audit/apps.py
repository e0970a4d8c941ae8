from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "zgcfund.audit"
    label = "audit"
    verbose_name = _("操作记录")
    default_auto_field = "django.db.models.BigAutoField"
