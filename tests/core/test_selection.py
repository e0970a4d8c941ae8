"""Selection by count, budget and rank bands, and the what-if diff (zgcfund.core.selection), issue 4.

Amounts are 万元. The per-organization cap defaults to 20 万元 per organization per year — the
predecessor programme's cap (docs/policy/context.md), the office's to change.
"""

from __future__ import annotations

import json
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zgcfund.core.ranking import RankingInputError, RankingRow, rank
from zgcfund.core.selection import (
    DEFAULT_CAP,
    NOT_SELECTED,
    SELECTED,
    TIE_AT_CUT,
    UNRANKED,
    Band,
    SelectionError,
    by_bands,
    by_budget,
    by_count,
    resolve_bands,
    select,
    what_if,
)


def row(app_id, total, org=None, **kw) -> RankingRow:
    total = D(str(total))
    return RankingRow(application_id=app_id, organization_name=f"社会组织{org or app_id}", total=total, k_subtotal=total,
                      organization_id=org if org is not None else app_id, **kw)


def ranking_of(*totals, **kw):
    """Applications 1, 2, 3 … with the given totals (each its own organization)."""
    return rank([row(i + 1, t, **kw) for i, t in enumerate(totals)])


def ids(outcomes) -> list:
    return [o.application_id for o in outcomes]


def status(result) -> dict:
    return {o.application_id: o.status for o in (*result.selected, *result.not_selected)}


def codes(result) -> list[str]:
    return [w.code for w in result.warnings]


INELIGIBLE = {"eligible": False, "problems": ({"rule": "X-P-TWO", "message": "专业服务能力满足的不足 2 项"},)}

# --- by count ----------------------------------------------------------------------------------


def test_by_count_selects_the_top_n():
    result = by_count(ranking_of(90, 80, 70, 60), 2)
    assert ids(result.selected) == [1, 2]
    assert ids(result.not_selected) == [3, 4]
    assert result.not_selected[0].reason == "排名第 3，未进入前 2 名"
    assert result.tie_at_cut is None and result.total_amount is None


def test_by_count_tie_crossing_the_cut_is_reported_not_cut():
    # ranks 1, 2, 3, 3, 3, 6: the 4th place is inside a tie of three
    result = by_count(ranking_of(90, 80, 70, 70, 70, 60), 4)
    assert ids(result.selected) == [1, 2]
    assert result.tie_at_cut.rank == 3
    assert result.tie_at_cut.application_ids == (3, 4, 5)
    assert result.tie_at_cut.places_left == 2
    assert status(result) == {1: SELECTED, 2: SELECTED, 3: TIE_AT_CUT, 4: TIE_AT_CUT, 5: TIE_AT_CUT, 6: NOT_SELECTED}
    assert codes(result) == ["tie_at_cut"]
    assert "须由项目办公室决定" in result.warnings[0].message


def test_by_count_the_office_decides_the_tie():
    ranking = ranking_of(90, 80, 70, 70, 70, 60)
    result = by_count(ranking, 4, tie_decision=[5, 3])
    assert ids(result.selected) == [1, 2, 3, 5]
    assert status(result)[4] == NOT_SELECTED
    assert result.outcome(4).reason == "并列，项目办公室决定不入选"
    assert result.parameters["tie_decision"] == [5, 3]
    with pytest.raises(SelectionError, match="不在跨越入选线的并列组中"):
        by_count(ranking, 4, tie_decision=[6])


def test_by_count_tie_ending_exactly_at_the_cut_is_no_tie_at_cut():
    result = by_count(ranking_of(90, 70, 70, 60), 3)
    assert ids(result.selected) == [1, 2, 3] and result.tie_at_cut is None


def test_a_tie_decision_with_no_tie_at_the_cut_is_unused_and_said_so():
    result = by_count(ranking_of(90, 80, 70), 2, tie_decision=[2])
    assert ids(result.selected) == [1, 2] and codes(result) == ["tie_decision_unused"]
    result = by_budget(ranking_of(90, 80), D(20), amount_per_application=D(20), tie_decision=[2])
    assert "tie_decision_unused" in codes(result)


