"""Shared by the acceptance tests: an application under contract whose submission is a complete
zgc-application/1 document (organization, prior and plan records), moved on to ``reporting``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from tests.review.decision_helpers import approve_pending
from tests.review.test_ranking_web import same as impl_same

from zgcfund.applications.domain import workflow
from zgcfund.implementation.domain import contracts
from zgcfund.implementation.domain.contracts import TrancheInput

SIGNED = dt.date(2025, 10, 10)
TODAY = "2026-07-10"
ACCEPTED_ON = dt.date(2026, 7, 1)
ORGANIZATION = {"name": "北京中关村科技企业服务协会", "credit_code": "51110108MJ0182K58P", "comprehensive": False,
                "registers_tech_contracts": False}
P7_PRIOR = {"id": "V1", "clause": "P7", "phase": "prior", "date": "2025-05-15", "title": "企业服务沙龙",
            "type": "service_event", "participants": 40}
P7_PLAN = {"id": "V2", "clause": "P7", "phase": "plan", "date": "2026-05-20", "title": "中关村企业服务品牌活动",
           "type": "brand_event", "years_held": 1, "participants": 200}
PRIOR = {"id": "R1", "clause": "K3.1", "phase": "prior", "date": "2025-03-02", "title": "人工智能产业对接会",
         "park": "海淀园", "participants": 85}
PLAN_K31 = {"id": "R2", "clause": "K3.1", "phase": "plan", "date": "2026-03-10", "title": "大模型应用对接会",
            "park": "海淀园", "participants": 120}
PLAN_P5 = {"id": "R3", "clause": "P5", "phase": "plan", "date": "2026-04-01", "title": "产业研究报告",
           "type": "commissioned", "completed": False}
RECORDS = [PRIOR, PLAN_K31, PLAN_P5, P7_PRIOR, P7_PLAN]


def full_document(code: str, records: list[dict]) -> dict:
    return {"format": "zgc-application/1", "programme": code, "applied_on": "2025-09-01", "contract_signed_on": None,
            "organization": ORGANIZATION, "choices": {}, "records": records}


def reporting_contract(pipeline, office_user, settings):
    """甲协会 under contract (signed 2025-10-10), implementing then reporting; the clock at 2026-07-10.
    ``pipeline``: the implementation tests' ``Pipeline``; its submissions become complete documents."""
    with mock.patch.dict(type(pipeline).application.__globals__, {"document": full_document}):
        app = pipeline.application("甲协会", impl_same("12", "8"), records=RECORDS)
        pipeline.application("乙协会", impl_same("10", "5"), records=RECORDS)
    pipeline.publish(settings)
    app.refresh_from_db()
    contract = contracts.record_contract(app, office_user, signed_on=SIGNED, amount=Decimal("15"),
                                         tranches=[TrancheInput(SIGNED, Decimal("15"), "")])
    approve_pending("contract", contract)
    contract.refresh_from_db()
    workflow.transition(app, "start_implementation", office_user)
    workflow.transition(app, "request_report", office_user)
    settings.ZGCFUND_CLOCK_DATE = TODAY
    app.refresh_from_db()
    contract.refresh_from_db()
    return contract


@pytest.fixture
def reporting(pipeline, office_user, settings):
    return reporting_contract(pipeline, office_user, settings)
