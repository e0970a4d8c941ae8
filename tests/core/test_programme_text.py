"""The programme file stays faithful to the official text.

* every ``ref.quote`` (parameters, windows, gates, same_work, acceptance_checks, named_rules,
  record_rules, conditions, scoring) is verbatim from docs/policy/2025-zgc-social-org-support.zh.txt
  (whitespace ignored);
* every clause and rule ID of docs/policy/2025-clauses.md is defined in the programme file, and the
  programme file defines no ID the clause document does not know.
"""

from __future__ import annotations

from typing import Any

import pytest
from casekit import clause_doc_ids, official_text, squash

from zgcfund.core.programme import load_programme

PROGRAMME = load_programme()
TEXT = official_text()
SECTIONS = ("parameters", "windows", "gates", "same_work", "acceptance_checks", "named_rules",
            "record_rules", "condition", "scoring")


def _refs(node: Any, path: str = "") -> list[tuple[str, dict]]:
    """(key path, ref) for every ``ref`` mapping anywhere in the programme data."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            sub = f"{path}.{key}" if path else str(key)
            if key == "ref" and isinstance(value, dict):
                found.append((path, value))
            else:
                found += _refs(value, sub)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _refs(value, f"{path}[{i}]")
    return found


REFS = _refs(PROGRAMME.data)


@pytest.mark.parametrize(("where", "ref"), REFS, ids=[w for w, _ in REFS])
def test_ref_quote_is_verbatim_from_the_official_text(where: str, ref: dict) -> None:
    assert squash(ref["quote"]) in TEXT, f"{where}: quote not in the official text: {ref['quote']}"


@pytest.mark.parametrize("section", SECTIONS)
def test_every_section_carries_refs(section: str) -> None:
    """The walk above really reaches each kind of entry the brief names."""
    hits = [w for w, _ in REFS if w.startswith(section) or f".{section}" in w]
    assert hits, f"no ref found under {section}"


def test_every_rule_and_parameter_entry_has_a_ref() -> None:
    data = PROGRAMME.data
    wheres = {w for w, _ in REFS}
    expected = {f"parameters.{p}" for p in data["parameters"]} | {f"windows.{w}" for w in data["windows"]}
    expected |= {f"gates[{i}]" for i in range(len(data["gates"]))} | {"same_work"}
    expected |= {f"acceptance_checks[{i}]" for i in range(len(data["acceptance_checks"]))}
    expected |= {f"named_rules.{n}" for n in data["named_rules"]}
    expected |= {f"scoring.clauses.{c}" for c in data["scoring"]["clauses"]}
    for cid, clause in data["clauses"].items():
        expected.add(f"clauses.{cid}.condition")
        expected |= {f"clauses.{cid}.record_rules[{i}]" for i in range(len(clause.get("record_rules", [])))}
    assert expected <= wheres, sorted(expected - wheres)


def test_scoring_basis_quote_is_verbatim() -> None:
    assert squash(PROGRAMME.scoring["basis_quote"]) in TEXT


@pytest.mark.parametrize("clause_id", clause_doc_ids())
def test_clause_doc_id_is_defined_in_the_programme_file(clause_id: str) -> None:
    assert clause_id in PROGRAMME.rule_ids


def test_programme_file_defines_no_id_unknown_to_the_clause_doc() -> None:
    assert PROGRAMME.rule_ids == set(clause_doc_ids())


def test_every_ref_names_a_known_id() -> None:
    known = set(clause_doc_ids())
    assert {ref["clause"] for _, ref in REFS} <= known


CLAUSE_IDS = list(PROGRAMME.clauses)


@pytest.mark.parametrize("clause_id", CLAUSE_IDS)
def test_basic_condition_is_the_official_sentence_verbatim(clause_id: str) -> None:
    """``basic_condition`` is shown as a quotation (home page, editor, PDF): it must be the official
    text word for word (whitespace aside), never a paraphrase."""
    quoted = PROGRAMME.clauses[clause_id].basic_condition
    assert squash(quoted) in TEXT, f"{clause_id}: basic_condition not verbatim in the official text: {quoted}"
