"""How many experts the plan requires, and which applications fall short (issue 12): the assignment pages
name the number (the selection plan's aggregation minimum, else the ranking settings' default) and mark
and count the applications with fewer experts assigned, or fewer reviews submitted, than required."""

from __future__ import annotations

import pytest
from django.urls import reverse
from tests.review.test_ranking_web import same

from zgcfund.review.domain.plan import required_experts, staffing
from zgcfund.review.domain.ranking import DEFAULT_SETTINGS
from zgcfund.review.models import SelectionPlan

pytestmark = pytest.mark.django_db


def test_required_experts_from_the_plan_else_the_default(loaded):
    assert required_experts(loaded.code) == DEFAULT_SETTINGS["min_experts"] == 3
    SelectionPlan.objects.create(code=loaded.code, ranking_settings={"method": "mean", "min_experts": 2})
    assert required_experts(loaded.code) == 2
    SelectionPlan.objects.filter(code=loaded.code).update(ranking_settings={"method": "mean"})  # the plan sets none
    assert required_experts(loaded.code) == 3


def test_staffing_counts_assigned_and_submitted(seed):
    app = seed.application("甲协会", scores=same("10", "5"), submitted=(True, True, False))
    s = staffing(app.assignments.all(), 3)
    assert (s.assigned, s.submitted, s.too_few_assigned, s.too_few_submitted, s.short) == (3, 2, False, True, True)
    assert staffing(app.assignments.all(), 2).short is False
    assert staffing([], 3).to_assign == 3


def test_the_assignment_list_marks_and_counts_the_applications_short_of_experts(seed, office_client, loaded):
    full = seed.application("甲协会", scores=same("10", "5"))
    unfinished = seed.application("乙协会", scores=same("10", "5"), submitted=(True, False, False))
    few = seed.application("丙协会", scores=same("10", "5")[:1])
    url = reverse("office:assign", args=[loaded.code])
    html = office_client.get(url).content.decode()
    assert 'data-testid="required-experts">3<' in html
    assert "2 份申报书专家不足" in html
    rows = {app: html.split(f'data-testid="assign-row-{app.pk}"')[1].split("</tr>")[0] for app in (full, unfinished, few)}
    assert 'data-short="1"' not in rows[full] and "专家不足" not in rows[full] and "评分未齐" not in rows[full]
    assert "评分未齐：已提交 1 / 3 位" in rows[unfinished]
    assert "专家不足：已分配 1 / 3 位" in rows[few]
    assert 'id="id_per_application" value="3"' in html  # the bulk form starts from the requirement

    only_short = office_client.get(url, {"short": "1"}).content.decode()
    assert f"assign-row-{full.pk}" not in only_short
    assert f"assign-row-{unfinished.pk}" in only_short and f"assign-row-{few.pk}" in only_short
    assert "专家不足的申报书（2 份）" in only_short

    SelectionPlan.objects.create(code=loaded.code, ranking_settings={"method": "mean", "min_experts": 1})
    html = office_client.get(url).content.decode()
    assert 'data-testid="required-experts">1<' in html
    assert "份申报书专家不足" not in html and "都已达到要求的专家人数" in html


def test_one_applications_page_names_the_requirement(seed, office_client):
    few = seed.application("丙协会", scores=same("10", "5")[:1])
    html = office_client.get(reverse("office:assign_application", args=[few.pk])).content.decode()
    assert "遴选计划要求至少 3 位专家提交评分；已分配 1 位，已提交评分 1 位。" in html
    assert "专家不足：还需分配 2 位" in html
