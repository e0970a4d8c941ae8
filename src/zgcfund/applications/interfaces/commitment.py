"""The commitment letter (承诺书) the applicant downloads, prints, seals, signs and uploads as a scan:
pre-filled with the organization's name and unified social credit code and the programme (its Chinese
name and year), the commitment text (``domain.submission.COMMITMENT_TEXT``) and places for the seal, the
legal representative's signature and the date.

A formal document, always Chinese; rendered like the 申报书 (``interfaces.pdf``): Django's template
engine, WeasyPrint with the Debian ``fonts-noto-cjk`` fonts by family name, no URL fetched."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from zgcfund.applications.domain.submission import COMMITMENT_TEXT
from zgcfund.applications.interfaces.pdf import TEMPLATE_DIR, _refusing_fetcher
from zgcfund.applications.models import Application

__all__ = ["commitment_context", "render_commitment_html", "render_commitment_pdf"]

TEMPLATE = "applications/pdf/commitment.html"


def commitment_context(application: Application) -> dict[str, Any]:
    org, row = application.organization, application.programme_year
    return {"org_name": org.name, "credit_code": org.credit_code, "programme_title": row.title,
            "programme_year": row.year, "programme_code": row.code, "commitment_text": COMMITMENT_TEXT}


def render_commitment_html(application: Application) -> str:
    with translation.override("zh-hans"):
        return render_to_string(TEMPLATE, commitment_context(application))


def render_commitment_pdf(application: Application) -> bytes:
    """The pre-filled 承诺书 as PDF bytes (A4, one page)."""
    from weasyprint import HTML  # heavy import, only where a PDF is made

    html = render_commitment_html(application)
    return HTML(string=html, base_url=TEMPLATE_DIR.as_uri() + "/", url_fetcher=_refusing_fetcher()).write_pdf()
