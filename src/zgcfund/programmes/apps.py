from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    name = "zgcfund.programmes"
    label = "programmes"
    verbose_name = _("项目年度")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # accounts (below this app) reads the admitted registration types from the current version
        from zgcfund.accounts.domain import eligibility
        from zgcfund.programmes.domain.loading import current_or_packaged

        eligibility.programme_source = current_or_packaged
