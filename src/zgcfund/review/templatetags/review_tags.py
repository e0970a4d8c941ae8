"""Small display filters for review pages."""

from django import template
from django.utils.translation import gettext, gettext_noop

from zgcfund.core.application import PHASES

register = template.Library()
# the core's phase names, for the catalogue
PHASE_LABELS = (gettext_noop("前期工作绩效"), gettext_noop("实施期工作计划"))


@register.filter
def phase_name(code: str) -> str:
    """A record's phase ("prior" / "plan") as the form names it (前期工作绩效 / 实施期工作计划)."""
    return gettext(PHASES[code]) if code in PHASES else code