def test_by_count_all_tied():
    result = by_count(ranking_of(50, 50, 50), 1)
    assert result.selected == () and result.tie_at_cut.application_ids == (1, 2, 3)
    assert result.tie_at_cut.places_left == 1
    assert ids(by_count(ranking_of(50, 50, 50), 3).selected) == [1, 2, 3]


def test_by_count_more_places_than_applications_selects_all_and_says_so():
    result = by_count(ranking_of(90, 80), 5)
    assert ids(result.selected) == [1, 2] and codes(result) == ["fewer_than_n"]


def test_by_count_zero_and_empty():
    assert by_count(ranking_of(90), 0).selected == ()
    assert by_count(rank([]), 3).selected == ()
    with pytest.raises(SelectionError, match="非负整数"):
        by_count(ranking_of(90), -1)


def test_ineligible_applications_are_never_selected_by_count():
    ranking = rank([row(1, 99, **INELIGIBLE), row(2, 10)])
    result = by_count(ranking, 10)
    assert ids(result.selected) == [2]
    assert result.outcome(1).status == UNRANKED
    assert "X-P-TWO" in result.outcome(1).reason


# --- by budget ---------------------------------------------------------------------------------

def test_by_budget_funds_in_rank_order_and_reports_the_remainder():
    result = by_budget(ranking_of(90, 80, 70, 60), D(50), amount_per_application=D(15))
    assert ids(result.selected) == [1, 2, 3]
    assert result.total_amount == D(45) and result.remainder == D(5)
    assert status(result)[4] == NOT_SELECTED
    assert "预算不足" in result.outcome(4).reason
    assert codes(result) == ["budget_stopped", "budget_remainder"]


def test_by_budget_exactly_exhausted_leaves_no_remainder():
    result = by_budget(ranking_of(90, 80, 70, 60), D(45), amount_per_application=D(15))
    assert ids(result.selected) == [1, 2, 3]
    assert result.total_amount == D(45) and result.remainder == D(0) and result.over_budget is None
    assert "budget_remainder" not in codes(result)
    assert by_budget(ranking_of(90, 80, 70), D(45), amount_per_application=D(15)).warnings == ()


def test_by_budget_stops_at_the_first_that_does_not_fit_never_skips_ahead():
    # band amounts 20 / 10: after 1 and 2 (40) 15 remain; application 3 needs 20 and stops the selection
    # although application 4 (10 万元) would fit: the documented rule is stop, not skip.
    bands = [{"name": "一档", "ranks": [1, 3], "amount": "20"}, {"name": "二档", "ranks": [4, 10], "amount": "10"}]
    result = by_budget(ranking_of(90, 80, 70, 60), D(55), bands=bands)
    assert ids(result.selected) == [1, 2]
    assert result.remainder == D(15)
    assert status(result)[4] == NOT_SELECTED
    assert [o.band for o in result.selected] == ["一档", "一档"]


def test_by_budget_cap_applies_across_two_applications_of_one_organization():
    # organization 7 has the 1st and 2nd applications; cap 20 万元: 15 + 5
    ranking = rank([row(1, 90, org=7), row(2, 80, org=7), row(3, 70)])
    result = by_budget(ranking, D(100), amount_per_application=D(15))
    assert [(o.application_id, o.amount, o.nominal_amount) for o in result.selected] == [
        (1, D(15), D(15)), (2, D(5), D(15)), (3, D(15), D(15))]
    assert result.outcome(2).capped and "上限 20 万元" in result.outcome(2).reason
    assert "cap_applied" in codes(result)
    assert result.total_amount == D(35)


def test_by_budget_an_organization_at_its_cap_is_passed_over_and_selection_continues():
    ranking = rank([row(1, 90, org=7), row(2, 80, org=7), row(3, 70)])
    result = by_budget(ranking, D(100), amount_per_application=D(20))
    assert ids(result.selected) == [1, 3]
    assert result.outcome(2).status == NOT_SELECTED and "已达上限 20 万元" in result.outcome(2).reason


