"""Changing an application: records, K1/K3 choices, whole-document import. Every change checks
that the application may be edited, is validated by the engine, is atomic, and is audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from zgcfund.applications.domain.editability import EditRefused, edit_refusal, ensure_editable, window_for
from zgcfund.applications.domain.evidence import remove_files_on_commit
from zgcfund.applications.models import Application, EvidenceFile, Record
from zgcfund.audit.domain import changed_fields, record_event
from zgcfund.audit.models import Visibility
from zgcfund.core import bounds
from zgcfund.core.application import validator_for
from zgcfund.core.errors import InvalidDocument, Problem
from zgcfund.programmes.domain import current_programme_year

# EditRefused, edit_refusal and window_for stay importable from here for the views (domain.editability).
__all__ = ["EditRefused", "RecordInvalid", "StaleEdit", "application_for", "check_record", "delete_record",
           "edit_refusal", "ensure_editable", "import_document", "next_record_key", "save_record", "set_choices",
           "window_for", "with_notice"]

COMMON = ("id", "clause", "phase", "date", "title", "evidence", "verified", "delivery")  # not clause fields


class RecordInvalid(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("；".join(str(p) for p in problems))


class StaleEdit(Exception):
    """Someone else saved the same thing since this form was opened; nothing was written."""

    def __init__(self, message: str, current: Any = None):
        self.message, self.current = message, current
        super().__init__(message)


def application_for(organization, user=None) -> Application:
    """The organization's application to the current programme year, created on first use."""
    row = current_programme_year()
    if row is None:
        raise EditRefused(_("尚未载入项目文件，请联系项目办公室。"))
    app = Application.objects.filter(organization=organization, programme_code=row.code).first()
    if app is None:
        try:
            with transaction.atomic():
                app = Application.objects.create(organization=organization, programme_code=row.code,
                                                 programme_year=row, updated_by=user)
                record_event("application.create", _("创建申报书"), actor=user, application=app, obj=app,
                             visibility=Visibility.ORGANIZATION)
        except IntegrityError:  # created by a colleague at the same moment
            app = Application.objects.get(organization=organization, programme_code=row.code)
    return app


def next_record_key(application: Application, clause: str) -> str:
    used = set(application.records.filter(key__startswith=f"{clause}-").values_list("key", flat=True))
    n = len(used) + 1
    while f"{clause}-{n:03d}" in used:
        n += 1
    return f"{clause}-{n:03d}"


def _split(rec: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in rec.items() if k not in COMMON}


def check_record(application: Application, clause: str, data: dict[str, Any]) -> dict[str, Any]:
    """Validate one record's fields (format names) with the engine; returns the checked record."""
    from zgcfund.applications.domain.document import programme_of

    raw = {k: v for k, v in data.items() if v is not None and k not in ("evidence", "verified")}
    raw["clause"] = clause
    raw.setdefault("id", "_")
    rec, problems = validator_for(programme_of(application)).check_record(raw)
    if problems:
        raise RecordInvalid(problems)
    return rec


def with_notice(application: Application, clause: str, data: dict[str, Any]) -> dict[str, Any]:
    """K3.2/K3.3: the notice date from a linked 注册前信息报送, or marked self-declared (domain.notices)."""
    from zgcfund.applications.domain.document import programme_of
    from zgcfund.applications.domain.notices import NoticeRefused, link_notice

    try:
        return link_notice(application.organization, programme_of(application).clauses.get(clause), data)
    except NoticeRefused as exc:
        raise RecordInvalid([Problem(exc.field or "", exc.message)]) from None


def _stored_fields(rec: dict[str, Any]) -> dict[str, Any]:
    """JSON-ready per-clause fields (dates back to ISO text; sets as sorted lists)."""
    out = {}
    for k, v in _split(rec).items():
        if isinstance(v, dt.date):
            v = v.isoformat()
        elif isinstance(v, frozenset):
            v = sorted(v)
        out[k] = v
    return out


def _snapshot(record: Record) -> dict[str, Any]:
    return {"phase": record.phase, "date": record.date.isoformat(), "title": record.title, **record.fields}


