"""`make run`'s demo data: every printed login works, the demo is idempotent, and the office has an
application at each stage to look at (half-filled draft, pending organization, one under expert review)."""

import pytest
from django.core.management import call_command

from zgcfund.accounts.models import Organization, User
from zgcfund.applications.models import Application
from zgcfund.devtools.people import social_org_code
from zgcfund.review.domain.ranking import build_ranking
from zgcfund.web.management.commands.load_demo import COHORT, LOGINS

pytestmark = pytest.mark.django_db


def test_load_demo_twice_gives_working_logins_and_each_stage(loaded, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo")
    call_command("load_demo")
    for _who, (email, password, _name) in LOGINS:
        assert User.objects.get(email=email).check_password(password), email
    assert Organization.objects.count() == 3 + len(COHORT)
    statuses = sorted(Application.objects.values_list("status", flat=True))
    assert statuses == ["draft"] + ["under_review"] * (1 + len(COHORT))  # passed formal review, experts assigned
    awaiting = Application.objects.get(organization__credit_code=social_org_code(9003))
    assert awaiting.assignments.get().expert.email == "expert@demo.zgcfund.cn"
    assert awaiting.submissions.get().evaluation_prior["eligible"]
    # the cohort is ranked: every application eligible, three submitted reviews each, distinct ranks mostly
    ranking = build_ranking(awaiting.programme_code).ranking
    assert [r.reason for r in ranking.rows if r.rank is None and r.application_id != awaiting.pk] == []
    assert ranking.by_id()[awaiting.pk].rank is None  # one expert of three so far


def test_load_demo_on_the_demo_date_shows_the_implementation_period(loaded, settings, client):
    """`make run`'s date (issue 13): a selected organization under contract with one report accepted and one
    overdue, one organization accepted, and every implementation page of the office has data."""
    from django.urls import reverse

    from zgcfund.applications.domain import workflow
    from zgcfund.implementation.domain import funds, reports
    from zgcfund.implementation.models import Acceptance, Contract, ReportStatus
    from zgcfund.review.models import Decision

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ZGCFUND_CLOCK_DATE = "2026-07-20"
    call_command("load_demo")
    call_command("load_demo")  # idempotent: no stage runs twice
    code = loaded.code
    contracts = list(Contract.objects.order_by("-amount", "application__pk"))
    assert len(contracts) == 4 and all(c.status == "signed" for c in contracts)
    accepted = [c for c in contracts if c.application.status == workflow.ACCEPTED]
    assert len(accepted) == 1 and Acceptance.objects.get(contract=accepted[0]).conclusion == "passed"
    overdue = reports.overdue(code)
    # the second never reported 2026 Jan–Feb, nor its final report; the third's final report is extended
    assert {o.application.pk for o in overdue} == {contracts[1].application.pk}
    assert {o.round.kind for o in overdue} == {"k13_2026", "final"}
    assert contracts[1].reports.filter(status=ReportStatus.ACCEPTED).exists()  # one accepted, one overdue
    totals = funds.totals(code)
    assert totals.committed == sum(c.amount for c in contracts) and totals.paid > 0
    assert Decision.objects.filter(status="approved").count() >= 1 + 4 + 4 + 1 + 1  # selection, contracts, payments, acceptance
    client.force_login(User.objects.get(email="office@demo.zgcfund.cn"))
    for name, args in (("office:dashboard", []), ("office:contracts", []), ("office:decisions", []),
                       ("office:funds", []), ("office:report_rounds", []), ("office:results", []),
                       ("office:revenue_overview", []), ("office:acceptance", [accepted[0].application_id]),
                       ("office:contract", [contracts[1].application_id])):
        assert client.get(reverse(name, args=args)).status_code == 200, name
    dashboard = client.get(reverse("office:dashboard")).content.decode()
    assert contracts[1].application.organization.name in dashboard  # the overdue card
    member = accepted[0].application.organization.memberships.first().user
    client.force_login(member)
    status = client.get(reverse("applications:status", args=[accepted[0].application_id])).content.decode()
    assert "通过" in status and reverse("implementation:acceptance_pdf", args=[accepted[0].application_id]) in status
