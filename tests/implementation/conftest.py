"""Fixtures for the implementation tests: two applications through the real selection (bands with amounts),
published and past the notice period, so both wait for their contract (``published``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from tests.review.test_ranking_web import BASE_TIME, evaluation, same

from zgcfund.accounts.models.user import Role
from zgcfund.applications.domain.editing import application_for
from zgcfund.applications.models import EvidenceFile, Submission
from zgcfund.review.domain import selection as selections
from zgcfund.review.models import Assignment, ClauseScore

PRIOR = {"id": "R1", "clause": "K3.1", "phase": "prior", "date": "2025-03-02", "title": "人工智能产业对接会",
         "park": "海淀园", "participants": 85}
PLAN_K31 = {"id": "R2", "clause": "K3.1", "phase": "plan", "date": "2026-03-10", "title": "大模型应用对接会",
            "park": "海淀园", "participants": 120}
PLAN_P5 = {"id": "R3", "clause": "P5", "phase": "plan", "date": "2026-04-01", "title": "产业研究报告",
           "type": "commissioned", "completed": False}
PLAN_K31_LATE = {**PLAN_K31, "id": "R4", "date": "2026-05-20", "title": "科技服务沙龙", "participants": 60}


def document(code: str, records: list[dict]) -> dict:
    return {"format": "zgc-application/1", "programme": code, "applied_on": "2025-09-01", "records": records}


class Pipeline:
    """Applications with submissions (plan records in their documents) and expert scores, taken through a
    real selection: by bands (甲 15 万元, 乙 10 万元), confirmed, published, notice period ended."""

    def __init__(self, make_org, make_user, office_user, loaded):
        self.make_org, self.make_user, self.office, self.loaded = make_org, make_user, office_user, loaded
        self.experts = [make_user(f"impl-expert{i}@zgc.example", role=Role.EXPERT, full_name=f"评审{i}") for i in range(3)]
        self.n = 0

    def application(self, name: str, scores, *, records=(), resubmitted=()):
        self.n += 1
        org = self.make_org(name)
        user = self.make_user(f"impl-applicant{self.n}@example.org", organization=org, full_name=f"申报人{self.n}")
        app = application_for(org, user)
        commitment = EvidenceFile.objects.create(application=app, kind="commitment", name="承诺书.png", sha256="0" * 64)
        submission = None
        for number, recs in enumerate([list(records), *([list(resubmitted)] if resubmitted else [])], start=1):
            submission = Submission.objects.create(
                application=app, number=number, submitted_at=BASE_TIME + dt.timedelta(minutes=number), submitted_by=user,
                document=document(app.programme_code, recs), evaluation_prior=evaluation(10, 5),
                evaluation_projected={}, programme_sha256=app.programme_year.sha256, engine_version="t",
                commitment=commitment, pdf="submissions/dummy.pdf", pdf_sha256="0" * 64)
        from zgcfund.applications.domain import workflow

        app.status = workflow.FORMAL_PASSED
        app.save(update_fields=["status"])
        for expert, sheet in zip(self.experts, scores, strict=False):
            a = Assignment.objects.create(application=app, expert=expert, submission=submission,
                                          assigned_by=self.office, submitted_at=BASE_TIME)
            ClauseScore.objects.bulk_create(ClauseScore(assignment=a, clause=c, score=Decimal(s)) for c, s in sheet.items())
        app.user = user
        return app

    def publish(self, settings):
        spec = {"method": "by_bands", "bands": [
            {"name": "一档", "ranks": [1, 1], "amount": "15"},
            {"name": "二档", "ranks": [2, 2], "amount": "10"}]}
        draft = selections.save_draft(self.loaded.code, spec, self.office)
        selections.confirm(draft, self.office)
        published = selections.publish(draft, self.office, 7)
        settings.ZGCFUND_CLOCK_DATE = (published.notice_ends_on + dt.timedelta(days=1)).isoformat()
        selections.end_notice(published, self.office)
        # the contracts are signed (the tests' 2025-10-10) and recorded afterwards: a signing date is never ahead
        settings.ZGCFUND_CLOCK_DATE = max(published.notice_ends_on + dt.timedelta(days=1), SIGNING_RECORDED).isoformat()
        return published


#: the day the office records the tests' contracts (signed 2025-10-10)
SIGNING_RECORDED = dt.date(2025, 10, 12)


@pytest.fixture
def pipeline(loaded, make_org, make_user, office_user):
    return Pipeline(make_org, make_user, office_user, loaded)


@pytest.fixture
def awaiting(pipeline, settings):
    """甲 (15 万元; its second submission drops R4) and 乙 (10 万元), both ``published``."""
    first = pipeline.application("甲协会", same("12", "8"), records=[PRIOR, PLAN_K31, PLAN_K31_LATE, PLAN_P5],
                                 resubmitted=[PRIOR, PLAN_P5, PLAN_K31])
    second = pipeline.application("乙协会", same("10", "5"), records=[PRIOR, PLAN_K31])
    selection = pipeline.publish(settings)
    for app in (first, second):
        app.refresh_from_db()
    return first, second, selection


@pytest.fixture
def office_client(client, office_user):
    client.force_login(office_user)
    return client