def save_record(application: Application, user, clause: str, data: dict[str, Any], *,
                record: Record | None = None, expected_version: int | None = None) -> Record:
    """Create (record=None) or update a record. ``data`` holds format fields except id/clause/evidence.
    Raises EditRefused, RecordInvalid or StaleEdit; on any of them nothing is written."""
    ensure_editable(application)
    data = with_notice(application, clause, data)
    rec = check_record(application, clause, data)
    if record is None:
        too_many = bounds.records_problem(application.records.count() + 1)
        if too_many:
            raise RecordInvalid([Problem("", too_many)])
    values = {"phase": rec["phase"], "date": rec["date"], "title": rec["title"].strip(), "fields": _stored_fields(rec)}
    with transaction.atomic():
        if record is None:
            for _attempt in range(3):
                try:
                    with transaction.atomic():
                        record = Record.objects.create(application=application, clause=clause,
                                                       key=next_record_key(application, clause),
                                                       created_by=user, updated_by=user, **values)
                    break
                except IntegrityError:  # a colleague took the same key
                    continue
            else:
                raise StaleEdit(_("记录编号冲突，请重试。"))
            record_event("record.create", _("新增记录 %(key)s（%(clause)s）：%(title)s") % {
                "key": record.key, "clause": clause, "title": record.title},
                actor=user, application=application, obj=record, changes={"after": _snapshot(record)},
                visibility=Visibility.ORGANIZATION)
        else:
            before = _snapshot(record)
            updated = Record.objects.filter(pk=record.pk, version=expected_version or record.version).update(
                version=F("version") + 1, updated_by=user, updated_at=timezone.now(), **values)
            if not updated:
                current = Record.objects.filter(pk=record.pk).select_related("updated_by").first()
                raise StaleEdit(_stale_message(current), current)
            record.refresh_from_db()
            record_event("record.update", _("修改记录 %(key)s（%(clause)s）") % {"key": record.key, "clause": clause},
                         actor=user, application=application, obj=record,
                         changes=changed_fields(before, _snapshot(record)), visibility=Visibility.ORGANIZATION)
        _touch(application, user)
    return record


def _stale_message(current: Record | None) -> str:
    if current is None:
        return _("该记录已被其他用户删除，您的修改未保存。")
    who = current.updated_by.get_full_name() if current.updated_by else _("其他用户")
    return _("该记录已被%(who)s于 %(at)s 修改，您的修改未保存。请查看最新内容后重新填写。") % {
        "who": who, "at": date_format(timezone.localtime(current.updated_at), "DATETIME_FORMAT")}


def delete_record(application: Application, user, record: Record, expected_version: int | None = None) -> None:
    ensure_editable(application)
    with transaction.atomic():
        snapshot = _snapshot(record)
        files = list(EvidenceFile.objects.filter(record=record).exclude(file=""))
        deleted, _counts = Record.objects.filter(pk=record.pk, version=expected_version or record.version).delete()
        if not deleted:
            current = Record.objects.filter(pk=record.pk).select_related("updated_by").first()
            raise StaleEdit(_stale_message(current), current)
        remove_files_on_commit(application, files)
        record_event("record.delete", _("删除记录 %(key)s（%(clause)s）：%(title)s") % {
            "key": record.key, "clause": record.clause, "title": record.title},
            actor=user, application=application, obj=record, changes={"before": snapshot}, visibility=Visibility.ORGANIZATION)
        _touch(application, user)


def set_choices(application: Application, user, group: str, chosen: list[str], expected_version: int) -> None:
    """K1/K3: which sub-items the organization takes on (X-K1-TWO / X-K3-TWO)."""
    from zgcfund.applications.domain.document import programme_of

    ensure_editable(application)
    programme = programme_of(application)
    members = programme.choice_groups.get(group)
    if members is None:
        raise RecordInvalid([Problem(f"choices.{group}", _("未知的选项组"))])
    limit = next((g.choose for g in programme.gates if g.kind == "choose" and g.group == group), None)
    chosen = [c for c in members if c in set(chosen)]
    if limit is not None and len(chosen) > limit:
        raise RecordInvalid([Problem(f"choices.{group}", _("%(group)s 最多可选取 %(n)s 项，实际选取 %(m)s 项") % {
            "group": group, "n": limit, "m": len(chosen)})])
    with transaction.atomic():
        choices = dict(application.choices)
        before = dict(choices)
        if chosen:
            choices[group] = chosen
        else:
            choices.pop(group, None)
        updated = Application.objects.filter(pk=application.pk, lock_version=expected_version).update(
            choices=choices, lock_version=F("lock_version") + 1, updated_by=user, updated_at=timezone.now())
        if not updated:
            raise StaleEdit(_("申报书的选项已被其他用户修改，您的修改未保存。请刷新后重试。"))
        application.refresh_from_db()
        record_event("application.choices", _("修改 %(group)s 选项：%(chosen)s") % {
            "group": group, "chosen": pgettext("list separator", "、").join(chosen) or _("（未选）")},
            actor=user, application=application, obj=application, changes=changed_fields(before, choices),
            visibility=Visibility.ORGANIZATION)


def _touch(application: Application, user) -> None:
    Application.objects.filter(pk=application.pk).update(updated_at=timezone.now(), updated_by=user)


# --- whole-document import ------------------------------------------------------------------------

