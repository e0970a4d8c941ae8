"""Evaluate an application clause by clause: ``zgc-evaluation/1``.

Order of judgement for each clause's records (first failure rejects):
review verdict (``verified: false``), on the ``final`` basis a plan record's delivery
(rule DELIVERY: delivered or partly delivered, verified, done by ``accepted_on``), applicability, choice (X-K1-TWO /
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
from zgcfund.core.application import DELIVERY_STATUSES, PHASES, Application, validate
from zgcfund.core.errors import InvalidDocument, Problem
from zgcfund.core.programme import CompiledClause, Programme, ScoreRule
from zgcfund.core.vocabulary import CONTEXT, EvaluationContext, _plain, division_code, normalise_text, record_window
from zgcfund.core.workdays import working_days_between

EVALUATION_FORMAT = "zgc-evaluation/1"
BASES = ("prior", "projected")  # the selection bases: every application is evaluated on both
FINAL = "final"  # the acceptance basis (验收): needs the document's accepted_on
ALL_BASES = (*BASES, FINAL)
REVIEW_RULE = "REVIEW"
DELIVERY_RULE = "DELIVERY"  # a plan record's delivery at acceptance (``final`` basis)
DELIVERY_COUNTED = ("delivered", "partly_delivered")
FINAL_NEEDS_ACCEPTED_ON = ("按验收口径（basis final）评估时必填，未填写：验收基准日（YYYY-MM-DD），"
                           "营收等按期统计的数字以此日判断统计期是否结束")
SELF_DECLARED = "申报单位自报，待项目办公室确认"
APPLIES_TO = {"comprehensive": "本组织不是综合类社会组织，本项不适用",
              "registers_tech_contracts": "本组织不承担技术合同登记工作，本项不适用"}
STATUS_NAMES = {"met": "满足", "not_met": "未满足", "not_declared": "未申报",
                "not_chosen": "未选取", "not_applicable": "不适用"}


def application_dates(params: dict, applied_on: dt.date, plan_start: dt.date) -> dict[str, dt.date]:
    """The application's own dates a window may name. ``prior_end`` is W-PRIOR's 申报日: the
    organization's own date, or the window's closing date when the programme setting
    ``prior_until_window_close`` says so (2025-clauses.md, open points)."""
    prior_end = applied_on
    if params.get("prior_until_window_close") and "application_window_closes" in params:
        prior_end = max(applied_on, params["application_window_closes"])
    return {"applied_on": applied_on, "plan_start": plan_start, "prior_end": prior_end}


def number(value: Decimal) -> int | float:
    """A score for JSON: exact Decimal arithmetic inside, a plain number at the edge."""
    value = _plain(value)
    return value if isinstance(value, int) else float(value)


class _MissingDate(Exception):
    """A message counts working days between two dates and one of them is missing."""

    def __init__(self, name: str):
        self.name = name


class _MessageValues(dict):
    """Values a rule message may name: the rule's extra values, then ``working_days`` (between
    the record's notified_on and registered_on), ``window`` (the record's phase window), the
    record's fields (a party as its name; ``{enterprise[credit_code]}``, ``{enterprise[division]}``),
    the parameters; each worked out only when the message names it. Anything else reads 未填写."""

    def __init__(self, record: dict, params: dict, extra: dict | None):
        super().__init__(extra or ())
        self.record, self.params = record, params

    def __missing__(self, key: str) -> Any:
        if key == "working_days":
            for name in ("notified_on", "registered_on"):
                if not self.record.get(name):
                    raise _MissingDate(name)
            return working_days_between(self.record["notified_on"], self.record["registered_on"])
        if key == "window":
            window = record_window(self.record)
            if window:
                return f"{window[0]}（{window[1].isoformat()}至{window[2].isoformat()}）"
        if key in self.record:
            return _shown(self.record[key])
        if key in self.params:
            return _shown(self.params[key])
        return "未填写"


class _PartyShown(str):
    """A party in a message: its name; ``[credit_code]`` and ``[division]`` (positions 3–8) on request."""

    def __new__(cls, party: dict) -> _PartyShown:
        shown = super().__new__(cls, party.get("name") or "未填写")
        shown.party = party
        return shown

    def __getitem__(self, key: Any) -> Any:  # type: ignore[override]
        if key == "division":
            return division_code(self.party) or "未填写"
        return self.party.get(key) or "未填写"


def _shown(value: Any) -> Any:
    if value is None:
        return "未填写"
    if isinstance(value, dict) and "name" in value:
        return _PartyShown(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, frozenset):
        return "、".join(sorted(value))
    return _plain(value)


def _message(template: str, record: dict, params: dict, extra: dict | None = None,
             labels: dict[str, str] | None = None) -> str:
    try:
        return template.format_map(_MessageValues(record, params, extra))
    except _MissingDate as missing:  # never "仅 未填写 个工作日": say which date is missing
        label = (labels or {}).get(missing.name, missing.name)
        return f"未填写“{label}”（{missing.name}），无法计算提供信息日期与注册日期之间的工作日数"


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
        if basis not in ALL_BASES:
            raise ValueError(f"basis must be one of {ALL_BASES}")
        if basis == FINAL and app.accepted_on is None:
            raise InvalidDocument([Problem("accepted_on", FINAL_NEEDS_ACCEPTED_ON)])
        self.programme, self.app, self.basis = programme, app, basis
        self.rules = programme.rules_on(app.applied_on)
        self.params = self.rules.params
        dates = application_dates(self.params, app.applied_on, app.plan_start)
        prior_end = dates["prior_end"]
        # the as-of date: a figure for a period counts only when the period has ended by then (K1.3)
        self.as_of = prior_end if basis == "prior" else self.params.get("implementation_end", prior_end)
        if basis == FINAL:
            self.as_of = app.accepted_on
        self.pending: list[dict] = []
        self.windows = {wid: w.bounds(self.params, dates) for wid, w in programme.windows.items()}

    def run(self) -> dict:
        token = CONTEXT.set(EvaluationContext())
        try:
            return self._run()
        finally:
            CONTEXT.reset(token)

    def _run(self) -> dict:
        prog, app = self.programme, self.app
        by_clause: dict[str, list[dict]] = defaultdict(list)
        touched: dict[str, set[str]] = defaultdict(set)
        outside_basis = []
        include_plan = self.basis != "prior"
        final = self.basis == FINAL
        for r in app.records:
            # on the final basis a plan record touches its clause (X-K1-TWO / X-K3-TWO) only when delivered
            touched[r["clause"]].add("delivered" if final and r["phase"] == "plan" and not self._undelivered(r)
                                     else r["phase"])
            if r["phase"] == "plan" and not include_plan:
                outside_basis.append(r["id"])
            else:
                by_clause[r["clause"]].append(r)

        problems, not_chosen = self._choices(touched)
        # X-K1-TWO / X-K3-TWO: a sub-item touched only by plan records is not touched on the prior basis
        on_basis = {c for c, phases in touched.items()
                    if "prior" in phases or "delivered" in phases or self.basis == "projected"}
        warnings: list[dict] = []
        keep = prog.same_work["keep"]
        families = [keep] + [f for f in prog.families if f != keep]
        counted_work = _CountedWork()
        clauses: dict[str, dict] = {}
        scores: dict[str, Decimal] = {}
        for family in families:
            kept: list[tuple[str, list[dict]]] = []
            for clause in prog.clauses_of(family):
                out, score, counted = self._clause(self.rules.clauses[clause.id],
                                                   by_clause.get(clause.id, []), not_chosen,
                                                   counted_work if family != keep else None,
                                                   declared=clause.id in touched)
                clauses[clause.id] = out
                scores[clause.id] = score
                if family == keep and family in prog.same_work["families"]:
                    kept.append((clause.id, counted))
            # an unresolved choice is settled before X-ONCE looks at this family's counted work
            warnings += self._unresolved_choices(family, on_basis, clauses, scores)
            for cid, counted in kept:
                if clauses[cid]["status"] != "not_chosen":
                    counted_work.add(counted)

        warnings += [w for c in clauses.values() for w in c.pop("_warnings", ())]
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
            "warnings": warnings,
            "clauses": {cid: clauses[cid] for cid in prog.clauses},
            "score": {**{f: number(s) for f, s in family_scores.items()}, "total": number(total)},
            "outside_basis": outside_basis,
            "deferred": self.pending + [{"rule": c["id"], "message": f"{c['label']}：验收时核对"}
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

    def _unresolved_choices(self, family: str, on_basis: set[str], clauses: dict, scores: dict) -> list[dict]:
        """X-K1-TWO / X-K3-TWO are not gates: with all of a group touched and no choice made, the
        best-scoring ``gate.choose`` count, the rest are ``not_chosen``, and the evaluation warns."""
        warnings = []
        for gate in self.programme.gates:
            if gate.kind != "choose" or gate.group in self.app.choices:
                continue
            members = self.programme.choice_groups[gate.group]
            if self.programme.clauses[members[0]].family != family:
                continue
            used = [c for c in members if c in on_basis]
            if len(used) <= gate.choose:
                continue
            left = exclude_beyond_choice(gate, members, used, clauses, scores)
            best = [c for c in used if c not in left]
            warnings.append({"rule": gate.id, "message": choice_warning(gate, members, used, best, left)})
        return warnings

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

    # --- the final basis (验收) -------------------------------------------------------
    def _day(self, r: dict) -> dt.date:
        """When the work happened: on the final basis a plan record's ``delivery.delivered_on`` when given."""
        if self.basis == FINAL and r["phase"] == "plan":
            return (r.get("delivery") or {}).get("delivered_on") or r["date"]
        return r["date"]

    def _undelivered(self, r: dict) -> str | None:
        """Why a plan record does not count at acceptance (rule DELIVERY), or None: it counts only when
        delivered (or partly delivered), the delivery verified, and done by the acceptance date."""
        delivery = r.get("delivery")
        if not delivery:
            return "未填写交付情况（delivery），验收时实施期内工作计划不计入"
        status = delivery["status"]
        if status not in DELIVERY_COUNTED:
            return f"{DELIVERY_STATUSES[status]}：{delivery.get('reason') or '未说明原因'}"
        if delivery.get("verified") is not True:
            return f"{DELIVERY_STATUSES[status]}，但交付情况未经验收核实（delivery.verified 不为 true），不计入"
        day = self._day(r)
        if day > self.as_of:
            label = "交付日期" if delivery.get("delivered_on") else "日期"
            return (f"{label} {day} 晚于验收基准日 {self.as_of}，验收时尚未完成，不计入"
                    + ("" if delivery.get("delivered_on") else "（已提前完成的请填写交付日期 delivery.delivered_on）"))
        return None

    def _as_performance(self, r: dict) -> dict:
        """On the final basis a delivered plan record is performance: rules that apply only to prior
        records (``when: {field: phase, eq: prior}``, e.g. recognised, approved, completed) apply to it."""
        return {**r, "phase": "prior"} if self.basis == FINAL and r["phase"] == "plan" else r

    def _figures_due(self, clause: Any, records: list[dict], rejected: list[dict]) -> list[dict]:
        """A figure for a period (field ``period_end``) counts only when the period has ended on the
        as-of date (申报日 for prior): a later one is left out, the record itself still counts."""
        late = {name: self.params[raw["period_end"]["param"]] for name, raw in clause.raw["fields"].items()
                if "period_end" in raw and self.params[raw["period_end"]["param"]] > self.as_of}
        if not late:
            return records
        out = []
        for r in records:
            names = [n for n in late if r.get(n) is not None]
            if names:
                for n in names:
                    rejected.append({"record": r["id"], "rule": clause.id, "field": n, "message":
                                     f"{clause.fields[n].label}的统计期至{late[n]}，评估基准日{self.as_of}尚未结束，"
                                     "该数字不计入（本记录其余内容仍计入）"})
                r = {**r, **{n: None for n in names}}
            out.append(r)
        return out

    # --- one clause -------------------------------------------------------------
    def _clause(self, cc: CompiledClause, records: list[dict], not_chosen: dict[str, str],
                counted_work: _CountedWork | None, declared: bool = True) -> tuple[dict, Decimal, list[dict]]:
        clause = cc.definition
        rejected: list[dict] = []
        params = self.params

        def reject(r: dict, rule: str, message: str) -> None:
            rejected.append({"record": r["id"], "rule": rule, "message": message})

        warnings: list[dict] = []

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
        context = CONTEXT.get() or EvaluationContext()
        windows = self.windows
        phase_windows = self.programme.phase_windows
        extra = clause.windows
        final = self.basis == FINAL
        for r in records:
            if r.get("verified") is False:
                reject(r, REVIEW_RULE, "评审核实未通过")
                continue
            if final and r["phase"] == "plan":
                why = self._undelivered(r)
                if why:
                    reject(r, DELIVERY_RULE, why)
                    continue
            wid = phase_windows[r["phase"]]
            for when, override in cc.overrides:
                if r["phase"] in override and when(r):
                    wid = override[r["phase"]]
            start, end = windows[wid]
            phase_window = (self.programme.windows[wid].label, start, end)
            day = self._day(r) if final else r["date"]
            if not start <= day <= end:
                shown = "交付日期" if final and r["phase"] == "plan" and r["delivery"].get("delivered_on") else "日期"
                reject(r, wid, f"{shown} {day} 不在{self.programme.windows[wid].label}"
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
                context.windows[id(r)] = phase_window

        labels = {name: f.label for name, f in clause.fields.items()}
        rule_trace = []
        raw_rules = clause.raw.get("record_rules") or []
        for index, rule in enumerate(cc.rules):
            warn = index < len(raw_rules) and raw_rules[index].get("warn")
            if rule.when is None:
                applies = survivors
            elif final:
                applies = [r for r in survivors if rule.when(self._as_performance(r))]
            else:
                applies = [r for r in survivors if rule.when(r)]
            if not applies:
                rule_trace.append({"rule": rule.id, "quote": rule.quote, "checked": 0, "failed": 0})
                continue
            if rule.set_rule is not None:
                _, failed = rule.set_rule(applies)
                failed_ids = {id(o.record) for o in failed}
                for o in failed:
                    message = _message(rule.message, o.record, params, o.extra, labels)
                    reject(o.record, rule.id, message)
                    if warn:
                        warnings.append({"rule": rule.id, "message": f"{clause.id} 记录 {o.record['id']}：{message}"})
            else:
                test = rule.test
                bad = [r for r in applies if not test(r)]  # type: ignore[misc]
                failed_ids = {id(r) for r in bad}
                for r in bad:
                    reject(r, rule.id, _message(rule.message, r, params, None, labels))
            if failed_ids:
                survivors = [r for r in survivors if id(r) not in failed_ids]
            rule_trace.append({"rule": rule.id, "quote": rule.quote, "checked": len(applies),
                               "failed": len(failed_ids)})

        if final:
            warnings += [{"rule": DELIVERY_RULE, "message": f"{clause.id} 记录 {r['id']}：部分交付（{r['delivery']['reason']}），"
                                                           "按交付的情况（记录所填数量）计入"}
                         for r in survivors if r["phase"] == "plan" and r["delivery"]["status"] == "partly_delivered"]
        context.counted[clause.id] = survivors
        survivors = self._figures_due(clause, survivors, rejected)
        met, condition_trace = cc.condition.evaluate(survivors, self.as_of)
        if met and survivors:
            later = "验收基准日{}尚未结束，尚不能核对" if final else "评估基准日{}尚未结束，作为承诺于验收时核对"
            self.pending += [{"rule": clause.id, "message": f"{node['check']}：统计期至{node['period_end']}，"
                                                          + later.format(self.as_of)}
                             for node in _pending_nodes(condition_trace)]
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
        if warnings:
            out["_warnings"] = warnings
        missing = missing_evidence(cc, [self._as_performance(r) for r in survivors] if final else survivors)
        if missing:
            out["missing_evidence"] = missing
        declared = [{"record": r["id"], "field": f.name,
                     "message": f"{f.label} {_shown(r[f.name])}：{SELF_DECLARED}"}
                    for r in survivors for f in clause.fields.values()
                    if f.self_declared and r.get(f.self_declared) is True and r.get(f.name) is not None]
        if declared:
            out["self_declared"] = declared
        return out, score, survivors


def missing_evidence(cc: CompiledClause, records: list[dict]) -> list[dict]:
    """Counted prior records lacking a required kind of supporting material (the clause's
    ``evidence_kinds``; a clause declaring none needs at least one file). Plan records are
    commitments: their evidence comes with the implementation report. Listed, not rejected:
    the formal review decides whether a missing file sinks a record."""
    out = []
    for r in records:
        if r.get("phase") != "prior":
            continue
        files = r.get("evidence") or ()
        if not cc.evidence:
            if not files:
                out.append({"record": r["id"], "kinds": [], "message": "未上传支撑材料"})
            continue
        present = {e.get("kind") for e in files}
        lacking = [c.kind for c in cc.evidence
                   if c.kind.required and c.kind.key not in present and (c.when is None or c.when(r))
                   and not (c.satisfied_by and c.satisfied_by(r))]
        if lacking:
            out.append({"record": r["id"], "kinds": [k.key for k in lacking],
                        "message": "缺少" + "、".join(f"“{k.label}”" for k in lacking)})
    return out


def choice_warning(gate: Any, members: list[str], used: list[str], best: list[str], left: list[str]) -> str:
    return (f"{gate.group}的{'、'.join(members)}中只可选取{gate.choose}项开展，现{len(used)}项均有记录且未作选择；"
            f"按得分最高的{'、'.join(best)}计入，{'、'.join(left)}为未选取，不计分。请在提交前作出选择")


def _pending_nodes(node: dict) -> list[dict]:
    if node.get("pending"):
        return [node]
    return [n for item in node.get("items", ()) for n in _pending_nodes(item)]


def exclude_beyond_choice(gate: Any, members: list[str], used: list[str], clauses: dict, scores: dict) -> list[str]:
    """An unresolved choice (X-K1-TWO / X-K3-TWO): only the best-scoring ``gate.choose`` clauses count;
    the others become ``not_chosen`` (their counted records rejected by the gate's rule, their
    would-be status and trace kept, so a re-scoring can settle the choice again). Returns those left out."""
    best = sorted(used, key=lambda c: (-scores[c], members.index(c)))[: gate.choose]
    left = [c for c in used if c not in best]
    for cid in left:
        out = clauses[cid]
        out["score_excluded_by"] = gate.id
        out["status_if_chosen"] = out["status"]
        out["status"] = "not_chosen"
        out["score"] = 0
        out["rejected"] = [{"record": rid, "rule": gate.id,
                            "message": f"未作选择，按得分最高的{'、'.join(best)}计入，本项未选取"}
                           for rid in out["counted"]] + out["rejected"]
        out["counted"] = []
        out.pop("missing_evidence", None)
        scores[cid] = Decimal(0)
    return left


def restore_choice(clause: dict) -> None:
    """Undo :func:`exclude_beyond_choice` on one clause (re-scoring settles the choice again)."""
    gate = clause.pop("score_excluded_by", None)
    status = clause.pop("status_if_chosen", None)
    if gate is None or status is None:
        return
    clause["status"] = status
    clause["counted"] = [r["record"] for r in clause["rejected"] if r["rule"] == gate]
    clause["rejected"] = [r for r in clause["rejected"] if r["rule"] != gate]
    clause["score"] = (clause.get("trace") or {}).get("score", {}).get("total", 0) if status == "met" else 0


def evaluate_application(programme: Programme, app: Application, basis: str = "prior") -> dict:
    return Evaluation(programme, app, basis).run()


def evaluate(doc: Any, programme: Programme, basis: str = "prior",
             accepted_credit_codes: frozenset[str] = frozenset()) -> dict:
    """Validate a zgc-application/1 document and evaluate it (raises InvalidDocument)."""
    return evaluate_application(programme, validate(doc, programme, accepted_credit_codes), basis)
