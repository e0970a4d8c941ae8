"""Editing services: records validated by the engine, optimistic locking, deadlines, JSON round trip."""

from __future__ import annotations

import datetime as dt

import pytest

from zgcfund.applications.domain.document import assess, build_document
from zgcfund.applications.domain.editing import (
    EditRefused,
    RecordInvalid,
    StaleEdit,
    delete_record,
    import_document,
    save_record,
    set_choices,
)
from zgcfund.audit.models import AuditEvent
from zgcfund.core.errors import InvalidDocument
from zgcfund.programmes.domain import clock

pytestmark = pytest.mark.django_db

K31 = {"phase": "prior", "date": "2025-03-02", "title": "人工智能产业对接会", "park": "海淀园", "participants": 85}


def test_k31_record_is_saved_and_the_engine_counts_it(application, applicant, open_window):
    record = save_record(application, applicant, "K3.1", K31)
    assert record.key == "K3.1-001" and record.fields == {"park": "海淀园", "participants": 85}
    result = assess(application)
    assert result.valid
    assert result.prior["clauses"]["K3.1"]["counted"] == ["K3.1-001"]
    assert AuditEvent.objects.filter(application=application, action="record.create").count() == 1


def test_invalid_record_names_the_field_and_writes_nothing(application, applicant, open_window):
    with pytest.raises(RecordInvalid) as exc:
        save_record(application, applicant, "K3.1", {**K31, "participants": -3})
    assert [p.path for p in exc.value.problems] == ["participants"]
    assert application.records.count() == 0


def test_two_editors_saving_the_same_record_the_second_is_refused(application, applicant, open_window):
    record = save_record(application, applicant, "K3.1", K31)
    first, second = record.version, record.version
    save_record(application, applicant, "K3.1", {**K31, "participants": 90}, record=record, expected_version=first)
    with pytest.raises(StaleEdit) as exc:
        save_record(application, applicant, "K3.1", {**K31, "participants": 59}, record=record, expected_version=second)
    assert "王管理" in exc.value.message
    record.refresh_from_db()
    assert record.fields["participants"] == 90


def test_editing_after_the_deadline_is_refused(application, applicant, open_window):
    open_window.closes_at = clock.now() - dt.timedelta(minutes=1)
    open_window.opens_at = clock.now() - dt.timedelta(days=30)
    open_window.save()
    with pytest.raises(EditRefused, match="截止"):
        save_record(application, applicant, "K3.1", K31)


def test_x_k1_two_choices_are_limited_to_two(application, applicant, open_window):
    with pytest.raises(RecordInvalid):
        set_choices(application, applicant, "K1", ["K1.1", "K1.2", "K1.3"], application.lock_version)
    set_choices(application, applicant, "K1", ["K1.3", "K1.1"], application.lock_version)
    assert application.choices == {"K1": ["K1.1", "K1.3"]}
    with pytest.raises(StaleEdit):
        set_choices(application, applicant, "K1", ["K1.2"], application.lock_version - 1)


def test_json_round_trip_is_lossless(application, applicant, open_window):
    save_record(application, applicant, "K3.1", K31)
    save_record(application, applicant, "P5", {"phase": "plan", "date": "2026-03-01", "title": "产业研究报告",
                                               "type": "commissioned", "completed": False})
    doc = build_document(application)
    doc["records"][0]["evidence"] = [{"name": "photo.jpg", "sha256": "a" * 64}]
    import_document(application, applicant, doc)
    again = build_document(application)
    assert again == doc
    counts = import_document(application, applicant, again)
    assert counts == {"created": 0, "updated": 0, "deleted": 0, "contract_date_ignored": 0}


def test_imported_contract_date_is_ignored_with_a_notice(application, applicant, open_window):
    """W-PLAN: the office sets the contract date; the applicant's import never does."""
    save_record(application, applicant, "K3.1", K31)
    doc = build_document(application)
    doc["contract_signed_on"] = "2026-03-01"  # outside 2025 too: dropped before validation
    counts = import_document(application, applicant, doc)
    assert counts["contract_date_ignored"] == 1
    application.refresh_from_db()
    assert application.contract_signed_on is None


def test_acceptance_facts_are_never_imported_by_the_applicant(application, applicant, open_window):
    """The final basis counts delivered, verified commitments as of the acceptance date: the office's to record."""
    save_record(application, applicant, "P5", {"phase": "plan", "date": "2026-03-01", "title": "产业研究报告",
                                               "type": "commissioned", "completed": False})
    doc = build_document(application)
    doc["records"][0]["delivery"] = {"status": "delivered", "verified": True}
    doc["accepted_on"] = "2026-06-30"
    with pytest.raises(InvalidDocument) as caught:
        import_document(application, applicant, doc)
    assert {p.path for p in caught.value.problems} == {"records[0].delivery", "accepted_on"}
    assert "delivery" not in application.records.get().fields


def test_import_with_unknown_field_changes_nothing(application, applicant, open_window):
    save_record(application, applicant, "K3.1", K31)
    doc = build_document(application)
    doc["records"][0]["participantz"] = 100
    doc["records"].append({**doc["records"][0], "id": "x2"})
    with pytest.raises(InvalidDocument) as exc:
        import_document(application, applicant, doc)
    assert any(p.path == "records[0].participantz" for p in exc.value.problems)
    assert application.records.count() == 1


def test_import_of_another_organizations_document_is_refused(application, applicant, open_window, other_org):
    doc = build_document(application)
    doc["organization"]["credit_code"] = other_org.credit_code
    with pytest.raises(InvalidDocument) as exc:
        import_document(application, applicant, doc)
    assert exc.value.problems[0].path == "organization.credit_code"


def test_delete_record(application, applicant, open_window):
    record = save_record(application, applicant, "K3.1", K31)
    delete_record(application, applicant, record, record.version)
    assert application.records.count() == 0


def test_deleting_a_record_removes_its_stored_evidence_file(application, applicant, open_window,
                                                           django_capture_on_commit_callbacks):
    import io

    from django.core.files.storage import storages
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from zgcfund.applications.domain.evidence import store_evidence

    record = save_record(application, applicant, "K3.1", K31)
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buf, "JPEG")
    evidence = store_evidence(application, applicant, record, SimpleUploadedFile("现场.jpg", buf.getvalue()))
    name = evidence.file.name
    assert storages["private"].exists(name)
    record.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        delete_record(application, applicant, record, record.version)
    assert not storages["private"].exists(name)
