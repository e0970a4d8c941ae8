"""Permission predicates (django-rules) for the implementation period: the office records contracts;
an organization reads only its own contract."""

from __future__ import annotations

import rules

from zgcfund.accounts.rules import is_member_of_organization, is_office


@rules.predicate
def is_member_of_contract_organization(user, contract) -> bool:
    # a contract only proposed to the office's collective decision is not the organization's yet
    return (contract is not None and contract.status == "signed"
            and is_member_of_organization(user, contract.application.organization))


rules.add_perm("implementation.manage_contracts", is_office)
rules.add_perm("implementation.view_contract", is_office | is_member_of_contract_organization)