def test_by_budget_counts_support_already_awarded_this_year():
    result = by_budget(ranking_of(90), D(100), amount_per_application=D(15), already_awarded={1: D(12)})
    assert result.selected[0].amount == D(8)


def test_by_budget_tie_crossing_the_budget_line_is_left_to_the_office():
    # ranks 1, 2, 2, 4; 20 each, budget 50: 1 and one of the tied pair would fit, not both
    ranking = ranking_of(90, 80, 80, 70)
    result = by_budget(ranking, D(50), amount_per_application=D(20))
    assert ids(result.selected) == [1]
    assert result.tie_at_cut.application_ids == (2, 3)
    assert result.tie_at_cut.money_left == D(30)
    assert status(result) == {1: SELECTED, 2: TIE_AT_CUT, 3: TIE_AT_CUT, 4: NOT_SELECTED}
    assert result.remainder == D(30)
    decided = by_budget(ranking, D(50), amount_per_application=D(20), tie_decision=[3])
    assert ids(decided.selected) == [1, 3] and decided.remainder == D(10)
    assert decided.outcome(2).reason == "并列，项目办公室决定不入选"
    both = by_budget(ranking, D(50), amount_per_application=D(20), tie_decision=[2, 3])
    assert ids(both.selected) == [1, 2] and "预算不足" in both.outcome(3).reason


def test_by_budget_a_tie_starting_at_the_stop_is_no_tie_at_cut():
    result = by_budget(ranking_of(90, 80, 80), D(30), amount_per_application=D(20))
    assert ids(result.selected) == [1] and result.tie_at_cut is None


def test_by_budget_needs_exactly_one_amount_rule_and_a_sane_budget():
    with pytest.raises(SelectionError, match="之一"):
        by_budget(ranking_of(90), D(10))
    with pytest.raises(SelectionError, match="之一"):
        by_budget(ranking_of(90), D(10), amount_per_application=D(1), bands=[{"name": "一档", "ranks": [1, 1], "amount": 1}])
    with pytest.raises(SelectionError, match="总预算：不能为负数"):
        by_budget(ranking_of(90), D(-1), amount_per_application=D(1))
    with pytest.raises(RankingInputError, match="不接受"):
        by_budget(ranking_of(90), 10.5, amount_per_application=D(1))


def test_ineligible_applications_are_never_funded_by_budget():
    result = by_budget(rank([row(1, 99, **INELIGIBLE), row(2, 10)]), D(1000), amount_per_application=D(20))
    assert ids(result.selected) == [2] and result.outcome(1).status == UNRANKED


def test_by_budget_empty_ranking():
    result = by_budget(rank([]), D(100), amount_per_application=D(20))
    assert result.selected == () and result.remainder == D(100)


# --- by bands ----------------------------------------------------------------------------------

BANDS = [
    {"name": "一档", "ranks": [1, 2], "amount": D(20)},
    {"name": "二档", "ranks": [3, 4], "amount": D(15)},
    {"name": "三档", "ranks": [5, 6], "amount": D(10)},
]


def test_by_bands_each_band_gets_its_amount():
    # "根据工作绩效量化综合评价排序分档" (predecessor programme, docs/policy/context.md)
    result = by_bands(ranking_of(99, 90, 80, 70, 60, 50, 40), BANDS)
    assert [(o.application_id, o.band, o.amount) for o in result.selected] == [
        (1, "一档", D(20)), (2, "一档", D(20)), (3, "二档", D(15)), (4, "二档", D(15)), (5, "三档", D(10)), (6, "三档", D(10))]
    assert result.outcome(7).reason == "排名第 7，未进入任何档次"
    assert result.total_amount == D(90)


def test_by_bands_by_cumulative_share_of_ranked_applications():
    # 10 ranked: top 20 % = ranks 1–2; top 50 % = ranks 3–5
    bands = [{"name": "一档", "top_share": "0.2", "amount": "20"}, {"name": "二档", "top_share": "0.5", "amount": "10"}]
    result = by_bands(ranking_of(*range(100, 0, -10)), bands)
    assert [(o.application_id, o.band) for o in result.selected] == [(1, "一档"), (2, "一档"), (3, "二档"), (4, "二档"),
                                                                     (5, "二档")]
    assert result.parameters["ranges"] == [["一档", 1, 2], ["二档", 3, 5]]


