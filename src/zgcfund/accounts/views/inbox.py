"""The signed-in user's own notices (通知): the list, newest first with the unread marked; opening a
notice shows it, marks it read and links to the page concerned. Nobody sees another's notices (404)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from zgcfund.accounts.domain import inbox
from zgcfund.accounts.models import InboxNotice
from zgcfund.accounts.views.access import get_permitted_or_404, require_perm

PER_PAGE = 30


def _site_path(link: str) -> str:
    """Only a path on this site is linked (never another host)."""
    return link if link.startswith("/") and not link.startswith("//") and "\\" not in link else ""


@require_perm("accounts.view_inbox")
@require_http_methods(["GET", "HEAD"])
def notice_list(request):
    page = Paginator(inbox.notices_of(request.user), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "accounts/inbox.html", {"page": page, "unread": inbox.unread_count(request.user)})


@require_perm("accounts.view_inbox")
@require_http_methods(["GET", "HEAD"])
def notice_detail(request, pk: int):
    notice = get_permitted_or_404(request, "accounts.read_notice", InboxNotice.objects.all(), pk=pk)
    was_unread = not notice.is_read
    inbox.mark_read(notice)
    return render(request, "accounts/inbox_notice.html",
                  {"notice": notice, "link": _site_path(notice.link), "was_unread": was_unread})


@require_perm("accounts.view_inbox")
@require_POST
def notice_read_all(request):
    n = inbox.mark_all_read(request.user)
    if n:
        messages.success(request, _("已将 %(n)s 条通知标为已读。") % {"n": n})
    return redirect("accounts:inbox")
