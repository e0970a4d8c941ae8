"""The new accounts and security pages have an English interface too (``?language=en``)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from tests.web.test_english import check_english

from zgcfund.accounts.models.organization import MemberRole
from zgcfund.audit.models import SecurityEvent, SecurityEventKind

pytestmark = pytest.mark.django_db


def test_office_accounts_and_security_log_in_english(client, office_user, applicant):
    for kind in SecurityEventKind.values:
        SecurityEvent.objects.create(kind=kind, user=applicant, identity=applicant.email, address="192.0.2.1")
    client.force_login(office_user)
    check_english(client, [reverse("office:accounts"), reverse("office:account_detail", args=[applicant.pk]),
                           reverse("office:account_detail", args=[office_user.pk]), reverse("office:security_log")])
    page = client.get(reverse("office:security_log"), {"language": "en"}).content.decode()
    assert "Failed login" in page and "Access refused" in page


def test_member_pages_in_english(client, applicant, make_user, org, make_org):
    editor = make_user("editor@ai-assoc.example", organization=org, member_role=MemberRole.EDITOR)
    client.force_login(applicant)
    check_english(client, [reverse("accounts:members"), reverse("accounts:member_remove", args=[editor.membership.pk])])
    pending_admin = make_user("admin@pending.example", organization=make_org(approved=False))
    client.force_login(pending_admin)
    check_english(client, [reverse("accounts:members")])


def test_the_403_page_in_english(client, applicant):
    client.force_login(applicant)
    response = client.get(reverse("office:dashboard"), {"language": "en"})
    assert response.status_code == 403 and "Access denied" in response.content.decode()
