"""Stored content is sacred: submissions, programme versions, formal reviews, confirmed selections and
audit events refuse QuerySet.update() and delete() as well as save(); audit events outlive what
they describe."""

from __future__ import annotations

import pytest

from zgcfund.applications.models import Application, Submission
from zgcfund.audit.domain import record_event
from zgcfund.audit.immutable import ImmutableRowError
from zgcfund.audit.models import AuditEvent, Visibility
from zgcfund.programmes.models import ProgrammeYear
from zgcfund.review.domain.formal import decide
from zgcfund.review.models import FormalReview
from zgcfund.review.models.selection import Selection

pytestmark = pytest.mark.django_db

@pytest.fixture
def submitted(submitted_application):
    return submitted_application


def test_submission_refuses_update_and_delete(submitted):
    rows = Submission.objects.filter(application=submitted)
    with pytest.raises(ImmutableRowError):
        rows.update(document={})
    with pytest.raises(ImmutableRowError):
        rows.delete()
    assert rows.get().document["records"]


def test_formal_review_refuses_update_and_delete(submitted, office_user):
    decide(submitted, office_user, "passed", "材料齐全", {})
    with pytest.raises(ImmutableRowError):
        FormalReview.objects.update(outcome="returned")
    with pytest.raises(ImmutableRowError):
        FormalReview.objects.all().delete()
    assert FormalReview.objects.get().outcome == "passed"


def test_programme_version_only_changes_which_is_current(loaded):
    rows = ProgrammeYear.objects.filter(pk=loaded.pk)
    with pytest.raises(ImmutableRowError):
        rows.update(source_text="")
    with pytest.raises(ImmutableRowError):
        rows.delete()
    assert rows.update(is_current=True) == 1


def test_audit_events_are_append_only(application, applicant):
    record_event("test.event", "测试", actor=applicant, application=application, visibility=Visibility.OFFICE)
    with pytest.raises(ImmutableRowError):
        AuditEvent.objects.update(summary="改写")
    with pytest.raises(ImmutableRowError):
        AuditEvent.objects.filter(action="test.event").delete()


def test_audit_events_outlive_the_application_they_describe(application, applicant):
    record_event("test.event", "申报书“演示”的操作", actor=applicant, application=application,
                 visibility=Visibility.ORGANIZATION)
    org = application.organization
    Application.objects.filter(pk=application.pk).delete()  # a draft with no submission may be removed
    event = AuditEvent.objects.get(action="test.event")
    assert event.application is None and event.organization == org and "演示" in event.summary


def test_confirmed_selection_refuses_change_but_records_publication(loaded, office_user):
    from django.utils import timezone

    draft = Selection.objects.create(code=loaded.code, method="count", spec={}, result={}, programme_sha256="x" * 64,
                                     scoring_version="v1", created_by=office_user)
    assert Selection.objects.filter(pk=draft.pk).update(method="quota") == 1  # a draft is free
    Selection.objects.filter(pk=draft.pk).update(confirmed_by=office_user, confirmed_at=timezone.now())
    rows = Selection.objects.filter(pk=draft.pk)
    with pytest.raises(ImmutableRowError):
        rows.update(result={"selected": []})
    with pytest.raises(ImmutableRowError):
        rows.delete()
    assert rows.update(published_at=timezone.now(), published_by=office_user, notice_days=7) == 1