def test_share_bands_round_half_up():
    band = Band("一档", D(20), top_share=D("0.25"))
    assert resolve_bands([band], 10) == [(band, 1, 3)]  # 2.5 -> 3
    assert resolve_bands([band], 9) == [(band, 1, 2)]  # 2.25 -> 2


def test_rank_and_share_bands_mix():
    bands = [{"name": "一档", "ranks": [1, 1], "amount": 20}, {"name": "二档", "top_share": "0.5", "amount": 10}]
    assert [(b.name, lo, hi) for b, lo, hi in resolve_bands(bands, 6)] == [("一档", 1, 1), ("二档", 2, 3)]


def test_by_bands_a_tie_at_a_band_edge_takes_the_whole_tied_group_into_the_better_band():
    # ranks 1, 2, 2, 4 … : band 一档 = ranks 1–2 holds three applications
    result = by_bands(ranking_of(99, 90, 90, 80, 70), BANDS)
    assert [(o.application_id, o.rank, o.band) for o in result.selected] == [
        (1, 1, "一档"), (2, 2, "一档"), (3, 2, "一档"), (4, 4, "二档"), (5, 5, "三档")]
    widened = next(w for w in result.warnings if w.code == "band_widened_by_tie")
    assert widened.application_ids == (1, 2, 3)


def test_by_bands_cap_applies_across_two_applications_of_one_organization():
    # organization 7: 1st (20) and 3rd (15) applications; cap 20 leaves nothing for the 3rd
    ranking = rank([row(1, 99, org=7), row(2, 90), row(3, 80, org=7), row(4, 70, org=8)])
    result = by_bands(ranking, BANDS)
    assert ids(result.selected) == [1, 2, 4]
    assert result.outcome(3).status == NOT_SELECTED and "已达上限 20 万元" in result.outcome(3).reason
    assert result.outcome(3).band == "二档"
    # a lower cap reduces the second application instead
    result = by_bands(ranking, BANDS, cap_per_organization=D(30))
    assert result.outcome(3).amount == D(10) and result.outcome(3).capped
    assert "cap_applied" in codes(result)


def test_by_bands_default_cap_is_20_wan_yuan_and_can_be_switched_off():
    assert DEFAULT_CAP == D(20)
    ranking = rank([row(1, 99, org=7), row(2, 90, org=7)])
    assert by_bands(ranking, [{"name": "一档", "ranks": [1, 2], "amount": 15}]).total_amount == D(20)
    assert by_bands(ranking, [{"name": "一档", "ranks": [1, 2], "amount": 15}], cap_per_organization=None).total_amount == D(30)


def test_by_bands_reports_a_budget_overrun_and_a_remainder():
    ranking = ranking_of(99, 90, 80, 70)
    over = by_bands(ranking, BANDS, budget=D(60))
    assert over.total_amount == D(70) and over.over_budget == D(10) and over.remainder is None
    assert "over_budget" in codes(over)
    assert ids(over.selected) == [1, 2, 3, 4]  # reported, not cut
    under = by_bands(ranking, BANDS, budget=D(100))
    assert under.remainder == D(30) and "budget_remainder" in codes(under)


def test_ineligible_applications_are_never_selected_by_bands():
    result = by_bands(rank([row(1, 99, **INELIGIBLE), row(2, 10)]), BANDS)
    assert ids(result.selected) == [2] and result.outcome(2).band == "一档"


def test_by_bands_empty_ranking_and_empty_share_band():
    result = by_bands(rank([]), [{"name": "一档", "top_share": "0.1", "amount": 20}])
    assert result.selected == () and codes(result) == ["band_empty"]


