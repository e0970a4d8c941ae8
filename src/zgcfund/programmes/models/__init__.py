from zgcfund.programmes.models.programme_year import ProgrammeYear

__all__ = ["ProgrammeYear"]
