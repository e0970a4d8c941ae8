from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zgcfund.files.storage import private_storage


class EvidenceKind(models.TextChoices):
    RECORD = "record", _("记录支撑材料")
    COMMITMENT = "commitment", _("承诺书盖章扫描件")
    LIST = "list", _("清单汇总材料")  # a list clause's own file (e.g. 调研企业名单 as one table), not one record's


class EvidenceFile(models.Model):
    """A supporting file. Checked by content on upload; kept in private storage with its SHA-256.
    A row without ``file`` is a reference declared by an imported JSON document, awaiting upload."""

    application = models.ForeignKey("applications.Application", on_delete=models.CASCADE, related_name="evidence_files")
    record = models.ForeignKey("applications.Record", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="evidence_files")
    kind = models.CharField(max_length=16, choices=EvidenceKind.choices, default=EvidenceKind.RECORD)
    # which kind of supporting material the clause names this file is (programme file `evidence_kinds`
    # key, e.g. K3.2 "licence"); blank: not classified
    material = models.CharField(_("材料类型"), max_length=40, blank=True, default="")
    # kind LIST: the list clause (domain.lists.TABLE_CLAUSES) the file belongs to; blank otherwise
    clause = models.CharField(_("条款"), max_length=10, blank=True, default="")
    name = models.CharField(_("文件名"), max_length=200)
    sha256 = models.CharField("SHA-256", max_length=64)
    size = models.PositiveBigIntegerField(_("大小（字节）"), null=True, blank=True)
    content_type = models.CharField(_("文件类型"), max_length=100, blank=True)
    file = models.FileField(storage=private_storage, upload_to="evidence/%Y/%m/", blank=True, max_length=300)
    thumbnail = models.FileField(storage=private_storage, upload_to="thumbnails/%Y/%m/", blank=True, max_length=300)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("支撑材料")
        verbose_name_plural = _("支撑材料")
        ordering = ("uploaded_at", "id")
        constraints = (
            models.UniqueConstraint(fields=["record", "sha256"], condition=Q(record__isnull=False),
                                    name="evidence_once_per_record"),
            models.UniqueConstraint(fields=["application", "clause", "sha256"], condition=Q(kind="list"),
                                    name="evidence_once_per_list"),
        )

    def __str__(self) -> str:
        return self.name

    @property
    def is_uploaded(self) -> bool:
        return bool(self.file)

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
