"""Whether the applicant may change an application now (its phase, the window's deadline and any
extension). Shared by ``editing`` (records, choices, import) and ``evidence`` (files), which both
refuse a change with ``EditRefused``."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from zgcfund.applications.models import Application
from zgcfund.programmes.domain.extensions import extension_for
from zgcfund.programmes.models import ApplicationWindow


class EditRefused(Exception):
    """The application cannot be changed now (phase or deadline); ``message`` says why, in Chinese."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def window_for(application: Application) -> ApplicationWindow | None:
    return ApplicationWindow.objects.filter(code=application.programme_code).first()


def edit_refusal(application: Application, now: dt.datetime | None = None) -> str | None:
    """None when the applicant may edit; else the reason, in Chinese."""
    if not application.phase.applicant_can_edit:
        return _("申报书当前状态为“%(phase)s”，项目办公室退回前不能修改。") % {"phase": application.phase.public_name}
    window = window_for(application)
    if window is not None and window.state(now) == "closed" and application.phase.window_bound \
            and extension_for(application.programme_code, application.organization, now) is None:
        return _("申报已于 %(at)s 截止，不能再修改。") % {
            "at": date_format(timezone.localtime(window.closes_at), "DATETIME_FORMAT")}
    return None


def ensure_editable(application: Application) -> None:
    reason = edit_refusal(application)
    if reason:
        raise EditRefused(reason)