@pytest.mark.parametrize(("bands", "message"), [
    ([{"name": "一档", "ranks": [1, 5], "amount": 20}, {"name": "二档", "ranks": [5, 9], "amount": 10}], "重叠"),
    ([{"name": "一档", "ranks": [1, 5], "top_share": "0.2", "amount": 20}], "之一"),
    ([{"name": "一档", "amount": 20}], "之一"),
    ([{"name": "一档", "ranks": [3, 1], "amount": 20}], "起 ≤ 止"),
    ([{"name": "一档", "top_share": "1.5", "amount": 20}], "不大于 1"),
    ([{"name": "一档", "ranks": [1, 2], "amount": -5}], "不能为负数"),
    ([{"name": "一档", "ranks": [1, 2], "amount": 5, "amout": 5}], "未知的键"),
    ([{"name": "一档", "ranks": [1, 2], "amount": 5}, {"name": "一档", "ranks": [3, 4], "amount": 5}], "重复"),
    ([], "不能为空"),
])
def test_bad_bands_are_refused_with_a_message(bands, message):
    with pytest.raises(SelectionError, match=message):
        by_bands(ranking_of(90), bands)


# --- declarative spec and JSON -----------------------------------------------------------------

def test_select_runs_a_stored_spec_with_string_amounts():
    ranking = ranking_of(99, 90, 80)
    spec = {"method": "by_bands", "bands": [{"name": "一档", "ranks": [1, 2], "amount": "20"}],
            "cap_per_organization": "20", "budget": "50"}
    assert select(ranking, spec).to_dict() == by_bands(ranking, spec["bands"], budget=D(50)).to_dict()
    assert ids(select(ranking, {"method": "by_count", "n": 1}).selected) == [1]
    with pytest.raises(SelectionError, match="遴选方式"):
        select(ranking, {"method": "lottery"})
    with pytest.raises(SelectionError, match="未知的参数 count；缺少参数 n"):
        select(ranking, {"method": "by_count", "count": 1})


def test_selection_result_to_dict_is_json():
    ranking = rank([row(1, 99, org=7), row(2, 90, org=7), row(3, 80, **INELIGIBLE)])
    data = json.loads(json.dumps(by_bands(ranking, BANDS, budget=D(30)).to_dict(), ensure_ascii=False))
    assert data["totals"] == {"count": 1, "amount": "20", "budget": "30", "remainder": "10", "over_budget": None}
    assert data["selected"][0]["amount"] == "20"
    assert [o["status"] for o in data["not_selected"]] == [NOT_SELECTED, UNRANKED]
    assert {w["code"] for w in data["warnings"]} == {"cap_applied", "budget_remainder"}


# --- what-if -----------------------------------------------------------------------------------

def test_what_if_reports_movement_sorted_by_absolute_movement():
    before = [row(1, 90), row(2, 80), row(3, 70), row(4, 60)]
    after = [row(1, 90), row(2, 50), row(3, 70), row(4, 60)]  # 2 falls from 2nd to 4th
    diff = what_if(before, after)
    first = diff.movements[0]
    assert (first.application_id, first.old_rank, first.new_rank, first.movement) == (2, 2, 4, -2)
    assert (first.old_total, first.new_total) == (D(80), D(50))
    assert [(m.application_id, m.movement) for m in diff.movements] == [(2, -2), (3, 1), (4, 1), (1, 0)]
    assert [m.application_id for m in diff.changed] == [2, 3, 4]


def test_what_if_shows_whose_selection_changes():
    before = [row(1, 90), row(2, 80), row(3, 70)]
    after = [row(1, 90), row(2, 60), row(3, 70)]
    diff = what_if(rank(before), rank(after), {"method": "by_count", "n": 2})
    changes = {m.application_id: (m.old_status, m.new_status) for m in diff.movements if m.selection_changed}
    assert changes == {2: (SELECTED, NOT_SELECTED), 3: (NOT_SELECTED, SELECTED)}
    assert diff.before.selected_ids == [1, 2] and diff.after.selected_ids == [1, 3]


