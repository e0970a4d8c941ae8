"""Load, validate and compile a programme file (``zgc-programme/1``)."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from zgcfund.core.errors import ProgrammeFileError
from zgcfund.core.programme_schema import PROGRAMME_SCHEMA
from zgcfund.core.vocabulary import (
    Condition,
    Measure,
    Predicate,
    Scope,
    SetRule,
    SpecError,
    compile_predicate,
    compile_set_rule,
)

PROGRAMME_DIR = resources.files("zgcfund") / "programme_files"
DEFAULT_PROGRAMME = "zgc-social-org-2025"
APPLICATION_DATES = ("applied_on", "plan_start", "prior_end")
DEFAULT_ADMITTED_TYPES = ("social_group", "private_non_enterprise")
#: the decisions that commit public money and follow the office's collective-decision practice (集体研究)
DECISION_SUBJECTS = ("selection", "contract", "disbursement", "acceptance")


class _Loader(yaml.SafeLoader):
    """Safe YAML without implicit timestamps: dates stay strings until we parse them."""


_Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _number(value: Any) -> int | Decimal:
    return value if isinstance(value, int) else Decimal(str(value))


# --- definitions --------------------------------------------------------------------

@dataclass(frozen=True)
class Ref:
    clause: str
    quote: str


@dataclass(frozen=True)
class Parameter:
    name: str
    label: str
    unit: str
    values: tuple[tuple[dt.date, Any], ...]  # sorted by date in force
    ref: Ref
    note: str = ""
    kind: str = "condition"  # "condition": quoted from the official text; "office": set by the office

    @property
    def official(self) -> bool:
        return self.kind == "condition"

    def value_on(self, day: dt.date) -> Any:
        current = self.values[0][1]
        for since, value in self.values:
            if since <= day:
                current = value
        return current


@dataclass(frozen=True)
class Window:
    id: str
    label: str
    start: dict
    end: dict
    ref: Ref

    def bounds(self, params: dict[str, Any], dates: dict[str, dt.date]) -> tuple[dt.date, dt.date]:
        return self._point(self.start, params, dates), self._point(self.end, params, dates)

    @staticmethod
    def _point(spec: dict, params: dict[str, Any], dates: dict[str, dt.date]) -> dt.date:
        return params[spec["param"]] if "param" in spec else dates[spec["date"]]


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: str
    label: str
    required: bool = False
    values: dict[str, str] | None = None
    calendar: str | None = None
    self_declared: str | None = None  # a bool field saying this date is the applicant's own word
    required_when: tuple[str, tuple[str, ...]] | None = None  # required when field F has one of these values
    not_after: str | None = None  # a date field (or the common `date`) this date may not lie after


@dataclass(frozen=True)
class EvidenceKind:
    """A kind of supporting material the text names for a clause (an upload slot)."""
    key: str
    label: str
    required: bool
    ref: Ref
    hint: str = ""


@dataclass(frozen=True)
class ClauseDef:
    id: str
    family: str
    area: str
    title: str
    basic_condition: str
    evidence: tuple[str, ...]
    fields: dict[str, FieldSpec]
    applies_to: str | None
    windows: tuple[str, ...]
    raw: dict = field(repr=False, compare=False)
    evidence_kinds: dict[str, EvidenceKind] = field(default_factory=dict)

    @property
    def ref(self) -> Ref:
        r = self.raw["condition"]["ref"]
        return Ref(r["clause"], r["quote"])


@dataclass(frozen=True)
class Gate:
    id: str
    kind: str
    ref: Ref
    group: str | None = None
    choose: int | None = None
    family: str | None = None
    at_least: Any = None


# --- compiled rules (per set of parameter values) ------------------------------------

@dataclass
class RecordRule:
    id: str
    message: str
    quote: str
    when: Predicate | None
    test: Predicate | None
    set_rule: SetRule | None


@dataclass
class Increment:
    measure: Measure
    above: Decimal
    every: Decimal
    points: Decimal
    cap: Decimal | None
    label: str


@dataclass
class ScoreRule:
    base: Decimal
    increments: list[Increment]
    bands: tuple[Measure, list[tuple[Decimal, Decimal, str]]] | None
    cap: Decimal | None


@dataclass
class EvidenceCheck:
    kind: EvidenceKind
    when: Predicate | None
    satisfied_by: Predicate | None


@dataclass
class CompiledClause:
    definition: ClauseDef
    rules: list[RecordRule]
    condition: Condition
    score: ScoreRule
    overrides: list[tuple[Predicate, dict[str, str]]]
    evidence: list[EvidenceCheck] = field(default_factory=list)


@dataclass
class CompiledRules:
    params: dict[str, Any]
    clauses: dict[str, CompiledClause]


class Programme:
    """A loaded, validated programme year. Immutable; compiled rules are cached."""

    def __init__(self, data: dict, source_text: str, origin: str):
        self.data = data
        self.source_text = source_text
        self.origin = origin
        self.sha256 = hashlib.sha256(source_text.encode("utf-8")).hexdigest()
        self.code: str = data["code"]
        self.year: int = data["year"]
        self.title: str = data["title"]
        self.families: dict[str, dict] = data["families"]
        self.areas: dict[str, str] = data["areas"]
        self.area_family = {a: f for f, spec in self.families.items() for a in spec["areas"]}
        self.parameters = self._parameters(data["parameters"])
        self.windows = {wid: Window(wid, w["label"], w["start"], w["end"], Ref(**w["ref"]))
                        for wid, w in data["windows"].items()}
        self.phase_windows: dict[str, str] = data["phase_windows"]
        self.gates = [Gate(g["id"], g["kind"], Ref(**g["ref"]), g.get("group"), g.get("choose"),
                           g.get("family"), g.get("at_least")) for g in data["gates"]]
        self.same_work: dict = data["same_work"]
        self.acceptance_checks: list[dict] = data.get("acceptance_checks", [])
        # who may apply; a file without the key admits 社会团体 and 民办非企业单位 (not 基金会)
        self.admitted_registration_types: tuple[str, ...] = tuple(
            data.get("eligibility", {}).get("admitted_registration_types", DEFAULT_ADMITTED_TYPES))
        self.choice_groups: dict[str, list[str]] = data["choice_groups"]
        self.scoring: dict = data["scoring"]
        self.decisions = self._decisions(data.get("decisions") or {})
        self.clauses = self._clauses(data["clauses"])
        self.clause_group = {c: g for g, members in self.choice_groups.items() for c in members}
        self._compiled: dict[tuple, CompiledRules] = {}
        self._check_references()
        # Compile every distinct parameter set now: a bad spec fails at load, not mid-review.
        for since in sorted({d for p in self.parameters.values() for d, _ in p.values}):
            self.rules_on(since)

    # loading helpers
    def _fail(self, key: str, reason: str) -> ProgrammeFileError:
        return ProgrammeFileError(self.origin, key, reason)

    def _parameters(self, raw: dict) -> dict[str, Parameter]:
        out = {}
        for name, p in raw.items():
            values = []
            for since, value in p["values"].items():
                try:
                    day = dt.date.fromisoformat(since)
                    if p["unit"] == "date":
                        value = dt.date.fromisoformat(str(value))
                    elif p["unit"] == "switch" or isinstance(value, bool):  # a setting: true/false only
                        if p["unit"] != "switch" or not isinstance(value, bool):
                            raise ValueError(f"{value!r} (unit switch takes true/false)")
                    elif not isinstance(value, int | float):
                        raise ValueError(value)
                    else:
                        value = _number(value)
                except ValueError as exc:
                    raise self._fail(f"parameters.{name}.values.{since}", f"bad value: {exc}") from None
                values.append((day, value))
            out[name] = Parameter(name, p["label"], p["unit"], tuple(sorted(values)),
                                  Ref(**p["ref"]), p.get("note", ""), p["kind"])
        return out

    def _decisions(self, raw: dict) -> dict[str, int]:
        """``decisions: {subject: n}``: the office approvals each subject needs (a subject not named: 1)."""
        out = dict.fromkeys(DECISION_SUBJECTS, 1)
        for subject, n in raw.items():
            if subject not in out:
                raise self._fail(f"decisions.{subject}",
                                 f"unknown subject (known: {', '.join(DECISION_SUBJECTS)})")
            if isinstance(n, bool) or not isinstance(n, int) or n < 1:
                raise self._fail(f"decisions.{subject}", f"bad value: {n!r} (a positive whole number of approvals)")
            out[subject] = n
        return out

    def approvals_needed(self, subject: str) -> int:
        """How many office approvals a decision on ``subject`` needs (the proposer's included)."""
        return self.decisions[subject]

    def _clauses(self, raw: dict) -> dict[str, ClauseDef]:
        out = {}
        for cid, c in raw.items():
            if c["area"] not in self.area_family:
                raise self._fail(f"clauses.{cid}.area", f"unknown area '{c['area']}'")
            fields = {}
            for name, f in c["fields"].items():
                if f["type"] in ("enum", "set") and not f.get("values"):
                    raise self._fail(f"clauses.{cid}.fields.{name}", "enum/set needs values")
                if f.get("self_declared") and f["self_declared"] not in c["fields"]:
                    raise self._fail(f"clauses.{cid}.fields.{name}.self_declared",
                                     f"unknown field '{f['self_declared']}'")
                when = f.get("required_when")
                if when:
                    other = c["fields"].get(when["field"])
                    if other is None or other["type"] != "enum" or not set(when["in"]) <= set(other["values"]):
                        raise self._fail(f"clauses.{cid}.fields.{name}.required_when",
                                         f"needs an enum field of the clause and its values: {when}")
                later = f.get("not_after")
                if later and (f["type"] != "date" or (later != "date" and c["fields"].get(later, {}).get("type") != "date")):
                    raise self._fail(f"clauses.{cid}.fields.{name}.not_after", f"needs two date fields: '{later}'")
                fields[name] = FieldSpec(name, f["type"], f["label"], f.get("required", False),
                                         f.get("values"), f.get("calendar"), f.get("self_declared"),
                                         (when["field"], tuple(when["in"])) if when else None, later)
            kinds: dict[str, EvidenceKind] = {}
            for i, k in enumerate(c.get("evidence_kinds", [])):
                if k["key"] in kinds:
                    raise self._fail(f"clauses.{cid}.evidence_kinds[{i}].key", f"duplicate kind '{k['key']}'")
                kinds[k["key"]] = EvidenceKind(k["key"], k["label"], k.get("required", False), Ref(**k["ref"]),
                                               k.get("hint", ""))
            out[cid] = ClauseDef(cid, self.area_family[c["area"]], c["area"], c["title"],
                                 c["basic_condition"], tuple(c["evidence"]), fields,
                                 c.get("applies_to"), tuple(c.get("windows", [])), c, kinds)
        return out

    @cached_property
    def rule_ids(self) -> set[str]:
        ids = set(self.clauses) | set(self.windows) | {g.id for g in self.gates}
        ids |= {self.same_work["id"]} | {c["id"] for c in self.acceptance_checks}
        ids |= set(self.data.get("named_rules", {}))
        return ids

    @cached_property
    def rule_names(self) -> dict[str, str]:
        """Every rule ID's Chinese name, for people: a clause's title, a window's label, a cross rule's
        gist (the ID itself stays a secondary tag beside the name)."""
        names = {cid: c.title for cid, c in self.clauses.items()}
        names |= {wid: w.label for wid, w in self.windows.items()}
        names |= {rid: r.get("label", rid) for rid, r in self.data.get("named_rules", {}).items()}
        for g in self.gates:
            if g.kind == "choose":
                members = self.choice_groups.get(g.group or "", [])
                names[g.id] = f"{'、'.join(members)} 中选取 {g.choose} 项"
            elif g.kind == "areas_met":
                at_least = g.at_least
                if isinstance(at_least, dict):
                    p = self.parameters.get(at_least.get("param", ""))
                    at_least = p.values[-1][1] if p and p.values else "若干"
                family = self.families.get(g.family or "", {}).get("name", g.family)
                names[g.id] = f"{family}至少具备 {at_least} 项"
        names[self.same_work["id"]] = "同一工作只计入一类"
        names |= {c["id"]: c.get("label", c["id"]) for c in self.acceptance_checks}
        names["REVIEW"] = "评审核实"
        names["DELIVERY"] = "验收交付核实"
        return names

    def rule_name(self, rule_id: str) -> str:
        """The Chinese name of ``rule_id`` (the ID itself when unknown)."""
        return self.rule_names.get(rule_id, rule_id)

    def _check_references(self) -> None:
        def check_ref(key: str, ref: dict | Ref) -> None:
            clause = ref.clause if isinstance(ref, Ref) else ref["clause"]
            if clause not in self.rule_ids:
                raise self._fail(f"{key}.ref.clause", f"unknown clause ID '{clause}'")

        for name, p in self.parameters.items():
            check_ref(f"parameters.{name}", p.ref)
        for wid, w in self.windows.items():
            check_ref(f"windows.{wid}", w.ref)
            for end in ("start", "end"):
                spec = getattr(w, end)
                if "param" in spec:
                    p = self.parameters.get(spec["param"])
                    if p is None or p.unit != "date":
                        raise self._fail(f"windows.{wid}.{end}", "needs a date parameter")
                elif spec.get("date") not in APPLICATION_DATES:
                    raise self._fail(f"windows.{wid}.{end}",
                                     f"must be {{param: NAME}} or {{date: {'|'.join(APPLICATION_DATES)}}}")
        for phase, wid in self.phase_windows.items():
            if wid not in self.windows:
                raise self._fail(f"phase_windows.{phase}", f"unknown window '{wid}'")
        for g in self.gates:
            check_ref(f"gates.{g.id}", g.ref)
            if g.kind == "choose" and (g.group not in self.choice_groups or not g.choose):
                raise self._fail(f"gates.{g.id}", "choose gate needs a known group and choose")
            if g.kind == "areas_met" and (g.family not in self.families or g.at_least is None):
                raise self._fail(f"gates.{g.id}", "areas_met gate needs a known family and at_least")
            if isinstance(g.at_least, dict) and g.at_least.get("param") not in self.parameters:
                raise self._fail(f"gates.{g.id}.at_least", f"unknown parameter '{g.at_least.get('param')}'")
        check_ref("same_work", self.same_work["ref"])
        for fam in self.same_work["families"] + [self.same_work["keep"]]:
            if fam not in self.families:
                raise self._fail("same_work.families", f"unknown family '{fam}'")
        for group, members in self.choice_groups.items():
            for cid in members:
                if cid not in self.clauses:
                    raise self._fail(f"choice_groups.{group}", f"unknown clause '{cid}'")
        for cid, c in self.clauses.items():
            check_ref(f"clauses.{cid}.condition", c.raw["condition"]["ref"])
            for i, k in enumerate(c.raw.get("evidence_kinds", [])):
                check_ref(f"clauses.{cid}.evidence_kinds[{i}]", k["ref"])
            for i, r in enumerate(c.raw.get("record_rules", [])):
                check_ref(f"clauses.{cid}.record_rules[{i}]", r["ref"])
                if r["id"] not in self.rule_ids:
                    raise self._fail(f"clauses.{cid}.record_rules[{i}].id", f"unknown rule ID '{r['id']}'")
            for wid in c.windows:
                if wid not in self.windows:
                    raise self._fail(f"clauses.{cid}.windows", f"unknown window '{wid}'")
            for i, o in enumerate(c.raw.get("phase_window_overrides", [])):
                for phase in ("prior", "plan"):
                    if phase in o and o[phase] not in self.windows:
                        raise self._fail(f"clauses.{cid}.phase_window_overrides[{i}].{phase}",
                                         f"unknown window '{o[phase]}'")
            if cid not in self.scoring["clauses"]:
                raise self._fail(f"scoring.clauses.{cid}", "every clause needs a score entry")
        for cid, s in self.scoring["clauses"].items():
            if cid not in self.clauses:
                raise self._fail(f"scoring.clauses.{cid}", f"unknown clause '{cid}'")
            check_ref(f"scoring.clauses.{cid}", s["ref"])

    # parameters and compiled rules
    def max_score(self, clause: str) -> Decimal | None:
        """The most a clause can score under the scheme: its cap, else base plus every increment's cap;
        None when an increment is uncapped (the range an expert scores in is then the office's call)."""
        entry = self.scoring["clauses"].get(clause)
        if entry is None:
            return None
        if "cap" in entry:
            return Decimal(str(entry["cap"]))
        increments = entry.get("increments", [])
        if any("cap" not in i for i in increments):
            return None
        return Decimal(str(entry["base"])) + sum((Decimal(str(i["cap"])) for i in increments), Decimal(0))

    def params_on(self, day: dt.date) -> dict[str, Any]:
        return {name: p.value_on(day) for name, p in self.parameters.items()}

    def rules_on(self, day: dt.date) -> CompiledRules:
        params = self.params_on(day)
        key = tuple(params.values())
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = self._compile(params)
        return compiled

    def _compile(self, params: dict[str, Any]) -> CompiledRules:
        clauses = {}
        for cid, c in self.clauses.items():
            where = f"clauses.{cid}"
            scope = Scope(c.raw["fields"], params, where)
            try:
                rules = []
                for i, r in enumerate(c.raw.get("record_rules", [])):
                    key = f"record_rules[{i}]"
                    set_rule = compile_set_rule(r["test"], scope, f"{key}.test")
                    rules.append(RecordRule(
                        r["id"], r["message"], r["ref"]["quote"],
                        compile_predicate(r["when"], scope, f"{key}.when") if "when" in r else None,
                        None if set_rule else compile_predicate(r["test"], scope, f"{key}.test"),
                        set_rule))
                overrides = [(compile_predicate(o["when"], scope, f"phase_window_overrides[{i}].when"),
                              {k: v for k, v in o.items() if k != "when"})
                             for i, o in enumerate(c.raw.get("phase_window_overrides", []))]
                condition = Condition(c.raw["condition"], scope)
                evidence = [
                    EvidenceCheck(c.evidence_kinds[k["key"]],
                                  compile_predicate(k["when"], scope, f"evidence_kinds[{i}].when")
                                  if "when" in k else None,
                                  compile_predicate(k["satisfied_by"], scope, f"evidence_kinds[{i}].satisfied_by")
                                  if "satisfied_by" in k else None)
                    for i, k in enumerate(c.raw.get("evidence_kinds", []))]
                score = self._compile_score(self.scoring["clauses"][cid],
                                            Scope(c.raw["fields"], params, f"scoring.clauses.{cid}"))
            except SpecError as exc:
                raise self._fail(exc.key, exc.reason) from None
            clauses[cid] = CompiledClause(c, rules, condition, score, overrides, evidence)
        return CompiledRules(params, clauses)

    @staticmethod
    def _compile_score(spec: dict, scope: Scope) -> ScoreRule:
        def dec(v: Any) -> Decimal:
            return Decimal(str(v))
        increments = [
            Increment(Measure(inc["measure"], scope, f"increments[{i}].measure"), dec(inc["above"]),
                      dec(inc["every"]), dec(inc["points"]),
                      dec(inc["cap"]) if "cap" in inc else None, inc.get("label", ""))
            for i, inc in enumerate(spec.get("increments", []))
        ]
        bands = None
        if "bands" in spec:
            bands = (Measure(spec["bands"]["measure"], scope, "bands.measure"),
                     sorted((dec(b["at_least"]), dec(b["points"]), b.get("label", ""))
                            for b in spec["bands"]["steps"]))
        return ScoreRule(dec(spec["base"]), increments, bands,
                         dec(spec["cap"]) if "cap" in spec else None)

    # views used by the UI and the docs
    def official_conditions(self) -> dict[str, Parameter]:
        """Parameters quoted from the official text (``kind: condition``), in file order."""
        return {name: p for name, p in self.parameters.items() if p.official}

    def clauses_of(self, family: str) -> list[ClauseDef]:
        return [c for c in self.clauses.values() if c.family == family]


def parse_programme(text: str, origin: str = "<programme>") -> Programme:
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise ProgrammeFileError(origin, "", f"not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ProgrammeFileError(origin, "", "top level must be a mapping")
    validator = jsonschema.Draft202012Validator(PROGRAMME_SCHEMA)
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        err = jsonschema.exceptions.best_match(errors)
        key = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in err.absolute_path)
        raise ProgrammeFileError(origin, key.replace(".[", "["), err.message)
    return Programme(data, text, origin)


def load_programme(path: str | Path | None = None) -> Programme:
    """Load a programme file by path, or the packaged programme by its code."""
    if path is None:
        path = DEFAULT_PROGRAMME
    candidate = Path(path)
    if not candidate.suffix and not candidate.exists():
        resource = PROGRAMME_DIR / f"{path}.yaml"
        if not resource.is_file():
            raise ProgrammeFileError(str(path), "", "no such programme")
        return _cached_packaged(str(path), resource.read_text(encoding="utf-8"))
    try:
        text = candidate.read_text(encoding="utf-8")
    except OSError as exc:
        raise ProgrammeFileError(str(path), "", f"cannot read: {exc.strerror}") from None
    return parse_programme(text, str(path))


_PACKAGED: dict[str, Programme] = {}


def _cached_packaged(code: str, text: str) -> Programme:
    programme = _PACKAGED.get(code)
    if programme is None or programme.source_text != text:
        programme = _PACKAGED[code] = parse_programme(text, f"{code}.yaml")
    return programme


def packaged_programmes() -> list[str]:
    return sorted(p.name.removesuffix(".yaml") for p in PROGRAMME_DIR.iterdir()
                  if p.name.endswith(".yaml"))
