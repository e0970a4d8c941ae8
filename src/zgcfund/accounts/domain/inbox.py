"""Notices to the people a step concerns: an e-mail and, for each recipient with an account, a row in
their in-app inbox (``InboxNotice``, the 通知 page). Written after the change has committed (callers
queue :func:`deliver` with ``transaction.on_commit``); a failing mail server never undoes the change
nor the inbox rows: the failure is logged.

Mails are plain Chinese text like ``accounts.domain.mail``: ``accounts/emails/<template>_subject.txt``
and ``…/<template>.txt``, rendered once in Chinese. Each address gets its own message, so recipients
never see one another's addresses. An inbox row holds the same subject and text, and the site path of
the page concerned; it names no person other than its recipient's own organization (no audit entry)."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation

from zgcfund.accounts.domain.mail import render_text
from zgcfund.accounts.models import InboxNotice, Organization, User
from zgcfund.accounts.models.user import Role

log = logging.getLogger("zgcfund.mail")

DEVELOPMENT_URL = "http://127.0.0.1:8000"


def site_url() -> str:
    """The site's address for links in mails: ``settings.ZGCFUND_SITE_URL`` when set, else https:// and
    the first of ZGCFUND_ALLOWED_HOSTS in production, the runserver address in development ('' if unknown)."""
    configured = getattr(settings, "ZGCFUND_SITE_URL", "")
    if configured:
        return configured.rstrip("/")
    if getattr(settings, "PRODUCTION", False):
        host = settings.ALLOWED_HOSTS[0].lstrip(".") if settings.ALLOWED_HOSTS else ""
        return f"https://{host}" if host and "*" not in host else ""
    return DEVELOPMENT_URL


def absolute(path: str) -> str:
    return f"{site_url()}{path}" if path else ""


# --- who ------------------------------------------------------------------------------------------

def organization_members(organization: Organization) -> list[User]:
    """The organization's active members (every one of them is concerned by its application)."""
    return [m.user for m in organization.memberships.filter(user__is_active=True).select_related("user")
            .order_by("user__pk")]


def office_staff() -> list[User]:
    return list(User.objects.filter(role=Role.OFFICE, is_active=True).order_by("pk"))


# --- sending ----------------------------------------------------------------------------------------

def render(template: str, context: dict) -> tuple[str, str]:
    """The notice's subject (one line) and body, in Chinese."""
    with translation.override("zh-hans"):
        subject = " ".join(render_text(f"accounts/emails/{template}_subject.txt", context).split())
        body = render_text(f"accounts/emails/{template}.txt", context).strip() + "\n"
    return subject, body


def deliver(template: str, context: dict, *, key: str, users: Iterable[User] = (), emails: Iterable[str] = (),
            link: str = "") -> int:
    """Write an inbox notice for each active user of ``users`` and mail them and ``emails`` (addresses
    without an account: mail only), each address once. ``link`` is the site path of the page
    concerned (``link_url`` in the template is its absolute address). Returns the mails sent."""
    users = [u for u in dict.fromkeys(users) if u is not None and u.is_active]
    context = {**context, "link_url": absolute(link)}
    subject, body = render(template, context)
    if users:
        now = timezone.now()
        with transaction.atomic():
            InboxNotice.objects.bulk_create([InboxNotice(user=u, key=key[:60], title=subject[:200], body=body,
                                                         link=link[:300], created_at=now) for u in users])
    addresses: dict[str, str] = {}
    for address in [*(u.email for u in users), *emails]:
        if address and address.strip():
            addresses.setdefault(address.strip().lower(), address.strip())
    return send_each(subject, body, list(addresses.values()), template)


def send_each(subject: str, body: str, addresses: list[str], template: str = "") -> int:
    """One message per address; an address that fails is logged and the others still go out."""
    if not addresses:
        return 0
    sent = 0
    try:
        connection = get_connection(fail_silently=False)
    except Exception:
        log.exception("could not open a mail connection for %s", template)
        return 0
    for address in addresses:
        try:
            sent += connection.send_messages([EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [address])]) or 0
        except Exception:  # SMTP errors of any kind; the change itself is saved
            log.exception("could not send %s e-mail to %s", template, address)
    try:
        connection.close()
    except Exception:
        log.exception("could not close the mail connection")
    return sent


# --- the inbox --------------------------------------------------------------------------------------

def notices_of(user) -> QuerySet[InboxNotice]:
    """The user's own notices, newest first (nobody else's, whoever asks)."""
    if not getattr(user, "is_authenticated", False):
        return InboxNotice.objects.none()
    return InboxNotice.objects.filter(user=user).order_by("-created_at", "-pk")


def unread_count(user) -> int:
    return notices_of(user).filter(read_at__isnull=True).count()


def mark_read(notice: InboxNotice) -> InboxNotice:
    if notice.read_at is None:
        notice.read_at = timezone.now()
        InboxNotice.objects.filter(pk=notice.pk, read_at__isnull=True).update(read_at=notice.read_at)
    return notice


def mark_all_read(user) -> int:
    return notices_of(user).filter(read_at__isnull=True).update(read_at=timezone.now())
