"""The expert's review page lists the submission's records by clause, in the programme's clause order
(as formal review does), whatever order they were entered in, with a link to each clause's group (issue 12)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from tests.applications.test_list_table import k11_records
from tests.review.test_expert import K31, K31_B, png

from zgcfund.accounts.models.user import Role
from zgcfund.applications.domain.editing import application_for, save_record
from zgcfund.applications.domain.evidence import store_commitment_scan
from zgcfund.applications.domain.submission import content_version, submit_application
from zgcfund.review.domain import assignment as assigning
from zgcfund.review.domain.formal import decide

pytestmark = pytest.mark.django_db


def test_records_are_grouped_by_clause_in_clause_order(client, org, applicant, office_user, open_window, make_user):
    app = application_for(org, applicant)
    save_record(app, applicant, "K3.1", K31)  # entered first, listed after K1.1
    k11_records(app, applicant, 3)
    save_record(app, applicant, "K3.1", K31_B)
    app.refresh_from_db()
    commitment = store_commitment_scan(app, applicant, png(name="承诺书.png"))
    app.refresh_from_db()
    submit_application(app, applicant, commitment_accepted=True, commitment=commitment,
                       opened_version=content_version(app))
    app.refresh_from_db()
    decide(app, office_user, "passed", "", {})
    app.refresh_from_db()
    expert = make_user("expert1@zgc.example", role=Role.EXPERT, full_name="专家1")
    [assignment] = assigning.assign(app, [expert], office_user)
    client.force_login(expert)
    html = client.get(reverse("expert:review", args=[assignment.pk])).content.decode()
    sections = re.findall(r'<section class="card" id="records-([^"]+)"', html)
    assert sections == ["K1.1", "K3.1"]
    k31 = html.split('id="records-K3.1"', 1)[1]
    assert re.findall(r'data-testid="record-(K[\d.]+-\d+)"', k31) == ["K3.1-001", "K3.1-002"]
    nav = html.split('data-testid="record-groups-nav"', 1)[1].split("</nav>", 1)[0]
    assert 'href="#records-K1.1"' in nav and "（3 条）" in nav and 'href="#records-K3.1"' in nav
