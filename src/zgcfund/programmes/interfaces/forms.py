"""The office's application window form (Asia/Shanghai date-times, ``datetime-local`` inputs)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django import forms
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zgcfund.audit.domain import record_event
from zgcfund.audit.models import Visibility
from zgcfund.programmes.models import ApplicationWindow

SHANGHAI = ZoneInfo("Asia/Shanghai")
INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


class ShanghaiDateTimeField(forms.DateTimeField):
    """A date-time typed as Beijing time, whatever the active time zone."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local", "step": 60}, format="%Y-%m-%dT%H:%M")

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", INPUT_FORMATS)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, dt.datetime) and timezone.is_aware(value):
            return value.astimezone(SHANGHAI).replace(tzinfo=None)
        return value

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip()
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value if timezone.is_aware(value) else value.replace(tzinfo=SHANGHAI)
        for fmt in self.input_formats:
            try:
                parsed = dt.datetime.strptime(value, fmt)
            except (TypeError, ValueError):
                continue
            return parsed.replace(tzinfo=SHANGHAI)
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


class WindowForm(forms.Form):
    opens_at = ShanghaiDateTimeField(label=_("申报开始时间"), help_text=_("北京时间。"),
                                     error_messages={"required": _("请填写申报开始时间。"),
                                                     "invalid": _("申报开始时间格式不正确，应为“年-月-日 时:分”。")})
    closes_at = ShanghaiDateTimeField(label=_("申报截止时间"), help_text=_("北京时间；到此时刻起不能再提交。"),
                                      error_messages={"required": _("请填写申报截止时间。"),
                                                      "invalid": _("申报截止时间格式不正确，应为“年-月-日 时:分”。")})

    def clean(self):
        data = super().clean()
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", gettext("申报截止时间须晚于申报开始时间。"))
        return data

    def save(self, code: str, actor) -> ApplicationWindow:
        """Create or change the window of programme ``code`` (atomic, audited)."""
        opens, closes = self.cleaned_data["opens_at"], self.cleaned_data["closes_at"]
        with transaction.atomic():
            window = ApplicationWindow.objects.select_for_update().filter(code=code).first()
            before = {"opens_at": _iso(window.opens_at), "closes_at": _iso(window.closes_at)} if window else {}
            if window is None:
                window = ApplicationWindow(code=code)
            window.opens_at, window.closes_at, window.updated_by = opens, closes, actor
            window.save()
            after = {"opens_at": _iso(opens), "closes_at": _iso(closes)}
            changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
            if changes:
                record_event("window.set", gettext("设置%(code)s申报时间：%(opens)s 至 %(closes)s（北京时间）") % {
                    "code": code, "opens": _local(opens), "closes": _local(closes)}, actor=actor, obj=window,
                    changes=changes, visibility=Visibility.OFFICE)
        return window


def _iso(value: dt.datetime) -> str:
    return value.astimezone(SHANGHAI).isoformat(timespec="minutes")


def _local(value: dt.datetime) -> str:
    return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
