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
