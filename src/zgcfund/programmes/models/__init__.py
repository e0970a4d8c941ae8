from zgcfund.programmes.models.programme_year import ProgrammeYear
from zgcfund.programmes.models.window import ApplicationWindow, WindowExtension

__all__ = ["ApplicationWindow", "ProgrammeYear", "WindowExtension"]
