from django.conf import settings
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from zgcfund.accounts.views.access import allowed


def programme_clock(request):
    return {"ZGCFUND_CLOCK_DATE": settings.ZGCFUND_CLOCK_DATE,
            "EVIDENCE_MAX_MB": settings.EVIDENCE_MAX_BYTES // (1024 * 1024),
            "EVIDENCE_MAX_BYTES": settings.EVIDENCE_MAX_BYTES, "MAX_REQUEST_BYTES": settings.ZGCFUND_MAX_REQUEST_BYTES}


def _workspace(user) -> dict:
    """The signed-in user's own starting page and its name in the navigation, by permission."""
    if allowed(user, "accounts.access_office"):
        return {"url": reverse("office:dashboard"), "label": _("项目办公室"), "kind": "office"}
    if allowed(user, "review.view_tasks"):
        return {"url": reverse("expert:tasks"), "label": _("评审任务"), "kind": "expert"}
    if allowed(user, "implementation.view_funds"):  # finance: the money pages only
        return {"url": reverse("office:funds"), "label": _("资金拨付与退回"), "kind": "finance"}
    return {"url": reverse("dashboard"), "label": _("我的申报"), "kind": "applicant"}


def workspace(request):
    """``workspace``: where the navigation's 工作台 link leads (lazy: pages that do not show it pay nothing)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"workspace": None}
    return {"workspace": SimpleLazyObject(lambda: _workspace(user))}
