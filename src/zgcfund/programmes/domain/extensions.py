"""Per-organization extensions of the application window (issue 4: a recorded, reasoned extension)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from zgcfund.audit.domain import record_event
from zgcfund.audit.models import Visibility
from zgcfund.core import bounds
from zgcfund.programmes.domain import clock
from zgcfund.programmes.models import ApplicationWindow, WindowExtension


class ExtensionRefused(Exception):
    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def extension_for(code: str, organization, now: dt.datetime | None = None) -> WindowExtension | None:
    """The organization's extension that is still running, if any."""
    now = now or clock.now()
    return (WindowExtension.objects.filter(code=code, organization=organization, until__gt=now)
            .order_by("-until").first())


def grant_extension(code: str, organization, until: dt.datetime, reason: str, office_user) -> WindowExtension:
    reason = (reason or "").strip()
    window = ApplicationWindow.objects.filter(code=code).first()
    if window is None:
        raise ExtensionRefused(_("尚未设置申报时间窗口，无需延期。"))
    if not reason:
        raise ExtensionRefused(_("请填写延期理由。"))
    too_long = bounds.length_problem(_("延期理由"), reason, "reason")
    if too_long:
        raise ExtensionRefused(too_long + _("。"))
    if until <= window.closes_at:
        raise ExtensionRefused(_("延长时间须晚于申报截止时间。"))
    if until <= clock.now():
        raise ExtensionRefused(_("延长时间须晚于当前时间。"))
    with transaction.atomic():
        ext = WindowExtension.objects.create(code=code, organization=organization, until=until, reason=reason,
                                             granted_by=office_user)
        record_event("window.extend", _("为“%(org)s”延长申报时间至 %(until)s") % {
            "org": organization.name, "until": until.isoformat(timespec="minutes")},
            actor=office_user, organization=organization, obj=ext, changes={"until": until.isoformat(), "reason": reason},
            visibility=Visibility.ORGANIZATION)
    return ext
