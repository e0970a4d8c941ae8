"""Permission predicates (django-rules) for the implementation period: the office records contracts;
an organization reads only its own contract; finance records the money, the office reads it."""

from __future__ import annotations

import rules

from zgcfund.accounts.rules import is_finance, is_member_of_organization, is_office


@rules.predicate
def is_member_of_contract_organization(user, contract) -> bool:
    # a contract only proposed to the office's collective decision is not the organization's yet
    return (contract is not None and contract.status == "signed"
            and is_member_of_organization(user, contract.application.organization))


rules.add_perm("implementation.manage_contracts", is_office)
rules.add_perm("implementation.view_contract", is_office | is_member_of_contract_organization)
# funds: finance records payments and refunds; the office reads the money pages
rules.add_perm("implementation.manage_funds", is_finance)
rules.add_perm("implementation.view_funds", is_finance | is_office)
# the office proposes each disbursement to its collective decision (集体研究); finance pays approved ones
rules.add_perm("implementation.propose_disbursement", is_office)
rules.add_perm("implementation.view_results", is_office)
# K1.3 revenue tables: the organization's members upload; the office reads (implementation.views.revenue)
rules.add_perm("implementation.view_revenue", is_office | is_member_of_contract_organization)
rules.add_perm("implementation.upload_revenue", is_member_of_contract_organization)


@rules.predicate
def is_acceptance_concluded(user, contract) -> bool:
    from zgcfund.implementation.models import Acceptance, AcceptanceStatus

    return contract is not None and Acceptance.objects.filter(contract=contract,
                                                              status=AcceptanceStatus.CONCLUDED).exists()


rules.add_perm("implementation.manage_acceptance", is_office)
# the acceptance report: the office (also a draft); the organization once the conclusion is recorded
rules.add_perm("implementation.view_acceptance_report",
               is_office | (is_member_of_contract_organization & is_acceptance_concluded))


# --- reporting during the implementation period -------------------------------------------------------------

rules.add_perm("implementation.view_reports", is_member_of_contract_organization)  # the organization's own pages
rules.add_perm("implementation.edit_reports", is_member_of_contract_organization)  # the domain says when
rules.add_perm("implementation.manage_reports", is_office)  # rounds, extensions, reviews, phase moves
rules.add_perm("implementation.view_delivery_evidence", is_office | is_member_of_contract_organization)
