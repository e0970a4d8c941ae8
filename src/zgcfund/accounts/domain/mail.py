"""E-mails to organizations and invitees, always in Chinese (the recipient's language is unknown).
A failing mail server never undoes a saved change: senders return False and log the error."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

log = logging.getLogger("zgcfund.mail")


def send_templated(template: str, context: dict, recipients: list[str]) -> bool:
    """Render ``accounts/emails/<template>_subject.txt`` and ``…/<template>.txt`` and send them."""
    recipients = list(dict.fromkeys(r for r in recipients if r))
    if not recipients:
        return False
    with translation.override("zh-hans"):
        subject = " ".join(render_to_string(f"accounts/emails/{template}_subject.txt", context).split())
        body = render_to_string(f"accounts/emails/{template}.txt", context)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    except Exception:  # SMTP errors of any kind; the change itself is saved
        log.exception("could not send %s e-mail to %s", template, recipients)
        return False
    return True
