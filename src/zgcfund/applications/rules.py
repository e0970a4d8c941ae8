"""Permission predicates (django-rules) for applications, records, evidence and submissions.

The live application (its pages, records, JSON export, draft PDF, history) is the organization's and the
office's; an expert reads only the frozen submission it was assigned (its PDF and the evidence it names),
through the review page. ``domain.queries.applications_for`` is ``view_application`` as a query."""

from __future__ import annotations

import rules

from zgcfund.accounts.rules import is_expert, is_member_of_organization, is_office
from zgcfund.applications.domain.editing import edit_refusal


@rules.predicate
def is_member_of_application(user, application) -> bool:
    return application is not None and is_member_of_organization(user, application.organization)


@rules.predicate
def application_is_editable(user, application) -> bool:
    return application is not None and edit_refusal(application) is None


@rules.predicate
def is_assigned_expert(user, application) -> bool:
    """An expert assigned to review (a submission of) the application."""
    return (application is not None and is_expert(user)
            and application.assignments.filter(expert_id=user.pk).exists())


@rules.predicate
def is_assigned_to_submission(user, submission) -> bool:
    """An expert assigned to review exactly this submission."""
    return (submission is not None and is_expert(user)
            and submission.application.assignments.filter(expert_id=user.pk, submission_id=submission.pk).exists())


def _submitted_files(submission) -> set[tuple[str, str]]:
    return {(rec["id"], item["sha256"]) for rec in submission.document.get("records", ())
            for item in rec.get("evidence") or ()}


@rules.predicate
def is_evidence_of_assigned_submission(user, evidence) -> bool:
    """A record's file named in the submission the expert was assigned (same record key and checksum)."""
    if evidence is None or not is_expert(user) or evidence.record_id is None:
        return False
    key = (evidence.record.key, evidence.sha256)
    assignments = evidence.application.assignments.filter(expert_id=user.pk).select_related("submission")
    return any(key in _submitted_files(a.submission) for a in assignments)


@rules.predicate
def is_member_of_evidence_application(user, evidence) -> bool:
    return evidence is not None and is_member_of_application(user, evidence.application)


@rules.predicate
def is_member_of_submission_application(user, submission) -> bool:
    return submission is not None and is_member_of_application(user, submission.application)


can_view_application = is_member_of_application | is_office
can_edit_application = is_member_of_application & application_is_editable

rules.add_perm("applications.view_application", can_view_application)
rules.add_perm("applications.edit_application", can_edit_application)
# Writing (records, files, submitting): the organization's users; the domain refuses outside the window.
rules.add_perm("applications.change_application", is_member_of_application)
rules.add_perm("applications.submit_application", is_member_of_application)
rules.add_perm("applications.withdraw_application", is_member_of_application)  # the workflow table says when
rules.add_perm("applications.export_application", can_view_application)
rules.add_perm("applications.change_evidence", is_member_of_evidence_application)  # the domain checks editability
rules.add_perm("applications.view_evidence",
               is_member_of_evidence_application | is_office | is_evidence_of_assigned_submission)
rules.add_perm("applications.view_submission",
               is_member_of_submission_application | is_office | is_assigned_to_submission)
