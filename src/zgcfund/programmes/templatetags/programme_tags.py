"""Template filters for programme set-up pages."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def setting_value(value):
    """A switch parameter's value as 是/否 (``true``/``false`` strings or booleans); anything else as it is."""
    if value is True or value == "true":
        return _("是")
    if value is False or value == "false":
        return _("否")
    return value
