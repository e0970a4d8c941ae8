"""The contract as pages show it: the commitments by clause with the programme's field labels (the office's
contract page and the applicant's status page)."""

from __future__ import annotations

from django.urls import reverse

from zgcfund.applications.interfaces.forms import display_value
from zgcfund.applications.models import Application
from zgcfund.implementation.domain.funds import applicant_disbursements
from zgcfund.implementation.models import Acceptance, AcceptanceStatus, Contract, ContractStatus
from zgcfund.programmes.domain import parsed


def commitment_groups(contract: Contract) -> list[dict]:
    """The commitments by clause in the programme's clause order (a clause the programme no longer names
    comes last), each target shown with the clause's field label: ``[{"clause", "title", "rows": [{"commitment",
    "targets": [(label, text)]}]}]``."""
    programme = parsed(contract.programme_year)
    order = {cid: i for i, cid in enumerate(programme.clauses)}
    groups: dict[str, dict] = {}
    for c in sorted(contract.commitments.all(), key=lambda c: (order.get(c.clause, len(order)), c.clause, c.date, c.pk)):
        clause = programme.clauses.get(c.clause)
        group = groups.setdefault(c.clause, {"clause": c.clause, "title": clause.title if clause else "", "rows": []})
        specs = clause.fields if clause else {}
        targets = [(specs[name].label, display_value(specs[name], c.targets.get(name)))
                   for name in specs if name in c.targets]
        targets += [(name, str(value)) for name, value in c.targets.items() if name not in specs]
        group["rows"].append({"commitment": c, "targets": targets})
    return list(groups.values())


def applicant_contract(application: Application) -> dict | None:
    """Installed as ``applications.domain.contract.signed_contract``: the signed contract for the status page
    (None while it is only proposed to the office's collective decision)."""
    contract = (Contract.objects.filter(application=application, status=ContractStatus.SIGNED)
                .prefetch_related("tranches", "commitments").first())
    if contract is None:
        return None
    return {"signed_on": contract.signed_on, "amount": contract.amount,
            "tranches": list(contract.tranches.all()), "commitments": commitment_groups(contract),
            "disbursements": applicant_disbursements(contract), "k13": has_performance_enterprises(contract),
            "acceptance": applicant_acceptance(contract),
            "reports_url": reverse("implementation:reports", args=[application.pk]),
            "pdf_url": reverse("implementation:contract_pdf", args=[application.pk])}


def has_performance_enterprises(contract: Contract) -> bool:
    """Whether the contract lists K1.3 performance enterprises (commitments or prior records): a revenue page."""
    return (contract.commitments.filter(clause="K1.3").exists()
            or any(r.get("clause") == "K1.3" for r in (contract.submission.document or {}).get("records", [])))


def applicant_acceptance(contract: Contract) -> dict | None:
    """The concluded acceptance as the organization sees it (no names of office staff); None before."""
    acceptance = Acceptance.objects.filter(contract=contract, status=AcceptanceStatus.CONCLUDED).first()
    if acceptance is None:
        return None
    return {"conclusion": acceptance.get_conclusion_display(), "accepted_on": acceptance.accepted_on,
            "comments": acceptance.comments, "rectification": acceptance.rectification,
            "pdf_url": reverse("implementation:acceptance_pdf", args=[contract.application_id])}
