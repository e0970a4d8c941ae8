"""Notices the review app words (e-mail and inbox, ``accounts.domain.inbox.deliver``), always after the
change has committed:

* the selection's outcome at publication (``application.selected`` / ``application.not_selected``,
  installed into ``applications.domain.notifications.SENDERS`` by ReviewConfig.ready): the notice
  period's last day and what comes next;
* a new assignment, to its expert only (never naming another expert; the applicant is never told);
* an objection registered during the notice period: to the organization concerned (never the
  objector) and to the office staff;
* the expert-review due date's reminder (``zgcfund remind``, ``review.domain.reminders``).
"""

from __future__ import annotations

import logging
from functools import partial

from django.db import transaction
from django.urls import reverse

from zgcfund.accounts.domain.inbox import absolute, deliver, office_staff
from zgcfund.applications.domain.notifications import to_organization

log = logging.getLogger("zgcfund.notifications")


def _selection_of(event):
    from zgcfund.review.models import Selection

    if event is None or event.object_type != "Selection" or not event.object_id:
        return None
    return Selection.objects.filter(pk=event.object_id).first()


def _outcome(application, event, key: str, template: str, listed: str) -> bool:
    selection = _selection_of(event)
    context = {"notice_ends_on": "", "amount": "", "public_url": ""}
    if selection is not None:
        context["notice_ends_on"] = selection.notice_ends_on.isoformat() if selection.notice_ends_on else ""
        context["public_url"] = absolute(reverse("public:notice", kwargs={"code": selection.code}))
        row = next((o for o in selection.result.get(listed, ()) if o.get("application_id") == application.pk), {})
        context["amount"] = row.get("amount") or ""
    return to_organization(application, key, template, context)


def selected(application, event) -> bool:
    return _outcome(application, event, "application.selected", "application_selected", "selected")


def not_selected(application, event) -> bool:
    return _outcome(application, event, "application.not_selected", "application_not_selected", "not_selected")


SENDERS = {"application.selected": selected, "application.not_selected": not_selected}


# --- assignment ------------------------------------------------------------------------------------

def _guarded(name: str, func, *args) -> None:
    try:
        func(*args)
    except Exception:  # the change is committed: log, never raise into the request
        log.exception("notice %s failed", name)


def on_commit(name: str, func, *args) -> None:
    transaction.on_commit(partial(_guarded, name, func, *args), robust=True)


def send_assignment(assignment_id: int) -> int:
    """Tell the expert of a new assignment: the organization, the submission, the due date if set."""
    from zgcfund.review.domain.plan import plan_for
    from zgcfund.review.models import Assignment

    assignment = (Assignment.objects.select_related("application__organization", "application__programme_year",
                                                    "submission", "expert").filter(pk=assignment_id).first())
    if assignment is None:
        return 0
    application = assignment.application
    plan = plan_for(application.programme_code)
    due = plan.review_due_on.isoformat() if plan is not None and plan.review_due_on else ""
    return deliver("review_assigned", {"org": application.organization, "programme": application.programme_year.title,
                                       "n": assignment.submission.number, "due": due},
                   key="review.assigned", users=[assignment.expert], link=reverse("expert:review", args=[assignment.pk]))


# --- objections --------------------------------------------------------------------------------------

def send_objection(objection_id: int) -> int:
    """The organization concerned learns that an objection about it was registered (not who raised it or
    what it says); the office staff are asked to handle it."""
    from zgcfund.review.models import Objection

    objection = (Objection.objects.select_related("application__organization", "application__programme_year",
                                                  "selection").filter(pk=objection_id).first())
    if objection is None:
        return 0
    application = objection.application
    received_on = objection.received_on.isoformat()
    to_organization(application, "selection.objection", "objection_organization", {"received_on": received_on})
    return deliver("objection_office", {"org": application.organization, "code": objection.selection.code,
                                        "received_on": received_on},
                   key="selection.objection", users=office_staff(),
                   link=reverse("office:selection_detail", args=[objection.selection_id]))


# --- collective decisions (集体研究), office only -------------------------------------------------------

def send_decision_pending(decision_id: int) -> int:
    """The other office staff are asked to give their view on a new proposal (the applicant is never told)."""
    from zgcfund.review.domain.decisions import SUBJECTS
    from zgcfund.review.models import Decision

    decision = Decision.objects.select_related("proposed_by").filter(pk=decision_id).first()
    if decision is None or not decision.is_pending:
        return 0
    voted = set(decision.approvals.values_list("by_id", flat=True))
    return deliver("decision_pending", {"subject": SUBJECTS[decision.subject].label, "label": decision.object_label,
                                        "proposer": decision.proposed_by.get_full_name(), "required": decision.required,
                                        "note": decision.note},
                   key="decision.pending", users=[u for u in office_staff() if u.pk not in voted],
                   link=reverse("office:decision", args=[decision.pk]))


def send_decision_returned(decision_id: int) -> int:
    """The proposer learns that the proposal was sent back, by whom and why."""
    from zgcfund.review.domain.decisions import SUBJECTS
    from zgcfund.review.models import Decision, Verdict

    decision = Decision.objects.select_related("proposed_by").filter(pk=decision_id).first()
    if decision is None:
        return 0
    returned = decision.approvals.filter(verdict=Verdict.REQUEST_CHANGES).select_related("by").first()
    if returned is None:
        return 0
    return deliver("decision_returned", {"subject": SUBJECTS[decision.subject].label, "label": decision.object_label,
                                         "by": returned.by.get_full_name(), "reason": returned.reason},
                   key="decision.returned", users=[decision.proposed_by],
                   link=reverse("office:decision", args=[decision.pk]))
