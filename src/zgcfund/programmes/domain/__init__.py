from zgcfund.programmes.domain.loading import LoadResult, current_programme_year, load_programme_year, parsed

__all__ = ["LoadResult", "current_programme_year", "load_programme_year", "parsed"]
