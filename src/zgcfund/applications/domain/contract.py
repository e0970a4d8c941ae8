"""What the applicant learns once its contract is signed: the date, the amount and the commitments
(the plan records the contract binds it to).

The contract lives in the implementation app, above this one; applications does not import it. The
implementation app installs its query here when Django starts (ImplementationConfig.ready), as the review
app does for ``outcome.published_outcome``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from zgcfund.applications.models import Application


def _none(application: Application) -> Any:
    return None


#: ``signed_contract(application)`` → None while no contract is recorded, else ``{"signed_on": date,
#: "amount": Decimal (万元), "tranches": [{"sequence", "planned_on", "amount", "condition"}],
#: "commitments": [{"clause", "clause_title", "rows": [{"record_key", "title", "date", "targets":
#: [(label, text)]}]}], "disbursements": [{"paid_on": date, "amount": Decimal}], "k13": bool (a revenue page),
#: "acceptance": None until the acceptance is concluded, else {"conclusion": label, "accepted_on": date,
#: "comments", "rectification", "pdf_url"}}``
signed_contract: Callable[[Application], dict | None] = _none
