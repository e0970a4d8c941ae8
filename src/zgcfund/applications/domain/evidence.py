"""Evidence uploads: supporting files on records and the signed commitment scan.

A file is identified by its content, never by its name or the browser's content type
(``filetypes``: libmagic, then a look inside ZIP/OLE containers for Office files); images are decoded
in full and get a thumbnail (``images``). This module stores, files under a kind of material, deletes
and keeps the quota. Files are kept in private storage under a random name with the
extension of their real type; the user's name is kept (cleaned) for display only. Each upload is
atomic: when the database write fails, the stored files are removed again.

Decisions:
* A name whose extension contradicts the content (``scan.pdf`` that is really a PNG) is accepted
  as what it really is, stored with the honest content type, and downloaded with the right
  extension; the uploader gets a notice. Safety comes from the content check, not the name.
* Uploading a file whose SHA-256 matches a reference imported from a JSON document fills that
  reference in and keeps its name: the name is part of the application document, so export and
  import stay a round trip.
* Office files with VBA macros, and password-protected Office files, are refused.
* Files are stored only for an organization the office has approved (a pending one may already fill
  in its drafts), and only while the application's stored files stay within
  ``ZGCFUND_APPLICATION_QUOTA_BYTES``; both are checked again under the application's row lock.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from hashlib import sha256

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, Q, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from zgcfund.applications.domain.editability import ensure_editable
from zgcfund.applications.domain.materials import material_refusal
from zgcfund.applications.models import Application, EvidenceFile, Record, Submission
from zgcfund.applications.models.evidence import EvidenceKind
from zgcfund.audit.domain import record_event
from zgcfund.audit.models import Visibility
from zgcfund.files.images import check_and_thumbnail
from zgcfund.files.names import clean_name, size_text
from zgcfund.files.types import (
    COMMITMENT_TYPES,
    RECORD_TYPES,
    TYPES,
    EvidenceRejected,
    FileType,
    identify,
)

__all__ = [  # the service the views use; file types and refusals come from zgcfund.files.types
    "COMMITMENT_TYPES", "RECORD_TYPES", "TYPES", "EvidenceRejected", "UploadRefused", "clean_name", "delete_evidence",
    "download_name", "identify", "list_files", "remove_files_on_commit", "set_material", "size_text",
    "store_commitment_scan", "store_evidence", "store_list_evidence", "stored_bytes", "upload_refusal",
]

class UploadRefused(EvidenceRejected):
    """No file can be stored on the application now (not this file's fault): the same answer for
    every other file of the upload."""


def _over_limit_text(size: int, limit: int) -> str:
    shown = size_text(size)
    if shown == size_text(limit):  # 20.04 MB would read "20 MB"
        shown = _("%(n)s 字节") % {"n": f"{size:,}"}
    return shown


def download_name(evidence: EvidenceFile) -> str:
    """The name to download under: the display name, with the extension of the real type when
    the display name's extension says otherwise."""
    ftype = TYPES.get(evidence.content_type)
    stem, ext = os.path.splitext(evidence.name)
    if ftype is None or ext.lower() in ftype.extensions:
        return evidence.name
    return f"{stem or evidence.name}{ftype.extensions[0]}"


# --- storing ------------------------------------------------------------------------------------

@dataclass
class _Checked:
    name: str
    sha256: str
    size: int
    ftype: FileType
    thumbnail: tuple[bytes, str] | None
    notices: list[str] = field(default_factory=list)


def _check(uploaded_file, allowed: frozenset[str]) -> _Checked:
    name = clean_name(getattr(uploaded_file, "name", ""))
    limit = settings.EVIDENCE_MAX_BYTES
    declared = getattr(uploaded_file, "size", None)
    if declared is not None and declared > limit:
        raise _too_big(name, declared, limit)
    digest, size = sha256(), 0
    uploaded_file.seek(0)
    for chunk in uploaded_file.chunks():
        size += len(chunk)
        if size > limit:
            raise _too_big(name, declared if declared and declared > limit else size, limit)
        digest.update(chunk)
    if size == 0:
        raise EvidenceRejected(_("文件“%(name)s”是空文件（0 字节），未保存。") % {"name": name})
    ftype = identify(uploaded_file, name, allowed)
    thumbnail = check_and_thumbnail(uploaded_file, ftype, name) if ftype.is_image else None
    checked = _Checked(name, digest.hexdigest(), size, ftype, thumbnail)
    ext = os.path.splitext(name)[1].lower()
    if ext not in ftype.extensions:
        notice = _("文件“%(name)s”的实际类型为%(type)s，与文件名不符；已按%(type)s保存，下载时使用扩展名 %(ext)s。")
        checked.notices.append(notice % {"name": name, "type": ftype.label, "ext": ftype.extensions[0]})
    return checked


def _too_big(name: str, size: int, limit: int) -> EvidenceRejected:
    return EvidenceRejected(_("文件“%(name)s”大小为 %(size)s，超过 %(limit)s 上限，未保存。") % {
        "name": name, "size": _over_limit_text(size, limit), "limit": size_text(limit)})


def _duplicate(existing: EvidenceFile, record: Record | None) -> EvidenceRejected:
    at = date_format(timezone.localtime(existing.uploaded_at), "DATETIME_FORMAT")
    if existing.kind == EvidenceKind.LIST:
        return EvidenceRejected(_("%(clause)s 清单已上传相同文件“%(name)s”（上传于 %(at)s），未重复保存。") % {
            "clause": existing.clause, "name": existing.name, "at": at}, existing)
    if record is None:
        return EvidenceRejected(_("已上传相同的承诺书扫描件“%(name)s”（上传于 %(at)s），未重复保存。") % {
            "name": existing.name, "at": at}, existing)
    return EvidenceRejected(_("该记录已上传相同文件“%(name)s”（上传于 %(at)s），未重复保存。") % {
        "name": existing.name, "at": at}, existing)


def stored_bytes(application: Application) -> int:
    """The bytes of the application's stored files (references awaiting upload count nothing)."""
    used = EvidenceFile.objects.filter(application=application).exclude(file="").aggregate(n=Sum("size"))["n"]
    return used or 0


def upload_refusal(application: Application) -> str | None:
    """Why no file may be stored on the application (None when files may be): the organization is
    not approved yet. Drafts may be filled in before approval; files wait for it."""
    if not application.organization.is_approved:
        return _("本单位注册信息尚未通过项目办公室审核，审核通过后才能上传支撑材料和承诺书扫描件；"
                 "申报书中已填写的内容不受影响。")
    return None


def _check_allowed(application: Application, name: str, size: int) -> None:
    refusal = upload_refusal(application)
    if refusal:
        raise UploadRefused(refusal)
    used, limit = stored_bytes(application), settings.ZGCFUND_APPLICATION_QUOTA_BYTES
    if used + size > limit:
        raise EvidenceRejected(_("文件“%(name)s”（%(size)s）未保存：本申报书已存储的文件共 %(used)s，"
                                 "存储上限为 %(limit)s。请删除不再需要的文件，或压缩后重试。") % {
            "name": name, "size": size_text(size), "used": size_text(used), "limit": size_text(limit)})


def _same_file(application: Application, kind: str, record: Record | None, digest: str,
               clause: str = "") -> EvidenceFile | None:
    return EvidenceFile.objects.filter(application=application, kind=kind, record=record, clause=clause,
                                       sha256=digest).first()


def _store(application: Application, user, uploaded_file, *, kind: str, record: Record | None,
           allowed: frozenset[str], material: str = "", clause: str = "") -> EvidenceFile:
    refusal = upload_refusal(application)
    if refusal:  # before reading the file
        raise UploadRefused(refusal)
    checked = _check(uploaded_file, allowed)
    existing = _same_file(application, kind, record, checked.sha256, clause)
    if existing is not None and existing.file:
        raise _duplicate(existing, record)
    _check_allowed(application, checked.name, checked.size)
    evidence = existing or EvidenceFile(application=application, record=record, kind=kind, name=checked.name,
                                        sha256=checked.sha256, material=material, clause=clause)
    if material:
        evidence.material = material
    filled_reference = existing is not None
    evidence.size, evidence.content_type = checked.size, checked.ftype.mime
    evidence.uploaded_by, evidence.uploaded_at = user, timezone.now()
    stem = uuid.uuid4().hex
    written: list[str] = []
    try:
        with transaction.atomic():
            # Two uploads at once must not both fit under the quota: check again under the row lock.
            locked = Application.objects.select_for_update().select_related("organization").get(pk=application.pk)
            _check_allowed(locked, checked.name, checked.size)
            evidence.file.save(stem + checked.ftype.extensions[0], uploaded_file, save=False)
            written.append(evidence.file.name)
            if checked.thumbnail is not None:
                data, ext = checked.thumbnail
                evidence.thumbnail.save(stem + ext, ContentFile(data), save=False)
                written.append(evidence.thumbnail.name)
            if filled_reference:
                values = {k: getattr(evidence, k)
                          for k in ("size", "content_type", "file", "thumbnail", "uploaded_at", "material")}
                if not EvidenceFile.objects.filter(pk=evidence.pk, file="").update(uploaded_by=user, **values):
                    raise IntegrityError("reference filled in meanwhile")
            else:
                evidence.save()
            _audit_upload(application, user, evidence, record, filled_reference)
            _touch(application, user, evidence)
    except IntegrityError:  # the same file, uploaded by a colleague at the same moment
        _remove_files(written)
        current = _same_file(application, kind, record, checked.sha256, clause)
        if current is not None:
            raise _duplicate(current, record) from None
        raise
    except BaseException:
        _remove_files(written)
        raise
    evidence.notices = checked.notices + _shared_notices(application, evidence)
    return evidence


def _audit_upload(application, user, evidence: EvidenceFile, record: Record | None, filled: bool) -> None:
    changes = {"name": evidence.name, "sha256": evidence.sha256, "size": evidence.size,
               "content_type": evidence.content_type, "record": record.key if record else None,
               "material": evidence.material, "filled_reference": filled}
    if evidence.kind == EvidenceKind.LIST:
        changes["clause"] = evidence.clause
        record_event("evidence.upload", _("上传 %(clause)s 清单汇总材料“%(name)s”") % {
            "clause": evidence.clause, "name": evidence.name}, actor=user, application=application, obj=evidence,
            changes=changes, visibility=Visibility.ORGANIZATION)
    elif record is None:
        record_event("evidence.commitment", _("上传承诺书盖章扫描件“%(name)s”") % {"name": evidence.name},
                     actor=user, application=application, obj=evidence, changes=changes, visibility=Visibility.ORGANIZATION)
    else:
        record_event("evidence.upload", _("上传支撑材料“%(name)s”（记录 %(key)s）") % {
            "name": evidence.name, "key": record.key}, actor=user, application=application, obj=evidence, changes=changes,
            visibility=Visibility.ORGANIZATION)


def _touch(application: Application, user, evidence: EvidenceFile) -> None:
    """Record evidence is part of the application (the document lists it; X-ONCE reads it), so it
    changes the application's version. The commitment scan belongs to the act of submitting and
    does not: uploading it with the submit form must not make that form stale."""
    if evidence.kind == EvidenceKind.RECORD:
        Application.objects.filter(pk=application.pk).update(updated_at=timezone.now(), updated_by=user)


def _shared_notices(application: Application, evidence: EvidenceFile) -> list[str]:
    """X-ONCE: records sharing an evidence file are the same work and count once."""
    if evidence.record_id is None:
        return []
    keys = sorted(set(EvidenceFile.objects.filter(application=application, sha256=evidence.sha256, record__isnull=False)
                      .exclude(record_id=evidence.record_id).values_list("record__key", flat=True)))
    if not keys:
        return []
    return [_("提示：记录 %(keys)s 也使用了文件“%(name)s”。按规则 X-ONCE，共用同一支撑材料的记录视为同一项工作，只计一次。") % {
        "keys": pgettext("list separator", "、").join(keys), "name": evidence.name}]


def _remove_files(names) -> None:
    storage = EvidenceFile._meta.get_field("file").storage
    for name in names:
        if name:
            try:
                storage.delete(name)
            except OSError:
                pass


def store_evidence(application: Application, user, record: Record, uploaded_file, material: str = "") -> EvidenceFile:
    """Store one supporting file on ``record``, as the kind of material ``material`` (a key of the
    clause's ``evidence_kinds``; blank: not classified). Raises EditRefused or EvidenceRejected
    (nothing stored). The returned row carries ``notices``: things the uploader should know (Chinese)."""
    ensure_editable(application)
    if record.application_id != application.pk:
        raise ValueError("record of another application")
    refusal = material_refusal(application, record, material)
    if refusal:
        raise EvidenceRejected(refusal)
    return _store(application, user, uploaded_file, kind=EvidenceKind.RECORD, record=record, allowed=RECORD_TYPES,
                  material=material)


def set_material(application: Application, user, evidence: EvidenceFile, material: str) -> None:
    """File a record's evidence under another kind of material (or none). Audited."""
    ensure_editable(application)
    if evidence.application_id != application.pk or evidence.record_id is None:
        raise ValueError("not a record file of this application")
    refusal = material_refusal(application, evidence.record, material)
    if refusal:
        raise EvidenceRejected(refusal)
    if evidence.material == material:
        return
    with transaction.atomic():
        before = evidence.material
        if not EvidenceFile.objects.filter(pk=evidence.pk).update(material=material):
            return  # deleted meanwhile
        evidence.material = material
        record_event("evidence.material", _("更改支撑材料“%(name)s”的材料类型（记录 %(key)s）") % {
            "name": evidence.name, "key": evidence.record.key}, actor=user, application=application, obj=evidence,
            changes={"before": before, "after": material}, visibility=Visibility.ORGANIZATION)
        _touch(application, user, evidence)


def store_list_evidence(application: Application, user, clause: str, uploaded_file) -> EvidenceFile:
    """Store a file of a list clause as a whole (e.g. K1.1 调研企业名单 as one table): checked by content
    like a record's file, kept once per list (same SHA-256), not part of any record. Raises EditRefused
    or EvidenceRejected (nothing stored)."""
    from zgcfund.applications.domain.lists import TABLE_CLAUSES

    ensure_editable(application)
    if clause not in TABLE_CLAUSES:
        raise ValueError(f"{clause} is not a list clause")
    return _store(application, user, uploaded_file, kind=EvidenceKind.LIST, record=None, allowed=RECORD_TYPES,
                  clause=clause)


def list_files(application: Application, clause: str):
    """The files of list clause ``clause`` as a whole, oldest first."""
    return EvidenceFile.objects.filter(application=application, kind=EvidenceKind.LIST, clause=clause) \
        .select_related("uploaded_by")


def store_commitment_scan(application: Application, user, uploaded_file) -> EvidenceFile:
    """Store the signed and sealed commitment letter (承诺书) scan: PDF, JPEG or PNG."""
    ensure_editable(application)
    return _store(application, user, uploaded_file, kind=EvidenceKind.COMMITMENT, record=None,
                  allowed=COMMITMENT_TYPES)


def delete_evidence(application: Application, user, evidence: EvidenceFile) -> None:
    """Remove a file (or a reference awaiting upload). The stored file goes once the deletion is
    committed, unless another row still uses it or a submission of the application lists it."""
    ensure_editable(application)
    if evidence.application_id != application.pk:
        raise ValueError("evidence of another application")
    with transaction.atomic():
        try:
            deleted, _counts = EvidenceFile.objects.filter(pk=evidence.pk).delete()
        except ProtectedError:
            raise EvidenceRejected(_("承诺书扫描件“%(name)s”已随申报书提交，不能删除。") % {"name": evidence.name}) from None
        if not deleted:
            return  # already gone (a colleague deleted it)
        where = (evidence.record.key if evidence.record_id
                 else _("%(clause)s 清单") % {"clause": evidence.clause} if evidence.kind == EvidenceKind.LIST
                 else _("承诺书"))
        record_event("evidence.delete", _("删除支撑材料“%(name)s”（%(where)s）") % {"name": evidence.name, "where": where},
                     actor=user, application=application, obj=evidence,
                     changes={"before": {"name": evidence.name, "sha256": evidence.sha256, "size": evidence.size,
                                         "content_type": evidence.content_type,
                                         "record": evidence.record.key if evidence.record_id else None,
                                         "clause": evidence.clause or None}},
                     visibility=Visibility.ORGANIZATION)
        _touch(application, user, evidence)
        names = [evidence.file.name, evidence.thumbnail.name]
        transaction.on_commit(lambda: _remove_unused(application, evidence.sha256, names))


def remove_files_on_commit(application: Application, rows) -> None:
    """For code that deletes EvidenceFile rows another way (a record deleted, an import dropping
    evidence): collect the rows first, call this inside the same transaction, and their stored files
    go once it commits, unless still used by another row or listed by a submission."""
    for row in rows:
        names = [row.file.name, row.thumbnail.name]
        transaction.on_commit(lambda digest=row.sha256, names=names: _remove_unused(application, digest, names))


def _remove_unused(application: Application, digest: str, names: list[str]) -> None:
    if _submitted(application, digest):
        return
    _remove_files(n for n in names if n and not EvidenceFile.objects.filter(Q(file=n) | Q(thumbnail=n)).exists())


def _submitted(application: Application, digest: str) -> bool:
    """Whether a submission of the application lists the file (submitted evidence is kept)."""
    for doc in Submission.objects.filter(application=application).values_list("document", flat=True):
        for rec in (doc or {}).get("records", []):
            if any(e.get("sha256") == digest for e in rec.get("evidence") or []):
                return True
    return False
