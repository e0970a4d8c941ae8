"""The acceptance report (验收报告) PDF of one organization: the contract, each commitment with its delivery
and the reason, the final-basis evaluation against the application per clause (the SVG chart inline and
its table), X-P-GROW, and the conclusion. After the conclusion it shows what was stored then (never
recomputed); before it (the office's draft) the live evaluation as of the date asked for.

A formal document, always Chinese; rendered like the 承诺书 (``applications.interfaces.commitment``):
Django's template engine, WeasyPrint with the Debian ``fonts-noto-cjk`` fonts by family name, no URL
fetched."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from zgcfund.applications.interfaces.pdf import TEMPLATE_DIR, _refusing_fetcher
from zgcfund.implementation.domain import acceptance as domain
from zgcfund.implementation.interfaces.acceptance_display import assessment_groups, final_panel, pgrow_panel
from zgcfund.implementation.models import Contract
from zgcfund.programmes.domain import clock

TEMPLATE = "implementation/pdf/acceptance.html"


def acceptance_context(contract: Contract, *, as_of: dt.date | None = None) -> dict[str, Any]:
    acceptance = domain.acceptance_of(contract)
    programme = domain.programme_of(contract)
    prior = domain.prior_evaluation(contract, programme)
    concluded = bool(acceptance and acceptance.concluded)
    if acceptance is not None and acceptance.frozen:  # concluded, or proposed: as stored at the proposal
        as_of, final, pgrow = acceptance.accepted_on, acceptance.evaluation, acceptance.pgrow
    else:
        as_of = as_of or clock.today()
        result = domain.evaluate_final(contract, as_of)
        final, pgrow = result.evaluation, result.pgrow
    app, org, row = contract.application, contract.application.organization, contract.programme_year
    return {"org_name": org.name, "credit_code": org.credit_code, "programme_title": row.title,
            "programme_year": row.year, "contract": contract, "acceptance": acceptance, "concluded": concluded,
            "as_of": as_of, "application": app, "groups": assessment_groups(contract, programme),
            "panel": final_panel(programme, prior, final), "pgrow": pgrow_panel(programme, pgrow),
            "generated_at": clock.now()}


def render_acceptance_html(contract: Contract, *, as_of: dt.date | None = None) -> str:
    with translation.override("zh-hans"):
        return render_to_string(TEMPLATE, acceptance_context(contract, as_of=as_of))


def render_acceptance_pdf(contract: Contract, *, as_of: dt.date | None = None) -> bytes:
    from weasyprint import HTML  # heavy import, only where a PDF is made

    html = render_acceptance_html(contract, as_of=as_of)
    return HTML(string=html, base_url=TEMPLATE_DIR.as_uri() + "/", url_fetcher=_refusing_fetcher()).write_pdf()
