"""Stored content is sacred: querysets for records that are never changed once written (submissions,
programme versions, confirmed selections, formal reviews, audit events).

``save()`` of those models already refuses a change; these querysets close the other doors:
``QuerySet.update()`` and ``QuerySet.delete()``. Deletions that cascade from a deleted parent do not
pass through them (Django's collector), so the foreign keys decide that (PROTECT or SET_NULL).
Test fixtures that must fake old data use ``Model._base_manager`` explicitly."""

from __future__ import annotations

from django.db import models


class ImmutableRowError(ValueError):
    pass


class AppendOnlyQuerySet(models.QuerySet):
    """Rows are inserted, never updated or deleted. ``mutable_fields``: fields that may still change
    (e.g. which programme version is current)."""

    mutable_fields: frozenset[str] = frozenset()

    def update(self, **kwargs):
        frozen = set(kwargs) - self.mutable_fields
        if frozen:
            raise ImmutableRowError(f"{self.model.__name__} rows are immutable (update of {sorted(frozen)})")
        return super().update(**kwargs)

    def delete(self):
        raise ImmutableRowError(f"{self.model.__name__} rows are immutable (delete)")

    delete.queryset_only = True  # type: ignore[attr-defined]


class ConfirmedImmutableQuerySet(models.QuerySet):
    """Rows are free until confirmed (``confirmed_at`` set); then only ``mutable_fields`` may change and
    they are never deleted."""

    mutable_fields: frozenset[str] = frozenset()

    def _confirmed(self) -> bool:
        return self.filter(confirmed_at__isnull=False).exists()

    def update(self, **kwargs):
        if set(kwargs) - self.mutable_fields and self._confirmed():
            raise ImmutableRowError(f"a confirmed {self.model.__name__} is immutable (update of {sorted(kwargs)})")
        return super().update(**kwargs)

    def delete(self):
        if self._confirmed():
            raise ImmutableRowError(f"a confirmed {self.model.__name__} is immutable (delete)")
        return super().delete()
