"""Office scheme edits (core.scheme): a new programme text changing only what was asked, named
errors for bad values, and re-scoring a stored evaluation exactly as a fresh evaluation would."""

from __future__ import annotations

import json
import random
from decimal import Decimal

import pytest
from regenerate_golden import applications, read_document

from zgcfund.core.engine import BASES, evaluate
from zgcfund.core.programme import load_programme
from zgcfund.core.scheme import (
    SchemeEditError,
    edit_scheme,
    editable_parameters,
    rescore,
    scheme_changes,
    scheme_values,
    scoring_only_change,
)

PROGRAMME = load_programme()
APPS = applications()


def _plain(evaluation: dict) -> dict:
    """An evaluation as JSON gives it back (what a Submission stores)."""
    return json.loads(json.dumps(evaluation, default=str))


def test_scheme_values_cover_every_scored_clause_and_numeric_parameter():
    values = scheme_values(PROGRAMME)
    for cid in PROGRAMME.clauses:
        assert f"{cid}.base" in values
    assert values["param.industry_growth_rate"] == "0"  # K1.3
    assert "param.prior_start" not in values  # dates are windows, not scheme numbers
    assert set(editable_parameters(PROGRAMME)) == {k.removeprefix("param.") for k in values if k.startswith("param.")}


def test_edit_writes_a_new_version_changing_only_the_numbers_asked():
    values = scheme_values(PROGRAMME) | {"K1.1.base": "12", "P7.increments.0.cap": "7"}
    edited = edit_scheme(PROGRAMME, values, version="2025-office-2", note="提高K1.1基础分")
    assert edited.sha256 != PROGRAMME.sha256
    assert edited.scoring["version"] == "2025-office-2"
    assert edited.scoring["note"] == "提高K1.1基础分"
    assert [(c.key, c.old, c.new) for c in scheme_changes(PROGRAMME, edited)] == [
        ("K1.1.base", "10", "12"), ("P7.increments.0.cap", "5", "7")]
    assert scoring_only_change(PROGRAMME, edited)
    assert edited.max_score("K1.1") == PROGRAMME.max_score("K1.1") + 2
    # the text before the scoring section is untouched (comments and all)
    head = PROGRAMME.source_text[:PROGRAMME.source_text.index("\nscoring:")]
    assert edited.source_text.startswith(head)


def test_K1_3_industry_growth_rate_is_a_dated_parameter_change_not_a_scoring_change():
    edited = edit_scheme(PROGRAMME, {"param.industry_growth_rate": "0.05"}, version="2025-office-3")
    assert edited.parameters["industry_growth_rate"].values[-1][1] == Decimal("0.05")
    assert not scoring_only_change(PROGRAMME, edited)
    assert [c.clause for c in scheme_changes(PROGRAMME, edited)] == ["K1.3"]


@pytest.mark.parametrize(("values", "field", "fragment"), [
    ({"K1.1.base": "-1"}, "K1.1.base", "不能为负数"),
    ({"K1.1.base": "十"}, "K1.1.base", "不是数字"),
    ({"K1.1.increments.0.every": "0"}, "K1.1.increments.0.every", "须大于 0"),
    ({"K1.1.base": "1.00001"}, "K1.1.base", "四位小数"),
    ({"param.k11_min_enterprises": "49.5"}, "param.k11_min_enterprises", "须为整数"),
    ({"param.k11_min_enterprises": "-3"}, "param.k11_min_enterprises", "不能为负数"),
    ({"K1.1.base": ""}, "K1.1.base", "请填写"),
])
def test_bad_values_are_named_with_the_reason(values, field, fragment):
    with pytest.raises(SchemeEditError) as exc:
        edit_scheme(PROGRAMME, values, version="v2")
    assert fragment in exc.value.problems[field]
    assert exc.value.problems[field].startswith(field.split(".")[0] if not field.startswith("param.") else "调研")


def test_a_negative_growth_rate_is_allowed_for_K1_3():
    edited = edit_scheme(PROGRAMME, {"param.industry_growth_rate": "-0.02"}, version="v2")
    assert edited.parameters["industry_growth_rate"].values[-1][1] < 0


def test_version_must_be_new_and_something_must_change():
    with pytest.raises(SchemeEditError) as exc:
        edit_scheme(PROGRAMME, scheme_values(PROGRAMME), version=PROGRAMME.scoring["version"])
    assert "不同于当前" in exc.value.problems["version"]
    assert "没有修改" in exc.value.problems["__all__"]


def _random_scheme(rng: random.Random) -> dict[str, str]:
    values = scheme_values(PROGRAMME)
    for key in values:
        if key.startswith("param."):
            continue
        if rng.random() < 0.4:
            field = key.rsplit(".", 1)[-1]
            values[key] = str(rng.randint(1, 12) if field == "every" else rng.choice([0, 1, 2, 3, 5, 8, 12, 20, 2.5]))
    return values


@pytest.mark.parametrize("seed", range(12))
def test_rescore_equals_a_fresh_evaluation_under_the_new_scheme(seed):
    rng = random.Random(seed)
    edited = edit_scheme(PROGRAMME, _random_scheme(rng), version=f"random-{seed}")
    assert scoring_only_change(PROGRAMME, edited)
    for name in APPS:
        doc = read_document(name)
        for basis in BASES:
            stored = _plain(evaluate(doc, PROGRAMME, basis))
            expected = _plain(evaluate(doc, edited, basis))
            got = _plain(rescore(stored, edited))
            assert got.pop("rescored_from") == {"programme_sha256": PROGRAMME.sha256,
                                                "scoring_version": PROGRAMME.scoring["version"]}
            assert got == expected, (name, basis)
