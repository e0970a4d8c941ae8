"""X-P-GROW (zgcfund.core.pgrow), issue 13: professional capability at acceptance against the application.

"通过支持，专业服务能力需有提升，包括服务种类有增加，或服务事项有拓展，或服务数量有增加".
The application side is its prior records; the acceptance side its prior records plus the plan records
delivered and verified (delivery.status delivered / partly_delivered, delivery.verified true).
"""

from __future__ import annotations

import copy
import json
from decimal import Decimal as D

import pytest
from casekit import ORG_CREDIT_CODE as ORG

from zgcfund.core.engine import evaluate
from zgcfund.core.pgrow import DID_NOT_GROW, GREW, PGrowInputError, delivered, p_growth
from zgcfund.core.programme import load_programme

PROGRAMME = load_programme()
DONE = {"status": "delivered", "verified": True}


def doc(*records: dict) -> dict:
    out = []
    for i, r in enumerate(records):
        rec = {"id": f"r{i + 1}", "phase": "prior", "date": "2025-06-01", "title": f"{r['clause']} 记录 {i + 1}", **r}
        out.append(rec)
    return {"format": "zgc-application/1", "programme": "zgc-social-org-2025", "applied_on": "2025-09-20",
            "contract_signed_on": None,
            "organization": {"name": "北京测试科技服务协会", "credit_code": ORG,
                             "comprehensive": False, "registers_tech_contracts": False},
            "records": out}


def accepted(application: dict, *plan: dict) -> dict:
    """The acceptance document: the application's records plus delivered plan records."""
    out = copy.deepcopy(application)
    n = len(out["records"])
    for i, r in enumerate(plan):
        out["records"].append({"id": f"q{n + i + 1}", "phase": "plan", "date": "2026-03-01",
                               "title": f"{r['clause']} 计划 {i + 1}", "delivery": DONE, **r})
    return out


P7 = {"clause": "P7", "type": "service_event", "participants": 80}
P3_BJ = {"clause": "P3", "type": "intl_conference", "participants": 150, "foreign_speakers": 3,
         "foreign_attendees": 10, "nonprofit": True, "location": "beijing", "online": False}
P6 = {"clause": "P6", "type": "offline", "services": 60}
BASE = doc(P7, P7, P3_BJ, P6)


def test_X_P_GROW_none_grew_when_no_plan_work_was_delivered():
    acceptance = accepted(BASE, {**P7, "delivery": {"status": "not_delivered", "reason": "活动取消", "verified": True}},
                          {**P7, "delivery": {"status": "delivered"}})  # not verified
    result = p_growth(BASE, acceptance)
    assert result.verdict == DID_NOT_GROW and not result.grew
    assert result.reasons[0].startswith("专业服务能力未见提升")
    p7 = result.area("P7")
    assert not p7.grew and "服务种类、服务事项、服务数量均未增加" in p7.reasons
    assert result.to_dict()["reasons"][0]["rule"] == "X-P-GROW"


def test_X_P_GROW_more_kinds():
    result = p_growth(BASE, accepted(BASE, {"clause": "P7", "type": "brand_event", "years_held": 3, "participants": 0}))
    p7 = result.area("P7")
    assert result.verdict == GREW and p7.grew and p7.more_kinds
    assert p7.kinds_added == ("品牌活动",)
    assert "服务种类增加：新增品牌活动" in p7.reasons
    assert not result.area("P3").grew


def test_X_P_GROW_wider_scope():
    abroad = {**P3_BJ, "location": "abroad"}
    result = p_growth(BASE, accepted(BASE, abroad))
    p3 = result.area("P3")
    assert p3.grew and p3.wider_scope and not p3.more_kinds
    assert p3.scope_added == ("举办地（国际性会议、境外参展）：境外",)
    assert any(r.startswith("服务事项拓展：新增举办地") for r in p3.reasons)
    # P1: a standard published through another body
    p1 = {"clause": "P1", "type": "group", "status": "published", "publisher": "中国标准化协会"}
    app = doc(p1)
    wider = p_growth(app, accepted(app, {**p1, "publisher": "北京市标准化协会"}))
    assert wider.area("P1").scope_added == ("发布单位：北京市标准化协会",)
    same = p_growth(app, accepted(app, {**p1, "publisher": " 中国标准化协会"}))  # same body, spaced
    assert same.area("P1").scope_added == ()


