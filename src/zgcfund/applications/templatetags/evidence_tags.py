from django import template

from zgcfund.applications.domain.materials import record_materials as _record_materials

register = template.Library()


@register.simple_tag
def record_materials(application, record):
    """The record's evidence as the clause's kinds of supporting material (upload slots)."""
    return _record_materials(application, record)
