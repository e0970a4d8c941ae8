"""load_programme: idempotent, a changed file becomes a new version, stored text is verbatim and immutable."""

from __future__ import annotations

import hashlib
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from zgcfund.core.programme import PROGRAMME_DIR
from zgcfund.programmes.domain import current_programme_year
from zgcfund.programmes.models import ProgrammeYear

PACKAGED = PROGRAMME_DIR / "zgc-social-org-2025.yaml"

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("load_programme", *args, stdout=out)
    return out.getvalue()


def changed_copy(tmp_path: Path, suffix: str = "（修订）") -> Path:
    text = PACKAGED.read_text(encoding="utf-8")
    path = tmp_path / "zgc-social-org-2025-changed.yaml"
    path.write_text(text.replace("title: 2025年中关村社会组织支持项目", f"title: 2025年中关村社会组织支持项目{suffix}", 1),
                    encoding="utf-8")
    return path


def test_default_loads_the_packaged_2025_programme_verbatim():
    out = run()
    assert "已载入项目文件" in out and "第1版" in out
    row = ProgrammeYear.objects.get()
    text = PACKAGED.read_text(encoding="utf-8")
    assert (row.code, row.version, row.year, row.is_current) == ("zgc-social-org-2025", 1, 2025, True)
    assert row.title == "2025年中关村社会组织支持项目"
    assert row.source_text == text
    assert row.sha256 == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert row.scoring_version == "2025-default-1"
    assert row.sha256[:12] in out and "2025-default-1" in out


def test_loading_the_same_file_again_changes_nothing():
    run()
    first = ProgrammeYear.objects.get()
    out = run("zgc-social-org-2025")
    assert "项目文件未变化" in out and "未写入数据库" in out
    again = ProgrammeYear.objects.get()
    assert (again.pk, again.loaded_at, again.version) == (first.pk, first.loaded_at, 1)


def test_a_changed_file_becomes_a_new_version_and_earlier_ones_are_kept(tmp_path):
    run()
    out = run(str(changed_copy(tmp_path)))
    assert "项目文件已变更" in out and "第2版" in out and "第1版" in out
    v1, v2 = ProgrammeYear.objects.order_by("version")
    assert (v1.version, v1.is_current, v2.version, v2.is_current) == (1, False, 2, True)
    assert v1.source_text == PACKAGED.read_text(encoding="utf-8")  # untouched
    assert v2.title.endswith("（修订）") and v2.sha256 != v1.sha256
    assert current_programme_year() == v2
    assert "项目文件未变化" in run(str(changed_copy(tmp_path)))
    assert ProgrammeYear.objects.count() == 2


def test_going_back_to_an_earlier_text_is_recorded_as_a_further_version(tmp_path):
    run()
    run(str(changed_copy(tmp_path)))
    run()
    versions = list(ProgrammeYear.objects.order_by("version").values_list("version", "is_current", "sha256"))
    assert [(v, c) for v, c, _ in versions] == [(1, False), (2, False), (3, True)]
    assert versions[0][2] == versions[2][2]


def test_rows_are_immutable_except_is_current():
    run()
    row = ProgrammeYear.objects.get()
    row.source_text = "changed"
    with pytest.raises(ValueError, match="immutable"):
        row.save()
    row.refresh_from_db()
    row.is_current = False
    row.save(update_fields=["is_current"])
    assert ProgrammeYear.objects.get().is_current is False


def test_invalid_file_is_refused_in_chinese(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("schema: zgc-programme/1\ncode: [\n", encoding="utf-8")
    with pytest.raises(CommandError, match="项目文件有误，未载入"):
        run(str(bad))
    with pytest.raises(CommandError, match="no such programme"):
        run("zgc-social-org-1999")
    assert not ProgrammeYear.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_unmigrated_database_is_explained(monkeypatch):
    from django.db import connection

    monkeypatch.setattr(connection.introspection, "table_names", lambda *a, **k: [])
    with pytest.raises(CommandError, match=r"请先运行 manage\.py migrate"):
        run()
