"""The office's switches and dates (kind: office, unit switch/date) in core.scheme: editable form
values, typed parsing with named Chinese errors, and listed as changes; official dates are not."""

from __future__ import annotations

import datetime as dt

import pytest
from casekit import build_application

from zgcfund.core.engine import evaluate
from zgcfund.core.programme import load_programme
from zgcfund.core.scheme import (
    SchemeEditError,
    differs_beyond_scheme,
    edit_scheme,
    scheme_changes,
    scheme_values,
    scoring_only_change,
)

PROGRAMME = load_programme()
SETTINGS = {"prior_until_window_close": "false", "application_window_closes": "2025-12-31",
            "p1_drafting_counts": "false", "k54_uncompleted_counts": "false"}


def test_office_switches_and_dates_are_scheme_values_official_dates_are_not():
    values = scheme_values(PROGRAMME)
    assert {k: values[f"param.{k}"] for k in SETTINGS} == SETTINGS
    assert not any(f"param.{name}" in values for name, p in PROGRAMME.parameters.items()
                   if p.official and p.unit == "date")


def test_a_switch_and_a_date_are_written_and_listed_as_changes():
    edited = edit_scheme(PROGRAMME, {"param.p1_drafting_counts": "true", "param.application_window_closes": "2025-10-31",
                                     "param.k54_uncompleted_counts": "false"}, version="2025-office-2")
    assert edited.parameters["p1_drafting_counts"].values[-1][1] is True
    assert edited.parameters["application_window_closes"].values[-1][1] == dt.date(2025, 10, 31)
    assert [(c.key, c.clause, c.old, c.new) for c in scheme_changes(PROGRAMME, edited)] == [
        ("param.application_window_closes", "W-PRIOR", "2025-12-31", "2025-10-31"),
        ("param.p1_drafting_counts", "P1", "false", "true")]
    # a setting changes what counts: not a re-scoring, and nothing beyond the scheme's values changed
    assert not scoring_only_change(PROGRAMME, edited)
    assert not differs_beyond_scheme(PROGRAMME, edited)
    doc = build_application({"records": [{"id": "s1", "clause": "P1", "type": "national", "status": "drafting"}]},
                            {}, PROGRAMME)
    assert evaluate(doc, PROGRAMME)["clauses"]["P1"]["status"] == "not_met"
    assert evaluate(doc, edited)["clauses"]["P1"]["status"] == "met"


@pytest.mark.parametrize(("key", "raw", "fragment"), [
    ("param.application_window_closes", "2025-02-30", "“2025-02-30”不是有效日期（格式 YYYY-MM-DD"),
    ("param.application_window_closes", "2025/10/31", "不是有效日期"),
    ("param.application_window_closes", "", "请填写日期"),
    ("param.p1_drafting_counts", "maybe", "请选择“是”或“否”"),
])
def test_bad_settings_are_named_with_the_reason(key, raw, fragment):
    with pytest.raises(SchemeEditError) as exc:
        edit_scheme(PROGRAMME, {key: raw}, version="v2")
    label = PROGRAMME.parameters[key.removeprefix("param.")].label
    assert exc.value.problems[key].startswith(label) and fragment in exc.value.problems[key]
    assert "__all__" not in exc.value.problems  # a bad value is not "nothing changed"


def test_an_unchanged_setting_is_not_a_change():
    with pytest.raises(SchemeEditError) as exc:
        edit_scheme(PROGRAMME, {f"param.{k}": v for k, v in SETTINGS.items()}, version="v2")
    assert "没有修改" in exc.value.problems["__all__"]
