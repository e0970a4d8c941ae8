"""K1.3 growth as pages show it: ``revenue_summary(contract)`` is the domain's judgement
(``domain.revenue.k13_summary``) with one bar chart per aim (each enterprise's growth and the group's, the
industry rate as a reference line). Include ``implementation/_revenue_summary.html`` with ``revenue=`` it —
the revenue pages, the report and the acceptance pages do."""

from __future__ import annotations

from django.utils.translation import gettext as _

from zgcfund.core import growth as core_growth
from zgcfund.implementation.domain.revenue import AimView, RevenueSummary, k13_summary
from zgcfund.implementation.interfaces import charts
from zgcfund.implementation.models import Contract


def chart(view: AimView) -> str:
    """The aim's chart: a bar per enterprise and one for the group (绩效企业合计), the industry rate as a line."""
    aim, result = view.aim, view.result
    categories = [r["name"] for r in view.rows] + [_("绩效企业合计")]
    values = [r["ea"].growth for r in view.rows] + [result.growth]
    references = [charts.Reference(_("行业增速"), result.rate)] if result.rate is not None else []
    return charts.BarChart(
        title=_("%(name)s：%(cur)s较%(prev)s营收同比增速") % {"name": aim.name, "cur": aim.current.label,
                                                          "prev": aim.previous.label},
        categories=categories, series=[charts.Series(_("同比增速"), values)], references=references,
        horizontal=True, percent=True).svg()


def revenue_summary(contract: Contract, *, as_of=None) -> RevenueSummary:
    """K1.3 of ``contract`` on ``as_of`` (default today) with the charts: the context of
    ``implementation/_revenue_summary.html`` (``{% include ... with revenue=summary %}``)."""
    summary = k13_summary(contract, as_of=as_of)
    for view in summary.aims:
        if view.rows and not view.rate_missing and view.result.status != core_growth.PENDING:
            view.chart = chart(view)
    return summary
