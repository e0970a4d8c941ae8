"""The applicant's status page after publication (issue 12): whether the application was selected (its band
and amount, if any), the notice period and what comes next; a courteous line when not selected. Nothing
before publication. The selection is the review app's: applications reads it through the slot
``applications.domain.outcome.published_outcome`` filled in ReviewConfig.ready."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from tests.review.test_ranking_web import Seeder, same

from zgcfund.accounts.models import User
from zgcfund.applications.domain import outcome
from zgcfund.review.domain import selection as domain
from zgcfund.review.domain.selection import applicant_outcome
from zgcfund.review.interfaces import forms

pytestmark = [pytest.mark.django_db, pytest.mark.any_hour]


@pytest.fixture
def seed(loaded, make_org, make_user, office_user):
    return Seeder(make_org, make_user, office_user)


@pytest.fixture
def two(seed):
    return [seed.application("甲协会", scores=same("12", "8")), seed.application("乙协会", scores=same("10", "5"))]


def member(application):
    return User.objects.get(membership__organization=application.organization)


def status_html(client, application) -> str:
    client.force_login(member(application))
    response = client.get(reverse("applications:status", args=[application.pk]))
    assert response.status_code == 200
    return response.content.decode()


def bands_spec():
    return forms.selection_spec({"method": "by_bands", "band1_name": "一档", "band1_first": "1", "band1_last": "1",
                                 "band1_amount": "20"})


def test_the_slot_is_filled_by_the_review_app():
    assert outcome.published_outcome is applicant_outcome


def test_nothing_before_publication(two, loaded, office_user, client):
    selection = domain.save_draft(loaded.code, bands_spec(), office_user)
    domain.confirm(selection, office_user)
    assert outcome.outcome_for(two[0]) is None
    assert 'data-testid="selection-outcome"' not in status_html(client, two[0])


def test_selected_with_band_and_amount_and_what_comes_next(two, loaded, office_user, client, settings):
    selection = domain.save_draft(loaded.code, bands_spec(), office_user)
    domain.confirm(selection, office_user)
    selection = domain.publish(selection, office_user, 7)
    first, second = (type(a).objects.get(pk=a.pk) for a in two)
    html = status_html(client, first)
    box = html.split('data-testid="selection-outcome"')[1].split("</section>")[0]
    assert "已入选2025年中关村社会组织支持项目" in box
    assert "支持档次：一档" in box and "支持金额：20 万元" in box
    assert f"公示期至 {selection.notice_ends_on:%Y-%m-%d}" in box
    assert "异议" in box and "签订支持合同" in box

    html = status_html(client, second)
    box = html.split('data-testid="selection-outcome"')[1].split("</section>")[0]
    assert "本次未入选" in box and "感谢" in box
    assert "一档" not in box and "甲协会" not in box  # nothing about anyone else
    assert f"公示期至 {selection.notice_ends_on:%Y-%m-%d}" in box

    # after the notice period: selected and awaiting the contract
    settings.ZGCFUND_CLOCK_DATE = (selection.notice_ends_on + dt.timedelta(days=1)).isoformat()
    domain.end_notice(selection, office_user)
    first.refresh_from_db()
    box = status_html(client, first).split('data-testid="selection-outcome"')[1].split("</section>")[0]
    assert f"公示已于 {selection.notice_ends_on:%Y-%m-%d} 期满" in box and "签订支持合同" in box


def test_by_count_has_no_band_or_amount(two, loaded, office_user, client):
    selection = domain.save_draft(loaded.code, {"method": "by_count", "n": 1}, office_user)
    domain.confirm(selection, office_user)
    domain.publish(selection, office_user, 7)
    box = status_html(client, two[0]).split('data-testid="selection-outcome"')[1].split("</section>")[0]
    assert "已入选" in box and 'data-testid="outcome-award"' not in box


def test_withdrawn_before_publication_learns_nothing(two, loaded, office_user, client):
    from zgcfund.applications.domain import workflow

    selection = domain.save_draft(loaded.code, {"method": "by_count", "n": 1}, office_user)
    domain.confirm(selection, office_user)
    workflow.transition(two[0], "withdraw", member(two[0]), reason="不再申报")
    domain.publish(selection, office_user, 7)
    assert 'data-testid="selection-outcome"' not in status_html(client, type(two[0]).objects.get(pk=two[0].pk))
