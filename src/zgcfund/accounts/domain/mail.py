"""E-mails to organizations and invitees, always in Chinese (the recipient's language is unknown).
A failing mail server never undoes a saved change: senders return False and log the error.

Mail is plain text: templates render without HTML escaping (``Tom & "Jerry"`` stays as typed, never
``&amp;``/``&quot;``), and the subject is one line. Names users typed (organizations, people) go
through ``mail_name`` and appear quoted and attributed (申报单位“…”), never as the office's words."""

from __future__ import annotations

import logging
import unicodedata

from django.conf import settings
from django.core.mail import send_mail
from django.template import Context
from django.template.loader import get_template
from django.utils import translation

log = logging.getLogger("zgcfund.mail")


def mail_name(value: object) -> str:
    """A user-supplied name fit to quote in a mail: one line, no control or invisible (bidi)
    characters, and Chinese double quotes turned into single ones so it cannot close “…”."""
    chars = []
    for ch in str(value or ""):
        category = unicodedata.category(ch)
        if category in ("Cc", "Zl", "Zp"):
            chars.append(" ")
        elif category != "Cf":
            chars.append(ch)
    return " ".join("".join(chars).split()).replace("“", "‘").replace("”", "’")


def render_text(template_name: str, context: dict) -> str:
    """Render a plain-text template without HTML escaping."""
    return get_template(template_name).template.render(Context(context, autoescape=False))


def send_templated(template: str, context: dict, recipients: list[str]) -> bool:
    """Render ``accounts/emails/<template>_subject.txt`` and ``…/<template>.txt`` and send them."""
    recipients = list(dict.fromkeys(r for r in recipients if r))
    if not recipients:
        return False
    with translation.override("zh-hans"):
        subject = " ".join(render_text(f"accounts/emails/{template}_subject.txt", context).split())
        body = render_text(f"accounts/emails/{template}.txt", context)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    except Exception:  # SMTP errors of any kind; the change itself is saved
        log.exception("could not send %s e-mail to %s", template, recipients)
        return False
    return True
