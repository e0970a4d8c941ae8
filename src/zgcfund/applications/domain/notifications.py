"""Notifications the workflow queues (``workflow.Transition.notify``), dispatched after commit.

``SENDERS`` maps a notification key to the function that sends it: an e-mail to the applying
organization's active members and its contact address, and an inbox notice for each member
(``accounts.domain.inbox.deliver``). The review app adds the keys only it can word (the selection's
notice period: ``review.domain.notify``, installed by ReviewConfig.ready). Keys without a sender are
logged as not yet implemented. A sender never raises into the request: the change is already committed.

An applicant's notice never names an expert, nor the office person who decided.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

log = logging.getLogger("zgcfund.notifications")

# key -> sender(application, event) -> bool (sent); filled at the end of this module (and by review)
SENDERS: dict[str, Callable] = {}


def dispatch(key: str, application_id: int, event_id: int | None = None) -> bool:
    """Send the notification ``key`` about an application (called on commit). False when not sent."""
    sender = SENDERS.get(key)
    if sender is None:
        log.info("notification %s for application %s: no sender yet (not implemented)", key, application_id)
        return False
    from zgcfund.applications.models import Application
    from zgcfund.audit.models import AuditEvent

    application = Application.objects.select_related("organization", "programme_year").filter(pk=application_id).first()
    event = AuditEvent.objects.filter(pk=event_id).first() if event_id else None
    if application is None:
        return False
    try:
        return bool(sender(application, event))
    except Exception:
        log.exception("notification %s for application %s failed", key, application_id)
        return False


# --- the senders -------------------------------------------------------------------------------------

def to_organization(application, key: str, template: str, context: dict | None = None, *,
                    page: str = "applications:status") -> bool:
    """The notice ``template`` to the application's organization: its active members (mail and inbox) and
    its contact e-mail (mail only, when it is no member's address), linking to ``page`` of the application."""
    from django.urls import reverse

    from zgcfund.accounts.domain.inbox import deliver, organization_members

    org = application.organization
    members = organization_members(org)
    link = reverse(page, args=[application.pk])
    base = {"org": org, "application": application, "programme": application.programme_year.title,
            "phase": application.phase.public_name}
    sent = deliver(template, {**base, **(context or {})}, key=key, users=members, emails=[org.contact_email],
                   link=link)
    return bool(sent or members)


def _changes(event) -> dict:
    return dict(event.changes or {}) if event is not None else {}


def _number(application, event) -> int | None:
    n = _changes(event).get("number")
    return n if n is not None else (application.submissions.order_by("-number").values_list("number", flat=True)
                                    .first())


def _when(event) -> str:
    from django.utils import timezone

    moment = event.at if event is not None else timezone.now()
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def submitted(application, event) -> bool:
    return to_organization(application, "application.submitted", "application_submitted",
                           {"n": _number(application, event), "at": _when(event)})


def formal_passed(application, event) -> bool:
    return to_organization(application, "application.formal_passed", "application_formal_passed",
                           {"n": _number(application, event)})


def returned(application, event) -> bool:
    """With the office's comments: the general one and each record's (from the audit entry of the return)."""
    changes = _changes(event)
    latest = application.submissions.order_by("-number").first()
    titles = {r.get("id"): r.get("title") or "" for r in (latest.document.get("records", []) if latest else [])}
    records = [{"key": key, "title": titles.get(key, ""), "comment": comment}
               for key, comment in sorted((changes.get("record_comments") or {}).items())]
    return to_organization(application, "application.returned", "application_returned",
                           {"n": latest.number if latest else None, "comment": changes.get("comment") or "",
                            "records": records}, page="applications:overview")


def withdrawn(application, event) -> bool:
    return to_organization(application, "application.withdrawn", "application_withdrawn",
                           {"reason": _changes(event).get("reason") or "", "at": _when(event)})


def published(application, event) -> bool:
    return to_organization(application, "application.published", "application_published")


def contracted(application, event) -> bool:
    return to_organization(application, "application.contracted", "application_contracted")


def report_due(application, event) -> bool:
    return to_organization(application, "application.report_due", "application_report_due")


def accepted(application, event) -> bool:
    changes = _changes(event)
    return to_organization(application, "application.accepted", "application_accepted",
                           {"conclusion": changes.get("conclusion_label") or "", "comments": changes.get("comments") or "",
                            "rectification": changes.get("rectification") or ""})


def failed(application, event) -> bool:
    return to_organization(application, "application.failed", "application_failed",
                           {"reason": _changes(event).get("reason") or ""})


# --- implementation-period reports (the audit entry's changes carry what the notice says) ----------------

REPORTS_PAGE = "implementation:reports"


def report_extended(application, event) -> bool:
    changes = _changes(event)
    due = changes.get("due_on") or [None, None]
    return to_organization(application, "report.extended", "report_extended",
                           {"round": changes.get("round") or "", "due_on": due[-1], "reason": changes.get("reason") or ""},
                           page=REPORTS_PAGE)


def report_returned(application, event) -> bool:
    changes = _changes(event)
    titles = changes.get("titles") or {}
    records = [{"key": key, "title": titles.get(key, ""), "comment": comment}
               for key, comment in sorted((changes.get("commitment_comments") or {}).items())]
    return to_organization(application, "report.returned", "report_returned",
                           {"round": changes.get("round") or "", "n": changes.get("number"),
                            "comment": changes.get("comment") or "", "records": records}, page=REPORTS_PAGE)


def report_accepted(application, event) -> bool:
    changes = _changes(event)
    return to_organization(application, "report.accepted", "report_accepted",
                           {"round": changes.get("round") or "", "n": changes.get("number"),
                            "comment": changes.get("comment") or ""}, page=REPORTS_PAGE)


def report_submitted(application, event) -> bool:
    """To the office staff: an organization submitted a report (the review page)."""
    from django.urls import reverse

    from zgcfund.accounts.domain.inbox import deliver, office_staff

    changes = _changes(event)
    link = reverse("office:report_review", args=[changes["report"]]) if changes.get("report") else ""
    return bool(deliver("report_submitted_office", {"org": application.organization, "round": changes.get("round") or "",
                                                    "n": changes.get("number"), "late": changes.get("late"),
                                                    "at": _when(event)},
                        key="report.submitted", users=office_staff(), link=link))


SENDERS.update({
    "report.extended": report_extended,
    "report.returned": report_returned,
    "report.accepted": report_accepted,
    "report.submitted": report_submitted,
})

SENDERS.update({
    "application.submitted": submitted,
    "application.formal_passed": formal_passed,
    "application.returned": returned,
    "application.withdrawn": withdrawn,
    "application.published": published,
    "application.contracted": contracted,
    "application.report_due": report_due,
    "application.accepted": accepted,
    "application.failed": failed,
})
