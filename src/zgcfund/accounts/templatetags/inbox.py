"""``{% unread_notices %}``: the signed-in user's unread inbox notices (the navigation's 通知 link)."""

from django import template
from django.db import DatabaseError

from zgcfund.accounts.domain.inbox import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notices(context) -> int:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    try:
        return unread_count(user)
    except DatabaseError:  # an error page must still render (the database may be what failed)
        return 0
