"""Evaluate an application clause by clause: ``zgc-evaluation/1``.

Order of judgement for each clause's records (first failure rejects):
review verdict (``verified: false``), applicability, choice (X-K1-TWO /
X-K3-TWO), the phase window (W-PRIOR / W-PLAN, or a clause's override such as
W-INTL-STD), the clause's extra windows (W-2025), same work (X-ONCE, P copies
of work already counted in K), then the clause's record rules in file order.
The basic condition is judged on the records left; a met clause is scored by
the scheme. Gates decide eligibility.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from zgcfund.core import ENGINE_VERSION
from zgcfund.core.application import PHASES, Application, validate
from zgcfund.core.programme import CompiledClause, Programme, ScoreRule
from zgcfund.core.vocabulary import _plain, normalise_text
from zgcfund.core.workdays import working_days_between

EVALUATION_FORMAT = "zgc-evaluation/1"
BASES = ("prior", "projected")
REVIEW_RULE = "REVIEW"
APPLIES_TO = {"comprehensive": "本组织不是综合类社会组织，本项不适用",
              "registers_tech_contracts": "本组织不承担技术合同登记工作，本项不适用"}
STATUS_NAMES = {"met": "满足", "not_met": "未满足", "not_declared": "未申报",
                "not_chosen": "未选取", "not_applicable": "不适用"}


def number(value: Decimal) -> int | float:
    """A score for JSON: exact Decimal arithmetic inside, a plain number at the edge."""
    value = _plain(value)
    return value if isinstance(value, int) else float(value)


class _MessageValues(dict):
    """Values a rule message may name: the rule's extra values, then ``working_days`` (between
    the record's notified_on and registered_on), the record's fields, the parameters; each
    worked out only when the message names it. Anything else reads 未填写."""

    def __init__(self, record: dict, params: dict, extra: dict | None):
        super().__init__(extra or ())
        self.record, self.params = record, params

    def __missing__(self, key: str) -> Any:
        if key == "working_days":
            a, b = self.record.get("notified_on"), self.record.get("registered_on")
            if a and b:
                return working_days_between(a, b)
        if key in self.record:
            return _shown(self.record[key])
        if key in self.params:
            return _shown(self.params[key])
        return "未填写"


def _shown(value: Any) -> Any:
    if value is None:
        return "未填写"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, frozenset):
        return "、".join(sorted(value))
    return _plain(value)


def _message(template: str, record: dict, params: dict, extra: dict | None = None) -> str:
    return template.format_map(_MessageValues(record, params, extra))


def same_work_keys(record: dict) -> list[Any]:
    keys: list[Any] = [("sha256", e["sha256"]) for e in record.get("evidence") or ()]
    keys.append(("title", normalise_text(record["title"]), record["date"]))
    return keys


class _CountedWork:
    """The same-work keys of the records counted in the kept family (X-ONCE).

    Same answers as a set of :func:`same_work_keys` of those records, but built once, on the
    first question, and a counted title is normalised only when a record of the same date is
    checked against it (most dates never are)."""

    def __init__(self) -> None:
        self.records: list[dict] = []
        self.files: set[str] | None = None
        self.titles_on: dict[dt.date, list[str]] = {}
        self.normalised_on: dict[dt.date, set[str]] = {}

    def add(self, records: list[dict]) -> None:
        self.records += records
        self.files = None  # index out of date

    def __bool__(self) -> bool:
        return bool(self.records)

    def __contains__(self, record: dict) -> bool:
        """Whether ``record`` shares an evidence file, or a normalised title and date, with counted work."""
        if self.files is None:
            self.files = {e["sha256"] for r in self.records for e in r.get("evidence") or ()}
            self.titles_on, self.normalised_on = {}, {}
            for r in self.records:
                self.titles_on.setdefault(r["date"], []).append(r["title"])
        for e in record.get("evidence") or ():
            if e["sha256"] in self.files:
                return True
        day = record["date"]
        if day not in self.titles_on:
            return False
        titles = self.normalised_on.get(day)
        if titles is None:
            titles = self.normalised_on[day] = {normalise_text(t) for t in self.titles_on[day]}
        return normalise_text(record["title"]) in titles


def score_clause(rule: ScoreRule, counted: list[dict]) -> tuple[Decimal, dict]:
    band_value = rule.bands[0](counted) if rule.bands else None
    return score_from_values(rule, [inc.measure(counted) for inc in rule.increments], band_value)


def score_from_values(rule: ScoreRule, values: list[Any], band_value: Any = None) -> tuple[Decimal, dict]:
    """A met clause's score from its measured values (one per increment, and the band measure's):
    the arithmetic of the scheme, shared by the evaluation and by re-scoring a stored one."""
    total = rule.base
    trace: dict[str, Any] = {"base": number(rule.base)}
    steps = []
    for inc, value in zip(rule.increments, values, strict=True):
        value = Decimal(str(value)) if not isinstance(value, int | Decimal) else value
        added = Decimal(0)
        if value > inc.above:
            added = ((value - inc.above) // inc.every) * inc.points
            if inc.cap is not None:
                added = min(added, inc.cap)
        total += added
        steps.append({"label": inc.label, "value": _plain(value), "above": _plain(inc.above),
                      "every": _plain(inc.every), "points": number(inc.points),
                      "cap": number(inc.cap) if inc.cap is not None else None,
                      "added": number(added)})
    if steps:
        trace["increments"] = steps
    if rule.bands:
        _measure, bands = rule.bands
        value = Decimal(str(band_value)) if not isinstance(band_value, int | Decimal) else band_value
        band_points = Decimal(0)
        for at_least, points, _label in bands:
            if value >= at_least:
                band_points = points
        total += band_points
        trace["band"] = {"value": _plain(value), "added": number(band_points)}
    if rule.cap is not None and total > rule.cap:
        total = rule.cap
        trace["capped_at"] = number(rule.cap)
    trace["total"] = number(total)
    return total, trace


class Evaluation:
    """One evaluation run; ``result`` is the zgc-evaluation/1 document."""

    def __init__(self, programme: Programme, app: Application, basis: str):
        if basis not in BASES:
            raise ValueError(f"basis must be one of {BASES}")
        self.programme, self.app, self.basis = programme, app, basis
        self.rules = programme.rules_on(app.applied_on)
        self.params = self.rules.params
        dates = {"applied_on": app.applied_on, "plan_start": app.plan_start}
        self.windows = {wid: w.bounds(self.params, dates) for wid, w in programme.windows.items()}

    def run(self) -> dict:
        prog, app = self.programme, self.app
        by_clause: dict[str, list[dict]] = defaultdict(list)
        touched: dict[str, set[str]] = defaultdict(set)
        outside_basis = []
        include_plan = self.basis == "projected"
        for r in app.records:
            touched[r["clause"]].add(r["phase"])
            if r["phase"] == "plan" and not include_plan:
                outside_basis.append(r["id"])
            else:
                by_clause[r["clause"]].append(r)

        problems, not_chosen = self._choices(touched)
        keep = prog.same_work["keep"]
        families = [keep] + [f for f in prog.families if f != keep]
        counted_work = _CountedWork()
        clauses: dict[str, dict] = {}
        scores: dict[str, Decimal] = {}
        for family in families:
            for clause in prog.clauses_of(family):
                out, score, counted = self._clause(self.rules.clauses[clause.id],
                                                   by_clause.get(clause.id, []), not_chosen,
                                                   counted_work if family != keep else None,
                                                   declared=clause.id in touched)
                clauses[clause.id] = out
                scores[clause.id] = score
                if family == keep and family in prog.same_work["families"]:
                    counted_work.add(counted)

        problems += self._unresolved_choices(touched, clauses, scores)
        problems += self._areas_gates(clauses)
        family_scores = {f: sum((scores[c.id] for c in prog.clauses_of(f)), Decimal(0))
                         for f in prog.families}
        total = sum(family_scores.values(), Decimal(0))
        result = {
            "format": EVALUATION_FORMAT,
            "programme": prog.code,
            "basis": self.basis,
            "eligible": not problems,
            "problems": problems,
            "clauses": {cid: clauses[cid] for cid in prog.clauses},
            "score": {**{f: number(s) for f, s in family_scores.items()}, "total": number(total)},
            "outside_basis": outside_basis,
            "deferred": [{"rule": c["id"], "message": f"{c['label']}：验收时核对"}
                         for c in prog.acceptance_checks],
            "engine_version": ENGINE_VERSION,
            "programme_sha256": prog.sha256,
            "scoring_version": prog.scoring["version"],
            "windows": {wid: [a.isoformat(), b.isoformat()] for wid, (a, b) in self.windows.items()},
        }
        return result

    # --- choice gates -------------------------------------------------------------
    def _choices(self, touched: dict[str, set[str]]) -> tuple[list[dict], dict[str, str]]:
        not_chosen: dict[str, str] = {}
        for gate in self.programme.gates:
            if gate.kind != "choose":
                continue
            chosen = self.app.choices.get(gate.group)
            if chosen is None:
                continue
            for cid in self.programme.choice_groups[gate.group]:
                if cid not in chosen:
                    not_chosen[cid] = gate.id
        return [], not_chosen

    def _unresolved_choices(self, touched: dict, clauses: dict, scores: dict) -> list[dict]:
        problems = []
        for gate in self.programme.gates:
            if gate.kind != "choose" or gate.group in self.app.choices:
                continue
            members = self.programme.choice_groups[gate.group]
            used = [c for c in members if c in touched]
            if len(used) <= gate.choose:
                continue
            problems.append({"rule": gate.id, "message":
                             f"{gate.group}的{'、'.join(members)}中只可选取{gate.choose}项开展，"
                             f"现填报了{len(used)}项且未作选择；排序时只计得分最高的{gate.choose}项"})
            exclude_beyond_choice(gate, members, used, clauses, scores)
        return problems

    def _areas_gates(self, clauses: dict) -> list[dict]:
        problems = []
        for gate in self.programme.gates:
            if gate.kind != "areas_met":
                continue
            need = gate.at_least
            need = self.params[need["param"]] if isinstance(need, dict) else need
            met = [c.id for c in self.programme.clauses_of(gate.family)
                   if clauses[c.id]["status"] == "met"]
            if len(met) < need:
                name = self.programme.families[gate.family]["name"]
                problems.append({"rule": gate.id, "message":
                                 f"{name}至少具备{need}项，现满足{len(met)}项"
                                 + (f"（{'、'.join(met)}）" if met else "")})
        return problems

    # --- one clause -------------------------------------------------------------
    def _clause(self, cc: CompiledClause, records: list[dict], not_chosen: dict[str, str],
                counted_work: _CountedWork | None, declared: bool = True) -> tuple[dict, Decimal, list[dict]]:
        clause = cc.definition
        rejected: list[dict] = []
        params = self.params

        def reject(r: dict, rule: str, message: str) -> None:
            rejected.append({"record": r["id"], "rule": rule, "message": message})

        status = None
        if clause.applies_to and not self.app.organization.get(clause.applies_to):
            status = "not_applicable"
            for r in records:
                reject(r, clause.id, APPLIES_TO[clause.applies_to])
        elif clause.id in not_chosen:
            status = "not_chosen"
            chosen = self.app.choices[self.programme.clause_group[clause.id]]
            for r in records:
                reject(r, not_chosen[clause.id], f"本组织选取了{'、'.join(chosen)}，本项未选取")
        if status:
            return {"status": status, "score": 0, "counted": [], "rejected": rejected}, Decimal(0), []

        survivors = []
        windows = self.windows
        phase_windows = self.programme.phase_windows
        extra = clause.windows
        for r in records:
            if r.get("verified") is False:
                reject(r, REVIEW_RULE, "评审核实未通过")
                continue
            wid = phase_windows[r["phase"]]
            for when, override in cc.overrides:
                if r["phase"] in override and when(r):
                    wid = override[r["phase"]]
            start, end = windows[wid]
            day = r["date"]
            if not start <= day <= end:
                reject(r, wid, f"日期 {day} 不在{self.programme.windows[wid].label}"
                               f"（{start}至{end}）内，{PHASES[r['phase']]}不计入")
                continue
            for xw in extra:
                start, end = windows[xw]
                if not start <= day <= end:
                    reject(r, xw, f"日期 {day} 不在{self.programme.windows[xw].label}（{start}至{end}）内")
                    break
            else:
                if counted_work and r in counted_work:
                    reject(r, self.programme.same_work["id"],
                           "与科技重点工作中已计入的记录为同一工作（相同证明材料，或相同名称和日期），不重复计入")
                    continue
                survivors.append(r)

        rule_trace = []
        for rule in cc.rules:
            applies = survivors if rule.when is None else [r for r in survivors if rule.when(r)]
            if not applies:
                rule_trace.append({"rule": rule.id, "quote": rule.quote, "checked": 0, "failed": 0})
                continue
            if rule.set_rule is not None:
                _, failed = rule.set_rule(applies)
                failed_ids = {id(o.record) for o in failed}
                for o in failed:
                    reject(o.record, rule.id, _message(rule.message, o.record, params, o.extra))
            else:
                test = rule.test
                bad = [r for r in applies if not test(r)]  # type: ignore[misc]
                failed_ids = {id(r) for r in bad}
                for r in bad:
                    reject(r, rule.id, _message(rule.message, r, params))
            if failed_ids:
                survivors = [r for r in survivors if id(r) not in failed_ids]
            rule_trace.append({"rule": rule.id, "quote": rule.quote, "checked": len(applies),
                               "failed": len(failed_ids)})

        met, condition_trace = cc.condition.evaluate(survivors)
        if not records and not declared:
            # not_declared only when the application has no record at all for the clause; plan
            # records left out of the prior basis still make it declared (so: not_met on this basis)
            status = "not_declared"
        else:
            status = "met" if met else "not_met"
        score, score_trace = (score_clause(cc.score, survivors) if met else (Decimal(0), None))
        trace: dict[str, Any] = {"records": rule_trace, "condition": condition_trace}
        if score_trace:
            trace["score"] = score_trace
        out = {"status": status, "score": number(score), "counted": [r["id"] for r in survivors],
               "rejected": rejected, "trace": trace}
        missing = [r["id"] for r in survivors if not r.get("evidence")]
        if missing:
            out["missing_evidence"] = missing
        return out, score, survivors


def exclude_beyond_choice(gate: Any, members: list[str], used: list[str], clauses: dict, scores: dict) -> None:
    """An unresolved choice (X-K1-TWO / X-K3-TWO): only the best-scoring ``gate.choose`` clauses count."""
    best = sorted(used, key=lambda c: (-scores[c], members.index(c)))[: gate.choose]
    for cid in used:
        if cid not in best and scores[cid]:
            clauses[cid]["score_excluded_by"] = gate.id
            clauses[cid]["score"] = 0
            scores[cid] = Decimal(0)


def evaluate_application(programme: Programme, app: Application, basis: str = "prior") -> dict:
    return Evaluation(programme, app, basis).run()


def evaluate(doc: Any, programme: Programme, basis: str = "prior",
             accepted_credit_codes: frozenset[str] = frozenset()) -> dict:
    """Validate a zgc-application/1 document and evaluate it (raises InvalidDocument)."""
    return evaluate_application(programme, validate(doc, programme, accepted_credit_codes), basis)
