"""The office ranking page: rows built from the database (submitted experts' ClauseScores, the
latest submission's evaluation) match the core; ineligible listed after ranked; filters; access."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from zgcfund.accounts.models.user import Role
from zgcfund.applications.domain import workflow
from zgcfund.applications.domain.editing import application_for
from zgcfund.applications.models import EvidenceFile, Submission
from zgcfund.core.ranking import AggregationConfig, ExpertScores, aggregate, clause_scales, rank, row_from_review
from zgcfund.review.domain.ranking import build_ranking
from zgcfund.review.models import Assignment, ClauseScore

pytestmark = pytest.mark.django_db

BASE_TIME = timezone.make_aware(dt.datetime(2025, 9, 1, 9, 0))


def evaluation(k, p, *, eligible=True, problems=()):
    return {"eligible": eligible, "problems": list(problems), "score": {"K": k, "P": p, "total": k + p},
            "clauses": {"K3.1": {"status": "met"}, "P1": {"status": "met" if eligible else "not_met"}}}


class Seeder:
    """Applications in formal_passed with a Submission (built through the ORM) and expert scores."""

    def __init__(self, make_org, make_user, office_user):
        self.make_org, self.make_user, self.office = make_org, make_user, office_user
        self.experts = [make_user(f"rank-expert{i}@zgc.example", role=Role.EXPERT, full_name=f"评审{i}") for i in range(3)]
        self.n = 0

    def application(self, name, *, org=None, eligible=True, problems=(), engine=(10, 5), minutes=0,
                    scores=None, submitted=(True, True, True)):
        """``scores``: per expert, a dict clause → score string (default: identical scores per expert)."""
        self.n += 1
        org = org or self.make_org(name)
        user = self.make_user(f"rank-applicant{self.n}@example.org", organization=org)
        app = application_for(org, user)
        commitment = EvidenceFile.objects.create(application=app, kind="commitment", name="承诺书.png", sha256="0" * 64)
        submission = Submission.objects.create(
            application=app, number=1, submitted_at=BASE_TIME + dt.timedelta(minutes=minutes), submitted_by=user,
            document={}, evaluation_prior=evaluation(*engine, eligible=eligible, problems=problems),
            evaluation_projected={}, programme_sha256=app.programme_year.sha256, engine_version="t", commitment=commitment,
            pdf="submissions/dummy.pdf", pdf_sha256="0" * 64)
        app.status = workflow.FORMAL_PASSED
        app.save(update_fields=["status"])
        for expert, sheet, done in zip(self.experts, scores or [], submitted, strict=False):
            a = Assignment.objects.create(application=app, expert=expert, submission=submission, assigned_by=self.office,
                                          submitted_at=timezone.now() if done else None)
            ClauseScore.objects.bulk_create(ClauseScore(assignment=a, clause=c, score=Decimal(s)) for c, s in sheet.items())
        return app


def same(k31, p1):
    return [{"K3.1": k31, "P1": p1}] * 3


def test_rows_from_database_match_the_core(seed, programme, loaded):
    a = seed.application("甲协会", scores=[{"K3.1": "10", "P1": "5"}, {"K3.1": "11", "P1": "6"}, {"K3.1": "12", "P1": "7"}])
    b = seed.application("乙协会", scores=same("8", "4"), minutes=5)
    c = seed.application("丙协会", scores=same("13", "9"), eligible=False,
                         problems=[{"rule": "X-P-TWO", "message": "专业服务能力至少两项"}])
    built = build_ranking(loaded.code)
    scales = clause_scales(programme)
    expected_rows = []
    for app, sheets in ((a, [{"K3.1": "10", "P1": "5"}, {"K3.1": "11", "P1": "6"}, {"K3.1": "12", "P1": "7"}]),
                        (b, same("8", "4")), (c, same("13", "9"))):
        agg = aggregate(app.pk, [ExpertScores(e.pk, s) for e, s in zip(seed.experts, sheets, strict=True)], scales,
                        AggregationConfig(), missing="zero")
        sub = app.submissions.get()
        expected_rows.append(row_from_review(app.pk, app.organization.name, agg, organization_id=app.organization_id,
                                             evaluation=sub.evaluation_prior, first_submitted_at=sub.submitted_at))
    expected = rank(expected_rows)
    assert [(r.application_id, r.rank, r.row.total) for r in built.ranking.rows] == \
        [(r.application_id, r.rank, r.row.total) for r in expected.rows]
    assert [r.application_id for r in built.ranking.rows] == [a.pk, b.pk, c.pk]  # ineligible after ranked
    assert built.ranking.rows[0].row.total == Decimal("17.00") and built.ranking.rows[2].rank is None
    assert built.details[c.pk].gate_rules == ("X-P-TWO",)


def test_unsubmitted_expert_ignored_and_too_few_experts_unranked(seed, loaded):
    partial = seed.application("丁协会", scores=same("9", "9"), submitted=(True, True, False))
    built = build_ranking(loaded.code)
    row = built.ranking.by_id()[partial.pk]
    assert row.rank is None and "少于最低要求 3 人" in row.reason
    assert built.details[partial.pk].experts_submitted == 2
    assert build_ranking(loaded.code, {"min_experts": 2}).ranking.by_id()[partial.pk].rank == 1


def test_query_count_does_not_grow_with_applications(seed, loaded):
    """Cold (evaluations under the version computed and stored) and warm (read back) alike."""
    for i in range(3):
        seed.application(f"协会{i}", scores=same("5", "5"))
    with CaptureQueriesContext(connection) as few_cold:
        build_ranking(loaded.code)
    with CaptureQueriesContext(connection) as few:
        build_ranking(loaded.code)
    for i in range(3, 8):
        seed.application(f"协会{i}", scores=same("5", "5"))
    with CaptureQueriesContext(connection) as more_cold:
        build_ranking(loaded.code)
    with CaptureQueriesContext(connection) as more:
        build_ranking(loaded.code)
    assert len(more) == len(few) <= 6
    assert len(more_cold) == len(few_cold)


def test_ranking_page_lists_and_filters(seed, office_client, loaded):
    a = seed.application("人工智能协会", scores=[{"K3.1": "1", "P1": "1"}, {"K3.1": "14", "P1": "1"}, {"K3.1": "7", "P1": "1"}])
    b = seed.application("区块链协会", scores=same("8", "4"))
    c = seed.application("不合格协会", scores=same("2", "2"), eligible=False, problems=[{"rule": "X-K1-TWO", "message": "…"}])
    url = reverse("office:ranking", args=[loaded.code])
    page = office_client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and "X-K1-TWO" in html and "首次提交时间早者在前" in html  # the tie rule is shown
    assert html.index("区块链协会") < html.index("人工智能协会") < html.index("不合格协会")
    eligible = office_client.get(url, {"eligible": "1"}).content.decode()
    assert "不合格协会" not in eligible and "区块链协会" in eligible
    flagged = office_client.get(url, {"flagged": "1"}).content.decode()  # K3.1 spread 13 > 5
    assert f"ranking-row-{a.pk}" in flagged and f"ranking-row-{b.pk}" not in flagged
    search = office_client.get(url, {"q": "区块"}).content.decode()
    assert f"ranking-row-{b.pk}" in search and f"ranking-row-{c.pk}" not in search
    by_total = office_client.get(url, {"sort": "total"}).content.decode()
    assert by_total.index(f"ranking-row-{c.pk}") < by_total.index(f"ranking-row-{b.pk}")
    assert office_client.get(url, {"sort": "bogus", "page": "x"}).status_code == 200


def test_ranking_page_paginates(seed, office_client, loaded, monkeypatch):
    from zgcfund.review.views import ranking as view

    monkeypatch.setattr(view, "PER_PAGE", 2)
    for i in range(3):
        seed.application(f"分页协会{i}", scores=same("5", "5"), minutes=i)
    url = reverse("office:ranking", args=[loaded.code])
    assert office_client.get(url).content.decode().count('data-testid="ranking-row-') == 2
    assert office_client.get(url, {"page": 2}).content.decode().count('data-testid="ranking-row-') == 1


def test_ranking_page_office_only(client, applicant, loaded):
    url = reverse("office:ranking", args=[loaded.code])
    client.force_login(applicant)
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302


def test_unknown_programme_404(office_client, loaded):
    assert office_client.get(reverse("office:ranking", args=["NOPE"])).status_code == 404


def test_dashboard_links_ranking_and_selection(office_client, loaded):
    html = office_client.get(reverse("office:dashboard")).content.decode()
    assert reverse("office:ranking", args=[loaded.code]) in html and reverse("office:selection", args=[loaded.code]) in html


def test_page_reuses_the_built_ranking_until_its_inputs_change(seed, loaded, monkeypatch):
    from zgcfund.review.domain import ranking as domain

    a = seed.application("甲协会", scores=same("8", "4"))
    first = domain.current_ranking(loaded.code)
    assert domain.current_ranking(loaded.code) is first  # nothing changed: reused
    # a score changed even outside the audited services (ORM) is seen
    ClauseScore.objects.filter(assignment__application=a, clause="K3.1").update(score=Decimal("9"))
    again = domain.current_ranking(loaded.code)
    assert again is not first and again.ranking.by_id()[a.pk].row.total == Decimal("13.00")
    b = seed.application("乙协会", scores=same("9", "9"))
    assert b.pk in domain.current_ranking(loaded.code).ranking.by_id()
