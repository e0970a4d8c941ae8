from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "zgcfund.accounts"
    label = "accounts"
    verbose_name = _("账户与申报单位")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from zgcfund.accounts import signals  # noqa: F401 - connects the security-log receivers
