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


@register.filter
def rule_label(rule_id, programme=None):
    """A rule ID for people: its Chinese name first, the ID only as a small secondary tag.
    ``programme`` (a core Programme) when the page has it; otherwise the current programme."""
    from django.utils.html import format_html

    if not rule_id:
        return ""
    if programme is None or not hasattr(programme, "rule_name"):
        from zgcfund.programmes.domain.loading import current_or_packaged

        programme = current_or_packaged()
    name = programme.rule_name(str(rule_id))
    if name == rule_id:
        return format_html('<span class="rule-tag">{}</span>', rule_id)
    return format_html('<span class="rule-name">{}</span> <span class="rule-tag" title="{}">{}</span>',
                       name, _("规则编号"), rule_id)


@register.filter
def rule_text(rule_id, programme=None):
    """The plain-text form of ``rule_label`` (PDFs, exports): 名称（ID）."""
    if not rule_id:
        return ""
    if programme is None or not hasattr(programme, "rule_name"):
        from zgcfund.programmes.domain.loading import current_or_packaged

        programme = current_or_packaged()
    name = programme.rule_name(str(rule_id))
    return rule_id if name == rule_id else f"{name}（{rule_id}）"
