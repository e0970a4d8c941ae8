"""`make run`'s demo data: every printed login works, the demo is idempotent, and the office has an
application at each stage to look at (half-filled draft, pending organization, one under expert review)."""

import pytest
from django.core.management import call_command

from zgcfund.accounts.models import Organization, User
from zgcfund.applications.models import Application
from zgcfund.web.management.commands.load_demo import LOGINS

pytestmark = pytest.mark.django_db


def test_load_demo_twice_gives_working_logins_and_each_stage(loaded, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo")
    call_command("load_demo")
    for _who, (email, password, _name) in LOGINS:
        assert User.objects.get(email=email).check_password(password), email
    assert Organization.objects.count() == 3
    statuses = sorted(Application.objects.values_list("status", flat=True))
    assert statuses == ["draft", "formal_passed"]
    reviewed = Application.objects.get(status="formal_passed")
    assert reviewed.assignments.get().expert.email == "expert@demo.zgcfund.cn"
    assert reviewed.submissions.get().evaluation_prior["eligible"]
