"""The final basis (验收) against the selection bases, on the realistic fixtures.

* Prior records count on the final basis exactly as on the prior basis: with the acceptance date on
  the application date (the same as-of date) and no plan record delivered, the final evaluation is
  the prior one, except that the plan records are rejected by DELIVERY instead of left outside the basis.
* With every plan record delivered and verified, the final basis counts at most what the projected
  basis counts (delivered work is also held to the per-record conditions of performance).
"""

from __future__ import annotations

import copy
import datetime as dt

import pytest
from regenerate_golden import applications, read_document

from zgcfund.core.engine import evaluate
from zgcfund.core.errors import InvalidDocument
from zgcfund.core.programme import load_programme

PROGRAMME = load_programme()
APPS = applications()


def _as_of_application(doc: dict) -> dict:
    doc = copy.deepcopy(doc)
    doc["accepted_on"] = doc["applied_on"]
    doc["contract_signed_on"] = None  # the acceptance date may not precede the contract
    return doc


def _without(clause: dict, rule: str) -> dict:
    out = {k: v for k, v in clause.items() if k != "trace"}
    out["rejected"] = [r for r in clause["rejected"] if r["rule"] != rule]
    return out


@pytest.mark.parametrize("app", APPS, ids=[a.stem for a in APPS])
def test_prior_records_count_on_final_as_on_prior(app):
    doc = _as_of_application(read_document(app))
    prior, final = evaluate(doc, PROGRAMME, "prior"), evaluate(doc, PROGRAMME, "final")
    assert final["basis"] == "final" and final["outside_basis"] == []
    plan_ids = {r["id"] for r in doc["records"] if r["phase"] == "plan"}
    assert sorted(prior["outside_basis"]) == sorted(plan_ids)
    delivery = sorted(r["record"] for c in final["clauses"].values() for r in c["rejected"] if r["rule"] == "DELIVERY")
    assert delivery == sorted(plan_ids)
    for key in ("eligible", "problems", "warnings", "score"):
        assert final[key] == prior[key], key
    for cid in PROGRAMME.clauses:
        assert _without(final["clauses"][cid], "DELIVERY") == _without(prior["clauses"][cid], "DELIVERY"), cid


@pytest.mark.parametrize("app", APPS, ids=[a.stem for a in APPS])
def test_delivered_plan_records_count_at_most_as_projected(app):
    doc = read_document(app)
    doc["accepted_on"] = "2026-07-15"
    for r in doc["records"]:
        if r["phase"] == "plan":
            r["delivery"] = {"status": "delivered", "verified": True}
    final, projected = evaluate(doc, PROGRAMME, "final"), evaluate(doc, PROGRAMME, "projected")
    for cid in PROGRAMME.clauses:
        assert set(final["clauses"][cid]["counted"]) <= set(projected["clauses"][cid]["counted"]) or \
            final["clauses"][cid]["status"] == "not_chosen", cid
    # delivered and verified: DELIVERY keeps out only work dated after the acceptance date
    late = {r["id"] for r in doc["records"] if r["phase"] == "plan" and r["date"] > doc["accepted_on"]}
    assert {r["record"] for c in final["clauses"].values() for r in c["rejected"] if r["rule"] == "DELIVERY"} == late


def test_final_without_accepted_on_is_refused():
    doc = read_document(APPS[0])
    doc.pop("accepted_on", None)
    with pytest.raises(InvalidDocument) as info:
        evaluate(doc, PROGRAMME, "final")
    assert [p.path for p in info.value.problems] == ["accepted_on"]


def test_accepted_on_changes_nothing_on_the_selection_bases():
    for app in APPS:
        doc = read_document(app)
        with_date = {**doc, "accepted_on": (dt.date(2026, 7, 15)).isoformat()}
        for basis in ("prior", "projected"):
            assert evaluate(with_date, PROGRAMME, basis) == evaluate(doc, PROGRAMME, basis), (app.stem, basis)
