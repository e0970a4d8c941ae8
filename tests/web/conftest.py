from __future__ import annotations

import pytest

from zgcfund.core.programme import Programme, load_programme
from zgcfund.programmes.domain import load_programme_year
from zgcfund.programmes.models import ProgrammeYear


@pytest.fixture
def programme() -> Programme:
    return load_programme()


@pytest.fixture
def loaded(db, programme) -> ProgrammeYear:
    """The packaged 2025 programme, stored as the current ProgrammeYear."""
    return load_programme_year(programme).row