def test_what_if_amount_changes_under_bands_count_as_selection_changes():
    before = [row(1, 90), row(2, 80), row(3, 70)]
    after = [row(1, 90), row(2, 65), row(3, 70)]
    bands = [{"name": "一档", "ranks": [1, 2], "amount": 20}, {"name": "二档", "ranks": [3, 3], "amount": 10}]
    diff = what_if(before, after, {"method": "by_bands", "bands": bands})
    moved = {m.application_id: (m.old_amount, m.new_amount) for m in diff.movements if m.selection_changed}
    assert moved == {2: (D(20), D(10)), 3: (D(10), D(20))}


def test_what_if_an_application_becoming_ineligible_comes_first():
    before = [row(1, 90), row(2, 80), row(3, 70)]
    after = [row(1, 90), row(2, 80), row(3, 70, **INELIGIBLE)]
    diff = what_if(before, after)
    assert (diff.movements[0].application_id, diff.movements[0].old_rank, diff.movements[0].new_rank) == (3, 3, None)
    assert diff.movements[0].movement is None


def test_what_if_with_applications_on_one_side_only_and_json():
    diff = what_if([row(1, 90)], [row(1, 90), row(2, 95)])
    assert [(m.application_id, m.old_rank, m.new_rank) for m in diff.movements] == [(2, None, 1), (1, 1, 2)]
    data = json.loads(json.dumps(diff.to_dict(), ensure_ascii=False))
    assert data["changed"] == 2 and data["movements"][0]["new_total"] == "95"


def test_what_if_of_nothing_is_empty():
    assert what_if([], []).movements == ()


# --- properties --------------------------------------------------------------------------------

amounts = st.integers(0, 25).map(D)
rows_st = st.lists(st.tuples(st.integers(0, 15), st.integers(0, 4), st.booleans()), max_size=25).map(
    lambda specs: [row(i + 1, total, org=org, eligible=ok or i % 4 != 0) for i, (total, org, ok) in enumerate(specs)])


def per_org(result) -> dict:
    out: dict = {}
    for o in result.selected:
        out[o.organization_id] = out.get(o.organization_id, D(0)) + o.amount
    return out


@settings(max_examples=200)
@given(rows=rows_st, budget=st.integers(0, 200).map(D), amount=amounts, cap=st.one_of(st.none(), amounts))
def test_property_budget_selection_never_exceeds_the_budget_or_the_cap(rows, budget, amount, cap):
    result = by_budget(rank(rows), budget, amount_per_application=amount, cap_per_organization=cap)
    assert result.total_amount <= budget
    assert result.total_amount + result.remainder == budget
    if cap is not None:
        assert all(v <= cap for v in per_org(result).values())
    assert all(o.amount > 0 or amount == 0 for o in result.selected)
    assert not any(r.rank is None for r in rank(rows).rows if r.application_id in result.selected_ids)
    assert sorted(ids((*result.selected, *result.not_selected))) == sorted(r.application_id for r in rows)


@settings(max_examples=200)
@given(rows=rows_st, n=st.integers(0, 30))
def test_property_count_selection_takes_at_most_n_and_never_splits_a_tie(rows, n):
    ranking = rank(rows)
    result = by_count(ranking, n)
    assert len(result.selected) <= n
    selected_ranks = {o.rank for o in result.selected}
    left_out = [o for o in result.not_selected if o.rank is not None]
    assert not selected_ranks & {o.rank for o in left_out}
    if result.tie_at_cut is None:
        assert len(result.selected) == min(n, len(ranking.ranked))


@settings(max_examples=200)
@given(rows=rows_st, cap=st.one_of(st.none(), amounts), shares=st.tuples(st.integers(1, 5), st.integers(5, 10)))
def test_property_band_selection_respects_cap_and_gives_tied_rows_one_band(rows, cap, shares):
    bands = [{"name": "一档", "top_share": D(shares[0]) / 10, "amount": 20},
             {"name": "二档", "top_share": D(shares[1]) / 10, "amount": 10}]
    result = by_bands(rank(rows), bands, cap_per_organization=cap)
    if cap is not None:
        assert all(v <= cap for v in per_org(result).values())
    band_of_rank: dict = {}
    for o in (*result.selected, *result.not_selected):
        if o.rank is not None:
            assert band_of_rank.setdefault(o.rank, o.band) == o.band
