from zgcfund.programmes.domain.loading import (
    LoadResult,
    current_programme_year,
    current_version,
    load_programme_year,
    parsed,
)

__all__ = ["LoadResult", "current_programme_year", "current_version", "load_programme_year", "parsed"]
