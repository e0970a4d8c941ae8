"""Password rule a government system expects: letters and digits (on top of length ≥ 10,
not common, not like the user's own details — see AUTH_PASSWORD_VALIDATORS)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class CharacterClassValidator:
    def validate(self, password: str, user=None) -> None:
        if not any(c.isalpha() for c in password) or not any(c.isdigit() for c in password):
            raise ValidationError(_("密码须同时包含字母和数字。"), code="password_character_classes")

    def get_help_text(self) -> str:
        return _("密码须同时包含字母和数字。")
