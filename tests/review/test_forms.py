"""The review app's request parsing (``review.interfaces.forms``): posted strings in, the typed values
the domain takes out, or the form's errors keyed by field name with the Chinese messages the pages show."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import QueryDict

from zgcfund.core.selection import DEFAULT_CAP
from zgcfund.review.domain.plan import save_plan
from zgcfund.review.domain.scoring import ReviewInput
from zgcfund.review.domain.selection import SelectionInvalid
from zgcfund.review.interfaces import forms

SETTINGS = {"agg_method": "trimmed_mean", "min_experts": "3", "trim_min_experts": "3",
            "clause_spread_threshold": "5", "total_spread_threshold": "15"}


def errors_of(parse, data) -> dict[str, str]:
    with pytest.raises(SelectionInvalid) as caught:
        parse(data)
    return caught.value.errors


# --- the expert's review form -------------------------------------------------------------------

def test_review_input_sorts_the_posted_fields_by_prefix_and_ignores_the_rest():
    data = QueryDict(mutable=True)
    data.update({"csrfmiddlewaretoken": "x", "action": "submit", "verdict-K3.1-001": "reject",
                 "reason-K3.1-001": "重复", "score-K3.1": "9.5", "comment-K3.1": "扎实", "score-P1": ""})
    assert forms.review_input(data) == ReviewInput(verdicts={"K3.1-001": "reject"}, reasons={"K3.1-001": "重复"},
                                                   scores={"K3.1": "9.5", "P1": ""}, comments={"K3.1": "扎实"})


def test_review_input_of_nothing_is_empty():
    assert forms.review_input({}) == ReviewInput()


# --- the selection spec -------------------------------------------------------------------------

def test_by_count_spec():
    assert forms.selection_spec({"method": "by_count", "n": " 4 "}) == {"method": "by_count", "n": 4}


@pytest.mark.parametrize("method", ["", "by_lottery"])
def test_an_unknown_method_is_refused(method):
    assert errors_of(forms.selection_spec, {"method": method}) == {"method": "遴选方式：请选择按数量、按预算或按档次。"}


@pytest.mark.parametrize("raw", ["0", "-1", "abc", "1.5", ""])
def test_a_bad_quota_is_refused_with_what_was_typed(raw):
    assert errors_of(forms.selection_spec, {"method": "by_count", "n": raw}) == {
        "n": f"入选数量：请填写正整数（收到“{raw}”）。"}


def test_by_budget_spec_defaults_the_cap_per_organization():
    spec = forms.selection_spec({"method": "by_budget", "budget": "100", "amount_per_application": "12.5"})
    assert spec == {"method": "by_budget", "budget": "100", "amount_per_application": "12.5",
                    "cap_per_organization": str(DEFAULT_CAP)}
    assert forms.selection_spec({"method": "by_budget", "budget": "100", "amount_per_application": "10",
                                 "cap_per_organization": "30"})["cap_per_organization"] == "30"


def test_by_budget_amounts_are_checked():
    errors = errors_of(forms.selection_spec, {"method": "by_budget", "budget": "十万", "amount_per_application": "",
                                              "cap_per_organization": "-5"})
    assert errors == {"budget": "总预算：“十万”不是数字。", "amount_per_application": "每项支持金额：请填写金额（万元）。",
                      "cap_per_organization": "单位年度支持上限：须为不小于 0 的数字（万元）。"}
    assert errors_of(forms.selection_spec, {"method": "by_budget", "budget": "NaN", "amount_per_application": "1"}) == {
        "budget": "总预算：须为不小于 0 的数字（万元）。"}


def test_by_bands_spec_skips_empty_rows_and_names_unnamed_bands():
    spec = forms.selection_spec({"method": "by_bands", "band1_name": "一档", "band1_first": "1", "band1_last": "2",
                                 "band1_amount": "25", "band3_first": "3", "band3_last": "5", "band3_amount": "10"})
    assert spec == {"method": "by_bands", "cap_per_organization": str(DEFAULT_CAP),
                    "bands": [{"name": "一档", "ranks": [1, 2], "amount": "25"},
                              {"name": "第 3 档", "ranks": [3, 5], "amount": "10"}]}


@pytest.mark.parametrize(("first", "last"), [("0", "2"), ("3", "2"), ("a", "2"), ("1", "")])
def test_a_bad_band_range_is_refused(first, last):
    errors = errors_of(forms.selection_spec, {"method": "by_bands", "band1_first": first, "band1_last": last,
                                              "band1_amount": "10"})
    assert errors == {"band1_first": "第 1 档名次范围：起止名次须为正整数且起 ≤ 止。"}


def test_by_bands_needs_a_band():
    assert errors_of(forms.selection_spec, {"method": "by_bands"}) == {
        "band1_name": "按档次：请至少填写一个档次（名次范围和金额）。"}


def test_tie_decisions_come_from_a_list_and_only_for_count_and_budget():
    data = QueryDict(mutable=True)
    data.update({"method": "by_count", "n": "2"})
    data.setlist("tie_decision", ["7", "x", "3"])
    assert forms.selection_spec(data)["tie_decision"] == [7, 3]
    assert forms.selection_spec({"method": "by_count", "n": "2", "tie_decision": ["5"]})["tie_decision"] == [5]
    bands = {"method": "by_bands", "band1_first": "1", "band1_last": "1", "band1_amount": "5", "tie_decision": ["5"]}
    assert "tie_decision" not in forms.selection_spec(bands)


def test_spec_initial_round_trips_through_the_parser():
    spec = {"method": "by_bands", "cap_per_organization": "20",
            "bands": [{"name": "一档", "ranks": [1, 2], "amount": "25"}]}
    values = {k: str(v) for k, v in forms.spec_initial(spec).items()}
    assert forms.selection_spec(values) == spec


# --- the plan: spec and ranking settings --------------------------------------------------------

def test_ranking_settings_are_typed():
    assert forms.ranking_settings(SETTINGS) == {"method": "trimmed_mean", "min_experts": 3, "trim_min_experts": 3,
                                                "clause_spread_threshold": "5", "total_spread_threshold": "15"}


def test_bad_ranking_settings_are_refused_together():
    errors = errors_of(forms.ranking_settings, {"agg_method": "median", "min_experts": "0", "trim_min_experts": "2",
                                                "clause_spread_threshold": "-1", "total_spread_threshold": "多"})
    assert errors == {"agg_method": "汇总方式：请选择算术平均或去掉最高最低分后平均。",
                      "min_experts": "最少专家人数：请填写不小于 1 的整数（收到“0”）。",
                      "trim_min_experts": "去掉最高最低分所需最少专家人数：请填写不小于 3 的整数（收到“2”）。",
                      "clause_spread_threshold": "单条款分差提示阈值：请填写不小于 0 的数字（收到“-1”）。",
                      "total_spread_threshold": "总分分差提示阈值：请填写不小于 0 的数字（收到“多”）。"}


def test_the_plan_reports_both_parts_and_drops_tie_decisions():
    errors = errors_of(forms.selection_plan, {"method": "by_count", "n": "0", **SETTINGS, "min_experts": ""})
    assert set(errors) == {"n", "min_experts"}
    spec, settings = forms.selection_plan({"method": "by_count", "n": "2", "tie_decision": ["4"], **SETTINGS})
    assert spec == {"method": "by_count", "n": 2} and settings["min_experts"] == 3


@pytest.mark.django_db
def test_save_plan_takes_typed_values_and_refuses_an_invalid_aggregation(office_user):
    spec, settings = forms.selection_plan({"method": "by_budget", "budget": "100", "amount_per_application": "10",
                                           **SETTINGS})
    plan = save_plan("ZGC-TEST", spec, settings, office_user)
    assert plan.selection_spec["budget"] == "100" and plan.ranking_settings["method"] == "trimmed_mean"
    assert forms.plan_initial("ZGC-TEST") == {
        "method": "by_budget", "budget": "100", "amount_per_application": "10",
        "cap_per_organization": str(DEFAULT_CAP), "agg_method": "trimmed_mean", "min_experts": 3,
        "trim_min_experts": 3, "clause_spread_threshold": "5", "total_spread_threshold": "15"}
    with pytest.raises(SelectionInvalid) as caught:
        save_plan("ZGC-TEST", spec, {**settings, "trim_min_experts": 2}, office_user)
    assert set(caught.value.errors) == {"agg_method"}


# --- an objection -------------------------------------------------------------------------------

def test_objection_input_types_the_id_and_the_date():
    assert forms.objection_input({"application": " 12 ", "received_on": "2025-09-20", "submitter_name": " 张三 ",
                                  "content": "材料不实\n"}) == {
        "application_id": 12, "received_on": dt.date(2025, 9, 20), "submitter_name": "张三", "submitter_unit": "",
        "content": "材料不实", "handling": ""}


@pytest.mark.parametrize(("application", "received_on"), [("", ""), ("abc", "2025/09/20"), ("-3", "明天")])
def test_objection_input_leaves_what_is_not_an_id_or_a_date_as_none(application, received_on):
    parsed = forms.objection_input({"application": application, "received_on": received_on})
    assert parsed["application_id"] is None and parsed["received_on"] is None