def import_document(application: Application, user, doc: Any) -> dict[str, int]:
    """Replace the application's records and choices with a zgc-application/1 document.

    The document is validated by the engine first; on any problem nothing changes. Records are
    matched by ``id``: kept rows keep their evidence files; an evidence entry whose SHA-256 matches
    a file already uploaded to this application is linked to it, any other stays a reference
    awaiting upload. Returns counts (created, updated, deleted).
    """
    from zgcfund.applications.domain.document import accepted_credit_codes, programme_of
    from zgcfund.applications.domain.notices import link_document

    ensure_editable(application)
    programme = programme_of(application)
    validator = validator_for(programme)
    # the contract date (W-PLAN) is the office's to set: an imported one is ignored, with a notice
    stored = application.contract_signed_on.isoformat() if application.contract_signed_on else None
    contract_ignored = isinstance(doc, dict) and doc.get("contract_signed_on") not in (None, stored)
    if isinstance(doc, dict) and "contract_signed_on" in doc:
        doc = {**doc, "contract_signed_on": stored}
    org = application.organization
    doc, problems = link_document(org, programme, doc)  # an import claims no notice it does not own
    try:
        parsed = validator.validate(doc, accepted_credit_codes(application))
    except InvalidDocument as exc:
        raise InvalidDocument([*problems, *exc.problems]) from None
    if parsed.organization.get("credit_code") != org.credit_code:
        problems.append(Problem("organization.credit_code", _("与本单位统一社会信用代码 %(code)s 不一致") % {
            "code": org.credit_code}))
    for key, mine in (("comprehensive", org.comprehensive), ("registers_tech_contracts", org.registers_tech_contracts)):
        if bool(parsed.organization.get(key)) != mine:
            problems.append(Problem(f"organization.{key}", _("与本单位登记信息不一致（在“单位信息”中修改）")))
    existing = {r.key: r for r in application.records.all()}
    for i, raw in enumerate(doc["records"]):
        if "verified" in raw and (raw["id"] not in existing or existing[raw["id"]].verified != raw["verified"]):
            problems.append(Problem(f"records[{i}].verified", _("由评审设置，申报单位不能导入或修改")))
        if raw.get("delivery") is not None:  # acceptance (验收) records it, never the applicant's import
            problems.append(Problem(f"records[{i}].delivery", _("交付情况在验收时由项目办公室核实，申报单位不能导入")))
    if doc.get("accepted_on") is not None:
        problems.append(Problem("accepted_on", _("验收日期由项目办公室填写，申报单位不能导入")))
    if problems:
        raise InvalidDocument(problems)

    uploaded = {}
    for f in EvidenceFile.objects.filter(application=application, kind="record").exclude(file=""):
        uploaded.setdefault(f.sha256, f)
    counts = {"created": 0, "updated": 0, "deleted": 0, "contract_date_ignored": int(contract_ignored)}
    with transaction.atomic():
        keep = set()
        for rec in parsed.records:
            values = {"clause": rec["clause"], "phase": rec["phase"], "date": rec["date"], "title": rec["title"],
                      "fields": _stored_fields(rec)}
            row = existing.get(rec["id"])
            if row is None:
                row = Record.objects.create(application=application, key=rec["id"], created_by=user,
                                            updated_by=user, **values)
                counts["created"] += 1
            elif any(getattr(row, k) != v for k, v in values.items()):
                Record.objects.filter(pk=row.pk).update(version=F("version") + 1, updated_by=user,
                                                        updated_at=timezone.now(), **values)
                counts["updated"] += 1
            keep.add(rec["id"])
            _sync_evidence(application, user, row, rec.get("evidence") or [], uploaded)
        stale = [r for k, r in existing.items() if k not in keep]
        counts["deleted"] = len(stale)
        remove_files_on_commit(application, EvidenceFile.objects.filter(record__in=stale).exclude(file=""))
        Record.objects.filter(pk__in=[r.pk for r in stale]).delete()
        Application.objects.filter(pk=application.pk).update(
            choices=parsed.choices,
            lock_version=F("lock_version") + 1, updated_by=user, updated_at=timezone.now())
        summary = _("导入申报数据：新增 %(created)s 条，修改 %(updated)s 条，删除 %(deleted)s 条") % counts
        record_event("application.import", summary,
                     actor=user, application=application, obj=application, changes=counts, visibility=Visibility.ORGANIZATION)
    application.refresh_from_db()
    return counts


def _sync_evidence(application, user, record: Record, wanted: list[dict], uploaded: dict[str, EvidenceFile]) -> None:
    rows = {f.sha256: f for f in record.evidence_files.all()}
    wanted_shas = [e["sha256"] for e in wanted]
    for item in wanted:
        row = rows.get(item["sha256"])
        if row is not None:
            changed = {"name": item["name"]} if row.name != item["name"] else {}
            if "kind" in item and row.material != item["kind"]:
                changed["material"] = item["kind"]
            if changed:
                EvidenceFile.objects.filter(pk=row.pk).update(**changed)
            continue
        source = uploaded.get(item["sha256"])
        EvidenceFile.objects.create(
            application=application, record=record, name=item["name"], sha256=item["sha256"],
            material=item.get("kind", ""),
            size=source.size if source else None, content_type=source.content_type if source else "",
            file=source.file.name if source else "", thumbnail=source.thumbnail.name if source else "",
            uploaded_by=user)
    dropped = EvidenceFile.objects.filter(record=record).exclude(sha256__in=wanted_shas)
    remove_files_on_commit(application, dropped.exclude(file=""))
    dropped.delete()
