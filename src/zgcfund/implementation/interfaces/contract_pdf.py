"""The support contract as a PDF (任务书): the parties, the amount and payment plan, the conditions and the
commitments by clause with their targets — what the organization signed up to deliver by 2026-06-30.

A formal document, always Chinese; rendered like the 承诺书 (``applications.interfaces.commitment``):
Django's template engine, WeasyPrint with the Debian ``fonts-noto-cjk`` fonts by family name, no URL fetched."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from zgcfund.applications.interfaces.pdf import TEMPLATE_DIR, _refusing_fetcher
from zgcfund.implementation.interfaces.display import commitment_groups
from zgcfund.implementation.models import Contract
from zgcfund.programmes.domain import parsed

TEMPLATE = "implementation/pdf/contract.html"


def contract_context(contract: Contract) -> dict[str, Any]:
    application = contract.application
    org, row = application.organization, contract.programme_year
    params = parsed(row).params_on(contract.signed_on)
    return {"contract": contract, "org_name": org.name, "credit_code": org.credit_code,
            "programme_title": row.title, "programme_code": row.code, "programme_year": row.year,
            "tranches": list(contract.tranches.all()), "groups": commitment_groups(contract),
            "commitment_count": contract.commitments.count(), "implementation_end": params.get("implementation_end")}


def render_contract_html(contract: Contract) -> str:
    with translation.override("zh-hans"):
        return render_to_string(TEMPLATE, contract_context(contract))


def render_contract_pdf(contract: Contract) -> bytes:
    from weasyprint import HTML  # heavy import, only where a PDF is made

    return HTML(string=render_contract_html(contract), base_url=TEMPLATE_DIR.as_uri() + "/",
                url_fetcher=_refusing_fetcher()).write_pdf()