def test_X_P_GROW_larger_numbers():
    result = p_growth(BASE, accepted(BASE, {**P6, "services": 40}))
    p6 = result.area("P6")
    assert result.grew and p6.grew and not p6.more_kinds and not p6.wider_scope
    grown = {q.key: (q.before, q.after) for q in p6.larger_numbers}
    assert grown == {"records": (D(1), D(2)), "P6.services": (D(60), D(100))}
    assert "服务数量增加：工作项数 1 → 2，服务家次 60 → 100" in p6.reasons
    # a partly delivered record counts with what it delivered
    partly = p_growth(BASE, accepted(BASE, {**P7, "participants": 30,
                                            "delivery": {"status": "partly_delivered", "reason": "实到30人", "verified": True}}))
    assert {q.key for q in partly.area("P7").larger_numbers} == {"records", "P7.participants"}


def test_X_P_GROW_a_P_area_newly_started():
    result = p_growth(BASE, accepted(BASE, {"clause": "P4", "type": "tech_transfer"}))
    p4 = result.area("P4")
    assert result.grew and p4.grew and p4.newly_started
    assert p4.reasons[0] == "申报时未开展，验收时新开展本项"
    assert p4.kinds_added == ("科技成果在企业转化",)
    assert any(r.startswith("P4 促进园区竞争力提升：申报时未开展") for r in result.reasons)
    untouched = result.area("P2")
    assert not untouched.grew and untouched.reasons == ("申报时和验收时均未开展",)


def test_X_P_GROW_shrinkage_is_stated_but_growth_elsewhere_counts():
    acceptance = accepted(BASE, {"clause": "P4", "type": "park_study"})
    for r in acceptance["records"]:
        if r["clause"] == "P3":
            r["verified"] = False  # the reviewer rejected it at acceptance
    result = p_growth(BASE, acceptance)
    assert result.grew
    p3 = result.area("P3")
    assert not p3.grew and p3.kinds_dropped == ("国际性会议",)
    assert any(r.startswith("减少：服务种类国际性会议") for r in p3.reasons)
    assert any(r.startswith("P3 加强国际交流合作") for r in result.reasons)


def test_X_P_GROW_only_work_the_engine_counted_with_an_evaluation():
    # the application's abroad conference lies before W-PRIOR: the engine does not count it, so an
    # abroad conference delivered later widens the scope; taken as the document states it, it would not
    early = {**P3_BJ, "location": "abroad", "date": "2024-05-01"}
    app = doc(P7, P7, P3_BJ, early, P6)
    evaluation = evaluate(app, PROGRAMME, "prior")
    assert "r4" not in evaluation["clauses"]["P3"]["counted"]
    acceptance = accepted(app, {**P3_BJ, "location": "abroad"})
    assert p_growth(app, acceptance).area("P3").scope_added == ()
    judged = p_growth(app, acceptance, application_evaluation=evaluation)
    assert judged.area("P3").scope_added == ("举办地（国际性会议、境外参展）：境外",)
    with pytest.raises(PGrowInputError, match="format"):
        p_growth(app, acceptance, acceptance_evaluation={"clauses": {}})


def test_X_P_GROW_delivered_means_verified_delivery_of_a_plan_record():
    assert delivered({"phase": "plan", "delivery": DONE})
    assert not delivered({"phase": "prior", "delivery": DONE})
    assert not delivered({"phase": "plan", "delivery": {"status": "delivered", "verified": False}})
    assert not delivered({"phase": "plan"})
    # the application's own plan records never count on its side
    app = doc(P7, {**P7, "phase": "plan", "delivery": DONE})
    assert p_growth(app, app).area("P7").before.records == ("r1",)


def test_X_P_GROW_documents_of_different_programmes_refused():
    other = {**BASE, "programme": "zgc-social-org-2026"}
    with pytest.raises(PGrowInputError, match="不是同一项目"):
        p_growth(BASE, other)


def test_X_P_GROW_to_dict_is_json():
    result = p_growth(BASE, accepted(BASE, {**P6, "services": 40}))
    data = json.loads(json.dumps(result.to_dict(), ensure_ascii=False))
    assert data["rule"] == "X-P-GROW" and data["verdict"] == "grew"
    p6 = next(a for a in data["areas"] if a["area"] == "P6")
    assert p6["larger_numbers"] and not p6["more_kinds"]
    assert {"key": "P6.services", "label": "服务家次", "before": "60", "after": "100"} in p6["quantities"]
    assert [a["area"] for a in data["areas"]] == ["P1", "P2", "P3", "P4", "P5", "P6", "P7"]
