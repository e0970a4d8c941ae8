"""What the office said when it returned an application: the open formal review (总体意见 and
comments on records) the applicant is working through.

The formal review lives in the review app, above this one; applications does not import it. The
review app installs its query here when Django starts (ReviewConfig.ready)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from zgcfund.applications.models import Application


def _none(application: Application) -> Any:
    return None


#: ``open_comments(application)`` → the returning review (with ``comment`` and ``record_comments``) or None
open_comments: Callable[[Application], Any] = _none
