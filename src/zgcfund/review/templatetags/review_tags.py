"""Small display filters for review pages."""

from django import template

from zgcfund.applications.models import RecordPhase

register = template.Library()


@register.filter
def phase_name(code: str) -> str:
    """A record's phase ("prior" / "plan") as the form names it (前期工作绩效 / 实施期内工作计划)."""
    return RecordPhase(code).label if code in RecordPhase.values else code
