"""The office's contract pages (list, form, contract with commitments by clause), the dashboard card, and
the applicant's status page showing its own contract; access."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from tests.review.decision_helpers import approve_pending

from zgcfund.applications.domain import workflow
from zgcfund.implementation.models import Contract

pytestmark = pytest.mark.django_db

GOOD = {"signed_on": "2025-10-10", "amount": "15", "conditions": "按任务书执行",
        "tranche1_planned_on": "2025-10-20", "tranche1_amount": "9", "tranche1_condition": "合同签订后",
        "tranche2_planned_on": "2026-03-01", "tranche2_amount": "6", "tranche2_condition": "中期检查通过后"}


def test_list_form_and_contract_page(awaiting, office_client):
    first, second, _selection = awaiting
    dashboard = office_client.get(reverse("office:dashboard")).content.decode()
    assert 'data-testid="contracts-link"' in dashboard and "签约与实施" in dashboard
    listing = office_client.get(reverse("office:contracts")).content.decode()
    assert f'data-testid="awaiting-{first.pk}"' in listing and f'data-testid="awaiting-{second.pk}"' in listing
    form = office_client.get(reverse("office:contract_new", args=[first.pk]))
    assert form.status_code == 200 and 'data-testid="contract-form"' in form.content.decode()
    done = office_client.post(reverse("office:contract_new", args=[first.pk]), GOOD)
    assert done.status_code == 302 and done["Location"] == reverse("office:contract", args=[first.pk])
    approve_pending("contract", Contract.objects.get(application=first))
    first.refresh_from_db()
    assert first.status == workflow.CONTRACTED
    page = office_client.get(done["Location"]).content.decode()
    assert "2025-10-10" in page and "中期检查通过后" in page
    # commitments by clause in the programme's clause order, with the programme's field labels
    assert page.index('commitment-clause-K3.1') < page.index('commitment-clause-P5')
    assert "参加人数：120" in page and "园区：海淀园" in page and "类型：委托研究" in page
    listing = office_client.get(reverse("office:contracts")).content.decode()
    assert f'data-testid="contract-{first.pk}"' in listing and f'data-testid="awaiting-{first.pk}"' not in listing
    # a second visit to the form goes to the contract
    again = office_client.get(reverse("office:contract_new", args=[first.pk]))
    assert again.status_code == 302


def test_form_keeps_input_and_names_the_field(awaiting, office_client):
    first = awaiting[0]
    bad = {**GOOD, "tranche2_amount": "5", "amount": "15"}
    page = office_client.post(reverse("office:contract_new", args=[first.pk]), bad)
    html = page.content.decode()
    assert page.status_code == 422
    assert "拨付计划：各期金额合计 14 万元，应等于合同金额 15 万元。" in html and 'data-testid="error-summary"' in html
    assert 'value="2025-10-10"' in html and 'value="中期检查通过后"' in html and 'name="tranche2_amount"' in html
    assert 'id="id_tranche2_amount" inputmode="decimal" value="5"' in html and "按任务书执行" in html
    typo = office_client.post(reverse("office:contract_new", args=[first.pk]), {**GOOD, "signed_on": "2025-13-01"})
    assert typo.status_code == 422 and "合同签署日：请填写日期" in typo.content.decode()
    assert not Contract.objects.exists()


def test_form_refuses_an_application_not_awaiting_a_contract(pipeline, awaiting, office_client):
    other = pipeline.application("丙协会", [])
    page = office_client.get(reverse("office:contract_new", args=[other.pk]))
    assert 'data-testid="contract-refusal"' in page.content.decode()
    assert 'data-testid="contract-form"' not in page.content.decode()
    assert office_client.post(reverse("office:contract_new", args=[other.pk]), GOOD).status_code == 422
    assert not Contract.objects.exists()


def test_office_only(awaiting, office_client, client):
    first = awaiting[0]
    office_client.post(reverse("office:contract_new", args=[first.pk]), GOOD)
    applicant = Client()
    applicant.force_login(first.organization.memberships.first().user)
    for url in (reverse("office:contracts"), reverse("office:contract_new", args=[first.pk]),
                reverse("office:contract", args=[first.pk])):
        assert applicant.get(url).status_code == 403
        assert applicant.post(url, GOOD).status_code in (403, 405)
        assert Client().get(url)["Location"].startswith(reverse("accounts:login"))
    assert Contract.objects.count() == 1


def test_applicant_sees_its_own_contract_only(awaiting, office_client):
    first, second, _selection = awaiting
    office_client.post(reverse("office:contract_new", args=[first.pk]), GOOD)
    approve_pending("contract", Contract.objects.get(application=first))
    own = Client()
    own.force_login(first.organization.memberships.first().user)
    html = own.get(reverse("applications:status", args=[first.pk])).content.decode()
    assert 'data-testid="contract"' in html and "2025-10-10" in html and "合同金额：15" in html
    assert 'data-testid="commitment-R2"' in html and "参加人数：120" in html
    other = Client()
    other.force_login(second.organization.memberships.first().user)
    assert other.get(reverse("applications:status", args=[first.pk])).status_code == 404
    own_status = other.get(reverse("applications:status", args=[second.pk])).content.decode()
    assert 'data-testid="contract"' not in own_status


def test_contract_pdf_lists_the_commitments_for_the_office_and_the_organization_only(awaiting, office_client):
    import io

    from pypdf import PdfReader

    from zgcfund.audit.models import AuditEvent

    first, second, _selection = awaiting
    office_client.post(reverse("office:contract_new", args=[first.pk]), GOOD)
    url = reverse("office:contract_pdf", args=[first.pk])
    member = Client()
    member.force_login(first.organization.memberships.first().user)
    assert member.get(url).status_code == 404  # proposed, not yet decided: the organization knows nothing
    approve_pending("contract", Contract.objects.get(application=first))
    response = office_client.get(url)
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages).replace(" ", "")
    assert "任务书" in text and first.organization.name in text and "中期检查通过后" in text
    contract = Contract.objects.get(application=first)
    for c in contract.commitments.all():
        assert c.record_key in text
    assert AuditEvent.objects.filter(action="download.contract_pdf", application=first).exists()
    assert member.get(url).status_code == 200
    status = member.get(reverse("applications:status", args=[first.pk])).content.decode()
    applicant_url = reverse("implementation:contract_pdf", args=[first.pk])
    assert applicant_url in status and member.get(applicant_url).status_code == 200
    outsider = Client()
    outsider.force_login(second.organization.memberships.first().user)
    assert outsider.get(url).status_code == 404 and outsider.get(applicant_url).status_code == 404
