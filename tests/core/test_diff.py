"""Diff between two submitted versions (issue 4: every submitted version is kept, with a diff)."""

from zgcfund.core.diff import diff_documents

BASE = {"format": "zgc-application/1", "applied_on": "2025-09-20", "contract_signed_on": None,
        "organization": {"name": "协会", "credit_code": "X"}, "choices": {"K1": ["K1.1", "K1.2"]},
        "records": [
            {"id": "a", "clause": "K3.1", "title": "对接会", "participants": 59, "evidence": [{"name": "1.jpg", "sha256": "1"}]},
            {"id": "b", "clause": "P5", "title": "报告"},
        ]}


def test_identical_documents_have_an_empty_diff():
    assert diff_documents(BASE, BASE).empty


def test_added_removed_and_changed_records_and_top_level():
    new = {**BASE, "choices": {"K1": ["K1.1", "K1.3"]},
           "records": [{**BASE["records"][0], "participants": 60, "evidence": [{"name": "2.jpg", "sha256": "2"}]},
                       {"id": "c", "clause": "P7", "title": "品牌活动"}]}
    d = diff_documents(BASE, new)
    assert d.top == {"choices": ({"K1": ["K1.1", "K1.2"]}, {"K1": ["K1.1", "K1.3"]})}
    assert [r["id"] for r in d.added] == ["c"] and [r["id"] for r in d.removed] == ["b"]
    assert d.changed[0].id == "a"
    assert d.changed[0].fields == {"participants": (59, 60), "evidence": (["1.jpg"], ["2.jpg"])}
    assert d.counts() == {"added": 1, "removed": 1, "changed": 1}


def test_renaming_an_evidence_file_is_not_a_change():
    new = {**BASE, "records": [{**BASE["records"][0], "evidence": [{"name": "renamed.jpg", "sha256": "1"}]},
                               BASE["records"][1]]}
    assert diff_documents(BASE, new).empty
