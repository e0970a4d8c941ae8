"""Store programme files as ProgrammeYear rows and read the current one back."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from zgcfund.core.programme import Programme, parse_programme
from zgcfund.programmes.models import ProgrammeYear


@dataclass(frozen=True)
class LoadResult:
    row: ProgrammeYear
    created: bool
    previous: ProgrammeYear | None  # the row that was current before, if any


def load_programme_year(programme: Programme, *, changes_conditions: bool = False,
                        conditions_reason: str = "") -> LoadResult:
    """Store ``programme`` unless its current version has the same hash.

    A changed file under the same code becomes version N+1 and the current one;
    earlier versions are kept as they were. ``changes_conditions`` flags a version that changes
    official conditions (with the office's ``conditions_reason``).
    """
    with transaction.atomic():
        rows = ProgrammeYear.objects.select_for_update().filter(code=programme.code)
        current = rows.filter(is_current=True).first()
        if current is not None and current.sha256 == programme.sha256:
            return LoadResult(current, created=False, previous=current)
        latest = rows.order_by("-version").values_list("version", flat=True).first() or 0
        rows.filter(is_current=True).update(is_current=False)
        row = ProgrammeYear.objects.create(
            code=programme.code,
            version=latest + 1,
            year=programme.year,
            title=programme.title,
            source_text=programme.source_text,
            sha256=programme.sha256,
            scoring_version=str(programme.scoring.get("version", "")),
            origin=programme.origin[:500],
            is_current=True,
            changes_conditions=changes_conditions,
            conditions_reason=conditions_reason if changes_conditions else "",
        )
    return LoadResult(row, created=True, previous=current)


def current_version(code: str) -> ProgrammeYear | None:
    """The current version of programme ``code`` (what its review, ranking and set-up run under)."""
    return ProgrammeYear.objects.filter(code=code, is_current=True).first()


def current_programme_year() -> ProgrammeYear | None:
    """The current version of the latest programme year, or None if nothing is loaded."""
    return ProgrammeYear.objects.filter(is_current=True).order_by("-year", "-loaded_at").first()


_PARSED: dict[str, Programme] = {}


def parsed(row: ProgrammeYear) -> Programme:
    """The engine's view of a stored row, parsed from its stored text (cached by hash)."""
    programme = _PARSED.get(row.sha256)
    if programme is None:
        programme = _PARSED[row.sha256] = parse_programme(row.source_text, f"{row.code} v{row.version}")
    return programme


def remember_parsed(row: ProgrammeYear, programme: Programme) -> None:
    """Cache ``programme`` as the parse of ``row`` (the same text, already parsed by the caller)."""
    if programme.sha256 == row.sha256:
        _PARSED[row.sha256] = programme


def current_or_packaged() -> Programme:
    """The current programme version, else the packaged programme file (nothing loaded yet)."""
    from zgcfund.core.programme import load_programme

    row = current_programme_year()
    return parsed(row) if row is not None else load_programme()
