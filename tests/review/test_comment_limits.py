"""Free text written by the office and the experts has a maximum length (core.bounds): an over-long
comment, reason or objection is refused with a Chinese message naming the field and the limit,
nothing is saved, and everything else that was typed stays on the page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from tests.review.test_expert import expert, make_expert, passed  # noqa: F401  (fixtures)
from tests.review.test_formal import submitted  # noqa: F401  (fixture)
from tests.review.test_selection_web import confirmed, four  # noqa: F401  (fixtures)

from zgcfund.programmes.domain import clock
from zgcfund.programmes.domain.extensions import ExtensionRefused, grant_extension
from zgcfund.programmes.models import WindowExtension
from zgcfund.review.domain import assignment as assigning
from zgcfund.review.domain import scoring
from zgcfund.review.domain import selection as selection_domain
from zgcfund.review.models import ClauseScore, FormalReview, Objection, RecordVerdict

pytestmark = pytest.mark.django_db


def test_formal_review_comment_over_the_limit_is_refused_and_the_other_comments_stay(client, submitted,  # noqa: F811
                                                                                      office_user):
    client.force_login(office_user)
    response = client.post(reverse("office:formal_review", args=[submitted.pk]), {
        "outcome": "returned", "comment": "意" * 2001, "comment-K3.1-001": "请补充签到表"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "审查意见过长（2001字），不得超过2000字" in html
    assert "请补充签到表" in html and "意" * 2001 in html
    assert not FormalReview.objects.exists()
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_record_comment_over_the_limit_is_refused_naming_the_record(client, submitted, office_user):  # noqa: F811
    client.force_login(office_user)
    response = client.post(reverse("office:formal_review", args=[submitted.pk]), {
        "outcome": "returned", "comment": "请修改", "comment-K3.1-001": "意" * 2001})
    assert response.status_code == 422
    assert "记录 K3.1-001 的意见过长（2001字），不得超过2000字" in response.content.decode()
    assert not FormalReview.objects.exists()


def test_expert_comment_over_the_limit_is_refused_and_the_scores_stay(client, passed, expert, office_user):  # noqa: F811
    [assignment] = assigning.assign(passed, [expert], office_user)
    client.force_login(expert)
    response = client.post(reverse("expert:review", args=[assignment.pk]), {
        "action": "save", "verdict-K3.1-002": "reject", "reason-K3.1-002": "签到表人数不足",
        "score-K3.1": "9.5", "comment-K3.1": "评" * 2001})
    assert response.status_code == 422
    html = response.content.decode()
    assert "K3.1：评语过长（2001字），不得超过2000字。" in html
    assert 'value="9.5"' in html and "签到表人数不足" in html
    assert not ClauseScore.objects.exists() and not RecordVerdict.objects.exists()


def test_expert_rejection_reason_over_the_limit_is_refused(passed, expert, office_user):  # noqa: F811
    [assignment] = assigning.assign(passed, [expert], office_user)
    with pytest.raises(assigning.ReviewInvalid) as exc:
        scoring.save_review(assignment, expert, scoring.ReviewInput(verdicts={"K3.1-002": "reject"},
                                                                  reasons={"K3.1-002": "因" * 501}))
    assert exc.value.errors == {"reason-K3.1-002": "记录 K3.1-002：不认可理由过长（501字），不得超过500字。"}


@pytest.mark.any_hour  # dates are Beijing dates at any hour
def test_objection_over_the_limit_is_refused_and_the_form_keeps_its_input(four, office_client, office_user,  # noqa: F811
                                                                          loaded):
    selection = selection_domain.publish(confirmed(office_client, loaded, office_user), office_user, 7)
    response = office_client.post(reverse("office:selection_objection", args=[selection.pk]), {
        "application": four[0].pk, "received_on": selection.notice_ends_on.isoformat(), "submitter_name": "张三",
        "content": "异" * 5001, "handling": "已转评审组核查"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "异议内容过长（5001字），不得超过5000字" in html
    assert "张三" in html and "已转评审组核查" in html
    assert not Objection.objects.exists()
    with pytest.raises(selection_domain.SelectionInvalid) as exc:
        selection_domain.record_objection(selection, office_user, application_id=four[0].pk,
                                          received_on=selection.notice_ends_on, submitter_name="张" * 101,
                                          submitter_unit="", content="材料不实")
    assert exc.value.errors == {"submitter_name": "异议人姓名过长（101字），不得超过100字"}


def test_extension_reason_over_the_limit_is_refused(application, office_user, open_window):
    open_window.closes_at = clock.now() - dt.timedelta(hours=1)
    open_window.save()
    with pytest.raises(ExtensionRefused, match=r"延期理由过长（501字），不得超过500字"):
        grant_extension(open_window.code, application.organization, clock.now() + dt.timedelta(days=1), "由" * 501,
                        office_user)
    assert not WindowExtension.objects.exists()
