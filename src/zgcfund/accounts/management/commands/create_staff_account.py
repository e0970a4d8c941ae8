"""Create an expert's, an office user's or a finance user's account from the command line, e.g. the first
office user of a new installation. Like the office's page (/office/accounts/new/), the account has no password: its owner
is mailed a one-time link to set one (in development the console mail backend prints it)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from zgcfund.accounts.domain.staff import SET_PASSWORD_DAYS, StaffAccountRefused, create_staff_account
from zgcfund.accounts.models.user import Role

DEVELOPMENT_URL = "http://127.0.0.1:8000"


def default_site_url() -> str:
    """Production: https:// and the first of ZGCFUND_ALLOWED_HOSTS; development: the runserver address."""
    if settings.PRODUCTION and settings.ALLOWED_HOSTS:
        host = settings.ALLOWED_HOSTS[0].lstrip(".")
        if host and "*" not in host:
            return f"https://{host}"
        return ""
    return DEVELOPMENT_URL


class Command(BaseCommand):
    help = (f"Create an expert's, office or finance user's account; a link to set its password, valid "
            f"{SET_PASSWORD_DAYS} days, is mailed to the address (the console mail backend prints it in development).")

    def add_arguments(self, parser):
        parser.add_argument("--role", required=True, choices=[Role.EXPERT.value, Role.OFFICE.value, Role.FINANCE.value])
        parser.add_argument("--email", required=True, help="login e-mail address")
        parser.add_argument("--name", required=True, help="full name (姓名)")
        parser.add_argument("--phone", default="", help="mobile or landline number (optional)")
        parser.add_argument("--site-url", default="",
                            help="the site's address for the mailed link (default: https:// and the first of "
                                 f"ZGCFUND_ALLOWED_HOSTS in production, {DEVELOPMENT_URL} in development)")

    def handle(self, *args, role, email, name, phone, site_url, **options):
        base = (site_url or default_site_url()).rstrip("/")
        if not base.startswith(("http://", "https://")):
            raise CommandError("--site-url is needed: the address users open the site at, e.g. https://zgcfund.example.cn")
        try:
            outcome = create_staff_account(None, role, email, name, phone, absolute_url=lambda path: base + path,
                                           by_command=True)
        except StaffAccountRefused as exc:
            raise CommandError(f"{exc.field or 'error'}: {exc.message}") from None
        user = outcome.user
        if outcome.sent is False:
            raise CommandError(f"Created the {role} account {user.email} (id {user.pk}), but the mail could not be "
                               f"sent; an office user can send a new link from /office/accounts/{user.pk}/, "
                               f"or set a password with `manage.py changepassword {user.email}`.")
        self.stdout.write(f"Created the {role} account {user.email} (id {user.pk}). A link to set its password, "
                          f"valid {SET_PASSWORD_DAYS} days, was mailed to {user.email}.")
