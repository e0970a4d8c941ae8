"""Permission predicates (django-rules) for the implementation period: the office records contracts;
an organization reads only its own contract."""

from __future__ import annotations

import rules

from zgcfund.accounts.rules import is_member_of_organization, is_office


@rules.predicate
def is_member_of_contract_organization(user, contract) -> bool:
    return contract is not None and is_member_of_organization(user, contract.application.organization)


rules.add_perm("implementation.manage_contracts", is_office)
rules.add_perm("implementation.view_contract", is_office | is_member_of_contract_organization)


# --- reporting during the implementation period -------------------------------------------------------------

rules.add_perm("implementation.view_reports", is_member_of_contract_organization)  # the organization's own pages
rules.add_perm("implementation.edit_reports", is_member_of_contract_organization)  # the domain says when
rules.add_perm("implementation.manage_reports", is_office)  # rounds, extensions, reviews, phase moves
rules.add_perm("implementation.view_delivery_evidence", is_office | is_member_of_contract_organization)
