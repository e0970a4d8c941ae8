"""The programme file format (zgc-programme/1): errors name the key; a later year is YAML, not code.

Each test starts from the packaged 2025 file, changes one thing in its data and parses the result.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import pytest
import yaml
from casekit import ORG_CREDIT_CODE, CaseLoader

from zgcfund.core.engine import evaluate
from zgcfund.core.errors import InvalidDocument, ProgrammeFileError
from zgcfund.core.programme import PROGRAMME_DIR, load_programme, parse_programme

SOURCE = (PROGRAMME_DIR / "zgc-social-org-2025.yaml").read_text(encoding="utf-8")
BASE = yaml.load(SOURCE, Loader=CaseLoader)


def _text(data: dict) -> str:
    return yaml.dump(data, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), allow_unicode=True, sort_keys=False)


def _changed(change: Callable[[dict], object]) -> dict:
    data = copy.deepcopy(BASE)
    change(data)
    return data


def _error(change: Callable[[dict], object]) -> ProgrammeFileError:
    with pytest.raises(ProgrammeFileError) as info:
        parse_programme(_text(_changed(change)), "changed.yaml")
    return info.value


def _doc(programme: str, applied_on: str, records: list[dict]) -> dict:
    return {"format": "zgc-application/1", "programme": programme, "applied_on": applied_on,
            "contract_signed_on": None,
            "organization": {"name": "北京测试科技服务协会", "credit_code": ORG_CREDIT_CODE},
            "records": records}


def _event(rid: str, participants: int, date: str = "2025-11-01", clause: str = "K3.1") -> dict:
    return {"id": rid, "clause": clause, "phase": "prior", "date": date, "title": f"园区活动 {rid}",
            "park": "海淀园", "participants": participants}


def test_packaged_programme_round_trips_through_the_test_helpers() -> None:
    """The unchanged data, dumped and parsed again, is accepted (so every error below is the change's)."""
    programme = parse_programme(_text(copy.deepcopy(BASE)), "copy.yaml")
    assert set(programme.clauses) == set(load_programme().clauses)


# --- every rule carries a ref ---------------------------------------------------------------------------

REF_LOCATIONS = {
    "clauses.K3.1.record_rules[0]": lambda d: d["clauses"]["K3.1"]["record_rules"][0],
    "clauses.P7.condition": lambda d: d["clauses"]["P7"]["condition"],
    "parameters.min_participants": lambda d: d["parameters"]["min_participants"],
    "windows.W-PRIOR": lambda d: d["windows"]["W-PRIOR"],
    "gates[0]": lambda d: d["gates"][0],
    "same_work": lambda d: d["same_work"],
    "acceptance_checks[0]": lambda d: d["acceptance_checks"][0],
    "named_rules.W-K13": lambda d: d["named_rules"]["W-K13"],
    "scoring.clauses.P7": lambda d: d["scoring"]["clauses"]["P7"],
}


@pytest.mark.parametrize("key", REF_LOCATIONS)
def test_entry_without_ref_rejected_naming_the_key(key: str) -> None:
    err = _error(lambda d: REF_LOCATIONS[key](d).pop("ref"))
    assert err.key == key
    assert "'ref' is a required property" in err.reason
    assert str(err).startswith(f"changed.yaml: {key}: ")


def test_parameter_without_a_class_rejected_naming_the_key() -> None:
    err = _error(lambda d: d["parameters"]["k11_min_enterprises"].pop("kind"))
    assert err.key == "parameters.k11_min_enterprises"
    assert "'kind' is a required property" in err.reason
    bad = _error(lambda d: d["parameters"]["k11_min_enterprises"].update(kind="points"))
    assert bad.key == "parameters.k11_min_enterprises.kind"


def test_every_parameter_is_classed_official_or_office() -> None:
    programme = load_programme()
    office = {n for n, p in programme.parameters.items() if not p.official}
    assert {"industry_growth_rate", "start_growth_rate"} <= office
    for name in ("k11_min_enterprises", "k12_min_revenue", "min_participants", "k32_min_capital",
                 "k33_min_enterprises", "k52_min_contract_value", "p6_min_page_views", "p6_min_people_served",
                 "p7_min_total_participants", "p_min_areas", "prior_start", "implementation_end"):
        assert programme.parameters[name].official, name


def test_ref_naming_an_unknown_clause_rejected() -> None:
    err = _error(lambda d: d["clauses"]["K3.1"]["record_rules"][0]["ref"].update(clause="K9.9"))
    assert (err.key, err.reason) == ("clauses.K3.1.record_rules[0].ref.clause", "unknown clause ID 'K9.9'")


# --- references to parameters and fields ------------------------------------------------------------------

def test_unknown_parameter_in_a_record_rule_rejected() -> None:
    err = _error(lambda d: d["clauses"]["K3.1"]["record_rules"][0]["test"].update(ge={"param": "min_participant"}))
    assert (err.key, err.reason) == ("clauses.K3.1.record_rules[0].test.ge", "unknown parameter 'min_participant'")


def test_unknown_parameter_in_a_condition_rejected() -> None:
    err = _error(lambda d: d["clauses"]["K3.3"]["condition"].update(at_least={"param": "k33_min"}))
    assert (err.key, err.reason) == ("clauses.K3.3.condition.at_least", "unknown parameter 'k33_min'")


def test_unknown_parameter_in_a_gate_rejected() -> None:
    err = _error(lambda d: d["gates"][2].update(at_least={"param": "p_min_area"}))
    assert (err.key, err.reason) == ("gates.X-P-TWO.at_least", "unknown parameter 'p_min_area'")


def test_unknown_field_in_a_record_rule_rejected() -> None:
    err = _error(lambda d: d["clauses"]["K3.1"]["record_rules"][0]["test"].update(field="participant"))
    assert (err.key, err.reason) == ("clauses.K3.1.record_rules[0].test.field", "unknown record field 'participant'")


def test_unknown_field_in_a_score_measure_rejected() -> None:
    err = _error(lambda d: d["scoring"]["clauses"]["P7"]["increments"][0]["measure"].update(sum="participant"))
    assert (err.key, err.reason) == ("scoring.clauses.P7.increments[0].measure.sum", "unknown record field 'participant'")


def test_window_with_unknown_parameter_rejected() -> None:
    err = _error(lambda d: d["windows"]["W-2025"].update(start={"param": "year_begin"}))
    assert (err.key, err.reason) == ("windows.W-2025.start", "needs a date parameter")


def test_clause_without_score_entry_rejected() -> None:
    err = _error(lambda d: d["scoring"]["clauses"].pop("K4.2"))
    assert (err.key, err.reason) == ("scoring.clauses.K4.2", "every clause needs a score entry")


# --- bad YAML --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["schema: zgc-programme/1\nclauses: [unclosed\n", "a: b\n\tc: d\n", "just a string\n"])
def test_bad_yaml_rejected_with_a_reason(text: str) -> None:
    with pytest.raises(ProgrammeFileError) as info:
        parse_programme(text, "broken.yaml")
    assert info.value.reason.startswith(("not valid YAML", "top level must be a mapping"))
    assert str(info.value).startswith("broken.yaml: ")


def test_missing_programme_file_rejected(tmp_path) -> None:
    with pytest.raises(ProgrammeFileError, match="cannot read"):
        load_programme(tmp_path / "nope.yaml")


# --- a second programme year: a new clause of an existing shape, in YAML only ---------------------------------

def _year_2026(d: dict) -> None:
    d["code"], d["year"], d["title"] = "zgc-social-org-2026", 2026, "2026年中关村社会组织支持项目（测试）"
    for name, since, value in [("prior_start", "2026-01-01", "2025-08-01"), ("implementation_end", "2026-01-01", "2027-06-30"),
                               ("year_start", "2026-01-01", "2026-01-01"), ("year_end", "2026-01-01", "2026-12-31")]:
        d["parameters"][name]["values"][since] = value
    d["parameters"]["k34_min_participants"] = {
        "label": "大型园区活动参加人数下限", "kind": "condition", "unit": "人", "values": {"2026-01-01": 100},
        "ref": {"clause": "K3.4", "quote": "每场活动不低于60人参加"}}
    d["clauses"]["K3.4"] = {
        "area": "K3", "title": "大型园区服务活动", "basic_condition": "每场不少于100人参加的园区服务活动不少于1场",
        "evidence": ["活动开展的园区", "活动主题", "时间", "图片"],
        "fields": {"park": {"type": "string", "label": "园区"}, "participants": {"type": "count", "label": "参加人数"}},
        "record_rules": [{"id": "K3.4", "test": {"field": "participants", "ge": {"param": "k34_min_participants"}},
                          "message": "参加人数 {participants} 人，少于 {k34_min_participants} 人",
                          "ref": {"clause": "K3.4", "quote": "每场活动不低于60人参加"}}],
        "condition": {"count": {}, "at_least": 1, "label": "大型园区活动场数",
                      "ref": {"clause": "K3.4", "quote": "每家社会组织开展的园区服务活动不少于2场"}},
    }
    d["scoring"]["clauses"]["K3.4"] = {"base": 6, "ref": {"clause": "K3.4", "quote": "开展的细化工作分别量化计算，分数可累计"}}


def test_second_year_file_with_new_clause_loads_and_evaluates_without_code_change() -> None:
    programme = parse_programme(_text(_changed(_year_2026)), "zgc-social-org-2026.yaml")
    assert programme.code == "zgc-social-org-2026" and "K3.4" in programme.clauses
    assert programme.clauses["K3.4"].family == "K"
    doc = _doc("zgc-social-org-2026", "2026-09-20",
               [_event("b1", 99, "2026-04-01", "K3.4"), _event("b2", 100, "2026-05-01", "K3.4"),
                _event("b3", 300, "2025-07-31", "K3.4")])
    result = evaluate(doc, programme)
    k34 = result["clauses"]["K3.4"]
    assert k34["status"] == "met" and k34["counted"] == ["b2"] and k34["score"] == 6
    assert [(r["record"], r["rule"]) for r in k34["rejected"]] == [("b3", "W-PRIOR"), ("b1", "K3.4")]
    assert "参加人数 99 人，少于 100 人" in k34["rejected"][1]["message"]
    assert result["windows"]["W-PRIOR"] == ["2025-08-01", "2026-09-20"]
    assert result["windows"]["W-PLAN"] == ["2026-09-21", "2027-06-30"]
    assert result["score"]["K"] == 6


def test_the_2025_programme_knows_no_k3_4() -> None:
    with pytest.raises(InvalidDocument) as info:
        evaluate(_doc("zgc-social-org-2025", "2025-09-20", [_event("b1", 100, "2025-05-01", "K3.4")]), load_programme())
    assert [p.path for p in info.value.problems] == ["records[0].clause"]


# --- dated parameters: the value in force on the application date applies ---------------------------------------

def _participants_80_from_2026(d: dict) -> None:
    d["parameters"]["min_participants"]["values"]["2026-01-01"] = 80


@pytest.fixture(scope="module")
def dated() -> object:
    return parse_programme(_text(_changed(_participants_80_from_2026)), "dated.yaml")


def test_dated_parameter_new_value_applies_to_application_dated_2026(dated) -> None:
    result = evaluate(_doc("zgc-social-org-2025", "2026-01-10", [_event("a1", 70), _event("a2", 80)]), dated)
    k31 = result["clauses"]["K3.1"]
    assert k31["counted"] == ["a2"] and k31["status"] == "not_met"
    assert k31["rejected"][0]["message"] == "参加人数 70 人，少于 80 人"


def test_dated_parameter_old_value_applies_to_application_dated_2025(dated) -> None:
    result = evaluate(_doc("zgc-social-org-2025", "2025-12-31", [_event("a1", 70), _event("a2", 80)]), dated)
    k31 = result["clauses"]["K3.1"]
    assert k31["counted"] == ["a1", "a2"] and k31["status"] == "met" and not k31["rejected"]
    assert dated.params_on(__import__("datetime").date(2025, 12, 31))["min_participants"] == 60


def test_max_score_matches_the_published_scheme_table():
    """The range an expert scores a clause in is the scheme's maximum (docs/scoring.md, last column)."""
    from zgcfund.core.programme import load_programme
    from zgcfund.core.scheme_table import scoring_markdown

    programme = load_programme()
    rows = [line.split("|") for line in scoring_markdown(programme).splitlines() if line.startswith(("| K", "| P"))]
    published = {cells[1].strip(): cells[-2].strip() for cells in rows}
    assert published and {cid: str(programme.max_score(cid)) for cid in published} == published
