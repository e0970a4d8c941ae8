"""Before confirming a selection, the office sees which eligible applications it leaves out because their
expert reviews are unfinished (issue 12), apart from the ineligible ones; and every irreversible step on
the page asks for confirmation (data-confirm on its button, js/confirm.js)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from tests.review.test_ranking_web import same

from zgcfund.review.domain import selection as domain

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(seed):
    """甲 ranked; 乙 eligible but only one expert submitted; 丙 ineligible (fully reviewed)."""
    return [seed.application("甲协会", scores=same("12", "8")),
            seed.application("乙协会", scores=same("10", "5"), submitted=(True, False, False)),
            seed.application("丙协会", scores=same("13", "9"), eligible=False,
                             problems=[{"rule": "X-P-TWO", "message": "专业服务能力至少两项"}])]


def test_unfinished_reviews_are_told_apart_from_ineligible(three, loaded, office_user):
    _ranked, unfinished, ineligible = three
    draft = domain.save_draft(loaded.code, {"method": "by_count", "n": 1}, office_user)
    found = domain.unfinished_reviews(draft.result)
    assert [o["application_id"] for o in found] == [unfinished.pk]
    assert found[0]["organization_name"] == "乙协会"
    assert "已提交评分的专家 1 人，少于最低要求 3 人" in found[0]["detail"]
    assert ineligible.pk not in {o["application_id"] for o in found}


def test_an_application_both_ineligible_and_unfinished_counts_as_ineligible(seed, loaded, office_user):
    seed.application("丁协会", scores=same("13", "9"), submitted=(True, False, False), eligible=False,
                     problems=[{"rule": "X-P-TWO", "message": "专业服务能力至少两项"}])
    draft = domain.save_draft(loaded.code, {"method": "by_count", "n": 1}, office_user)
    assert domain.unfinished_reviews(draft.result) == []


def test_the_detail_page_names_them_before_confirmation(three, loaded, office_user, office_client):
    _ranked, unfinished, _ineligible = three
    draft = domain.save_draft(loaded.code, {"method": "by_count", "n": 1}, office_user)
    html = office_client.get(reverse("office:selection_detail", args=[draft.pk])).content.decode()
    box = html.split('data-testid="unfinished-reviews"')[1].split("</section>")[0]
    assert "1 份符合申报条件的申报书因专家评分未完成，不参加本次遴选" in box
    assert f'data-testid="unfinished-{unfinished.pk}"' in box and "乙协会" in box
    assert reverse("office:assign_application", args=[unfinished.pk]) in box
    assert "丙协会" not in box and "甲协会" not in box
    # the confirmation asks first, naming what cannot be undone and the one left out
    form = html.split('data-testid="confirm-form"')[1].split("</form>")[0]
    assert "data-confirm=" in form and "不能再修改" in form and "1 份专家评分未完成的申报书不参加本次遴选" in form


def test_no_list_when_every_eligible_application_is_reviewed(seed, loaded, office_user, office_client):
    seed.application("甲协会", scores=same("12", "8"))
    draft = domain.save_draft(loaded.code, {"method": "by_count", "n": 1}, office_user)
    html = office_client.get(reverse("office:selection_detail", args=[draft.pk])).content.decode()
    assert 'data-testid="unfinished-reviews"' not in html


def test_publish_and_end_notice_ask_for_confirmation(three, loaded, office_user, office_client, settings):
    import datetime as dt

    draft = domain.save_draft(loaded.code, {"method": "by_count", "n": 1}, office_user)
    domain.confirm(draft, office_user)
    html = office_client.get(reverse("office:selection_detail", args=[draft.pk])).content.decode()
    publish = html.split('data-testid="publish-form"')[1].split("</form>")[0]
    assert "data-confirm=" in publish and "公示不能撤回" in publish
    selection = domain.publish(draft, office_user, 7)
    settings.ZGCFUND_CLOCK_DATE = (selection.notice_ends_on + dt.timedelta(days=1)).isoformat()
    html = office_client.get(reverse("office:selection_detail", args=[draft.pk])).content.decode()
    end = html.split('data-testid="end-notice-form"')[1].split("</form>")[0]
    assert "data-confirm=" in end and "不能恢复为公示中" in end
    assert 'id="confirm-dialog"' in html  # base.html carries the one dialog
