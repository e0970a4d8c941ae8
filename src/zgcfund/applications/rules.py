"""Permission predicates (django-rules) for applications, records, evidence and submissions."""

from __future__ import annotations

import rules

from zgcfund.accounts.rules import is_applicant_of, is_office
from zgcfund.applications.domain.editing import edit_refusal


@rules.predicate
def is_member_of_application(user, application) -> bool:
    return application is not None and is_applicant_of(user, application.organization)


@rules.predicate
def application_is_editable(user, application) -> bool:
    return application is not None and edit_refusal(application) is None


can_view_application = is_member_of_application | is_office
can_edit_application = is_member_of_application & application_is_editable

rules.add_perm("applications.view_application", can_view_application)
rules.add_perm("applications.edit_application", can_edit_application)
rules.add_perm("applications.submit_application", can_edit_application)
