"""Personal data leaves the site only on record and never into a cache: every export and download is an
office-only activity entry naming who took it (and a security-log entry with the client's address), and
answers ``Cache-Control: no-store``; so does every page a signed-in user sees. Public pages stay cacheable."""

from __future__ import annotations

import pytest
from django.urls import reverse
from tests.review.test_expert import passed  # noqa: F401  (fixture)

from zgcfund.audit.models import AuditEvent, SecurityEvent, SecurityEventKind, Visibility

pytestmark = pytest.mark.django_db


def _evidence(app):
    return app.evidence_files.get(kind="record")


# (id, who downloads, URL, activity action)
DOWNLOADS = [
    ("json-export", "applicant", lambda app, code: reverse("applications:export_json", args=[app.pk]),
     "application.export"),
    ("submission-pdf", "applicant", lambda app, code: reverse("applications:submission_pdf", args=[app.pk, 1]),
     "download.submission_pdf"),
    ("draft-pdf", "applicant", lambda app, code: reverse("applications:draft_pdf", args=[app.pk]),
     "application.preview"),
    ("evidence", "applicant", lambda app, code: reverse("applications:evidence_download", args=[_evidence(app).pk]),
     "download.evidence"),
    ("evidence-by-office", "office_user",
     lambda app, code: reverse("applications:evidence_download", args=[_evidence(app).pk]) + "?download=1",
     "download.evidence"),
    ("filled-list", "applicant",
     lambda app, code: reverse("applications:list_template", args=[app.pk, "K3.2"]) + "?filled=1", "download.list"),
    ("review-report", "office_user", lambda app, code: reverse("office:review_report", args=[app.pk]),
     "export.review_report"),
    *[(f"office-{kind}", "office_user", lambda app, code, kind=kind: reverse("office:export_download", args=[code, kind]),
       f"export.{kind}") for kind in ("formal", "expert-scores", "clause-scores", "ranking")],
]


@pytest.mark.parametrize(("who", "url", "action"), [d[1:] for d in DOWNLOADS], ids=[d[0] for d in DOWNLOADS])
def test_download_is_not_cached_and_is_recorded_naming_the_user(client, passed, loaded, request, who, url, action):  # noqa: F811
    user = request.getfixturevalue(who)
    client.force_login(user)
    response = client.get(url(passed, loaded.code))
    assert response.status_code == 200
    cache_control = response["Cache-Control"]
    assert "no-store" in cache_control and "private" in cache_control, cache_control
    event = AuditEvent.objects.filter(action=action).latest("pk")
    assert event.actor == user and event.visibility == Visibility.OFFICE
    if not action.startswith("export.") or action == "export.review_report":
        assert event.application == passed
    path = response.request["PATH_INFO"]
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.PERSONAL_DATA, user=user, path=path).exists()


def test_blank_list_template_holds_no_ones_data_and_is_not_recorded(client, passed, applicant):  # noqa: F811
    client.force_login(applicant)
    response = client.get(reverse("applications:list_template", args=[passed.pk, "K3.2"]))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert not AuditEvent.objects.filter(action="download.list").exists()


def test_head_of_an_evidence_file_sends_nothing_and_records_nothing(client, passed, applicant):  # noqa: F811
    client.force_login(applicant)
    response = client.head(reverse("applications:evidence_download", args=[_evidence(passed).pk]))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert not AuditEvent.objects.filter(action="download.evidence").exists()


def test_evidence_thumbnail_is_not_cached(client, passed, applicant):  # noqa: F811
    client.force_login(applicant)
    response = client.get(reverse("applications:evidence_thumbnail", args=[_evidence(passed).pk]))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(("who", "name", "args"), [
    ("applicant", "applications:history", "app"),
    ("applicant", "applications:overview", "app"),
    ("applicant", "accounts:organization", None),
    ("applicant", "dashboard", None),
    ("applicant", "home", None),  # a public page, but this answer is for a signed-in user
    ("office_user", "office:dashboard", None),
    ("office_user", "office:formal_review", "app"),
    (None, "accounts:login", None),  # private prefix, even anonymous
    (None, "accounts:register", None),
])
def test_private_pages_are_not_cached(client, passed, request, who, name, args):  # noqa: F811
    if who:
        client.force_login(request.getfixturevalue(who))
    response = client.get(reverse(name, args=[passed.pk] if args else []))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_public_pages_stay_cacheable(client, db):
    for url in (reverse("home"), reverse("healthz")):
        response = client.get(url)
        assert response.status_code == 200
        assert "no-store" not in response.get("Cache-Control", ""), url
