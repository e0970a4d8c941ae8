"""K1.3 revenue tables of a contract and the growth they show (K1.3 服务营收增长, W-K13).

The performance enterprises of a contract are its K1.3 commitments (plan records) and the prior K1.3 records
of the submission it rests on, one per enterprise (credit code; a code-less record joins the coded one of the
same name). The organization uploads one 营收情况表 per enterprise (``interfaces.revenue_excel``); the growth
of each aim (the programme file's K1.3 ``table_growth`` aims) per enterprise and for the group is judged by
``core.growth.k13_growth`` against the industry growth rates the office enters in the programme file's
parameters (``industry_growth_rate``, ``start_growth_rate``: the scheme editor), as of ``clock.today()``.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from zgcfund.applications.domain import workflow
from zgcfund.audit.domain import record_event
from zgcfund.audit.models import Visibility
from zgcfund.core import growth as core_growth
from zgcfund.core.programme import Programme
from zgcfund.core.vocabulary import party_identities
from zgcfund.files.names import clean_name
from zgcfund.implementation.models import Contract, RevenueTable
from zgcfund.implementation.models.revenue import FIGURES
from zgcfund.programmes.domain import clock, current_version, parsed

CLAUSE = core_growth.CLAUSE
#: the phases in which the organization may upload tables (the contract signed, acceptance not decided)
UPLOAD_STATUSES = (workflow.CONTRACTED, workflow.IMPLEMENTING, workflow.REPORTING)


class RevenueRefused(Exception):
    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


@dataclass
class PerformanceEnterprise:
    name: str
    credit_code: str                    # "" when no record names one (no table can be uploaded then)
    sources: list[str] = field(default_factory=list)  # "实施期承诺 R5", "前期绩效 R2"
    table: RevenueTable | None = None


# --- what the pages ask -----------------------------------------------------------------------------

def programme_for(contract: Contract) -> Programme:
    """The programme version in force for the contract's programme (the office's current rates); the
    contract's own version when none is current."""
    row = current_version(contract.programme_year.code) or contract.programme_year
    return parsed(row)


def periods(programme: Programme) -> list[core_growth.Period]:
    """The K1.3 statistics periods in the template's order (FIGURES)."""
    found = {}
    for aim in core_growth.k13_aims(programme, clock.today()):
        for p in (aim.previous, aim.current):
            found[p.field] = p
    return [found[name] for name in FIGURES if name in found]


def performance_enterprises(contract: Contract) -> list[PerformanceEnterprise]:
    """The K1.3 performance enterprises: the K1.3 commitments, then the prior K1.3 records of the
    submission, de-duplicated by credit code; each with its uploaded table if any."""
    parties: list[tuple[dict, str]] = []
    for c in contract.commitments.filter(clause=CLAUSE).order_by("date", "pk"):
        party = c.targets.get("enterprise") if isinstance(c.targets, dict) else None
        if isinstance(party, dict) and (party.get("name") or party.get("credit_code")):
            parties.append((party, _("实施期承诺 %(key)s") % {"key": c.record_key}))
    for r in (contract.submission.document or {}).get("records", []):
        if r.get("clause") == CLAUSE and r.get("phase") == "prior" and r.get("verified") is not False:
            party = r.get("enterprise")
            if isinstance(party, dict) and (party.get("name") or party.get("credit_code")):
                parties.append((party, _("前期绩效 %(key)s") % {"key": r.get("id", "")}))
    cleaned = [{"name": str(p.get("name") or "").strip(),
                "credit_code": str(p.get("credit_code") or "").strip().upper() or None} for p, _s in parties]
    out: dict[str, PerformanceEnterprise] = {}
    for (_party, source), party, identity in zip(parties, cleaned, party_identities(cleaned), strict=True):
        key = identity or party["name"]
        e = out.get(key)
        if e is None:
            e = out[key] = PerformanceEnterprise(party["name"], party["credit_code"] or "")
        elif not e.credit_code and party["credit_code"]:
            e.credit_code = party["credit_code"]
        if not e.name:
            e.name = party["name"]
        e.sources.append(source)
    tables = {t.credit_code: t for t in contract.revenue_tables.select_related("uploaded_by")}
    for e in out.values():
        e.table = tables.get(e.credit_code) if e.credit_code else None
    return list(out.values())


def enterprise(contract: Contract, credit_code: str) -> PerformanceEnterprise | None:
    code = (credit_code or "").strip().upper()
    return next((e for e in performance_enterprises(contract) if code and e.credit_code == code), None)


def upload_refusal(contract: Contract) -> str | None:
    if contract.application.status not in UPLOAD_STATUSES:
        return _("本项目当前状态为“%(status)s”，不能再上传营收情况表。") % {
            "status": contract.application.phase.public_name}
    return None


# --- uploading --------------------------------------------------------------------------------------

def _plain(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def upload_table(contract: Contract, credit_code: str, read, data: bytes, name: str, by) -> RevenueTable:
    """Store the uploaded 营收情况表 of one performance enterprise with its figures (replacing an earlier
    upload; the audit entry keeps old and new figures). ``read(periods, today)`` reads the workbook
    (``interfaces.revenue_excel.read_upload``) and raises its RevenueFileError listing the file's problems;
    RevenueRefused: not possible now, or not a performance enterprise. Nothing is saved on any error."""
    e = enterprise(contract, credit_code)
    if e is None:
        raise RevenueRefused(_("统一社会信用代码 %(code)s 不是本合同的 K1.3 绩效企业。") % {"code": credit_code})
    refusal = upload_refusal(contract)
    if refusal:
        raise RevenueRefused(refusal)
    parsed_table = read(periods(programme_for(contract)), clock.today())  # slow work outside the lock
    digest = hashlib.sha256(data).hexdigest()
    name = clean_name(name or "营收情况表.xlsx")
    written = None
    try:
        with transaction.atomic():
            locked = Contract.objects.select_for_update().select_related("application__organization").get(pk=contract.pk)
            refusal = upload_refusal(locked)
            if refusal:
                raise RevenueRefused(refusal)
            table = RevenueTable.objects.filter(contract=locked, credit_code=e.credit_code).first()
            before = ({k: _plain(v) for k, v in table.figures().items()}
                      | {"file": table.file_name, "sha256": table.sha256, "stored": table.file.name} if table else {})
            table = table or RevenueTable(contract=locked, credit_code=e.credit_code)
            table.enterprise_name = e.name[:200]
            for k in FIGURES:
                setattr(table, k, parsed_table.figures.get(k))
            table.months = parsed_table.months
            table.file_name, table.sha256 = name, digest
            table.uploaded_by, table.uploaded_at = by, clock.now()
            table.file.save(f"{uuid.uuid4().hex}.xlsx", ContentFile(data), save=False)  # the old file stays
            written = table.file.name
            table.save()
            after = ({k: _plain(v) for k, v in table.figures().items()}
                     | {"file": name, "sha256": digest, "stored": table.file.name})
            record_event("revenue.upload", (_("更新 %(name)s 的 K1.3 营收情况表") if before else
                                            _("上传 %(name)s 的 K1.3 营收情况表")) % {"name": e.name},
                         actor=by, application=locked.application, obj=table,
                         changes={"credit_code": e.credit_code, "before": before, "after": after},
                         visibility=Visibility.ORGANIZATION)
    except BaseException:
        if written:
            table.file.storage.delete(written)
        raise
    return table


# --- growth -----------------------------------------------------------------------------------------

@dataclass
class AimView:
    aim: core_growth.Aim
    result: core_growth.AimResult
    rate_label: str
    rate_missing: bool
    rows: list[dict]             # per enterprise: {"name", "credit_code", "ea": EnterpriseAim, "growth", "status_name"}
    chart: str = ""              # filled by interfaces.revenue_display (SVG)

    @property
    def growth_text(self) -> str:
        return core_growth.percent(self.result.growth)

    @property
    def rate_text(self) -> str:
        return core_growth.percent(self.result.rate)

    @property
    def status_name(self) -> str:
        return core_growth.STATUS_NAMES[self.result.status]


@dataclass
class RevenueSummary:
    contract: Contract
    enterprises: list[PerformanceEnterprise]
    as_of: object
    result: core_growth.GrowthResult | None
    aims: list[AimView]
    problems: list[str]          # input the engine refused (shown instead of figures)
    missing_rates: list[str]     # labels of the rates the office has not entered
    programme: Programme

    @property
    def uploaded(self) -> int:
        return sum(1 for e in self.enterprises if e.table is not None)

    @property
    def status_name(self) -> str:
        return core_growth.STATUS_NAMES.get(self.result.status, "") if self.result else ""


def _revenue_input(enterprises: list[PerformanceEnterprise]) -> list[core_growth.EnterpriseRevenue]:
    return [core_growth.EnterpriseRevenue(e.credit_code or None, e.name,
                                          e.table.figures() if e.table is not None else {})
            for e in enterprises]


def k13_summary(contract: Contract, *, as_of=None, programme: Programme | None = None) -> RevenueSummary:
    """K1.3 of ``contract`` on ``as_of`` (default today): its performance enterprises and tables, the growth
    per enterprise and for the group per aim, met or not (the pages call
    ``interfaces.revenue_display.revenue_summary``, which adds the charts). ``programme``: the version in
    force, when the caller has it already (default ``programme_for(contract)``)."""
    as_of = as_of or clock.today()
    programme = programme or programme_for(contract)
    enterprises = performance_enterprises(contract)
    params = programme.params_on(as_of)
    aims = core_growth.k13_aims(programme, as_of)
    missing = [programme.parameters[a.rate_param].label for a in aims if params.get(a.rate_param) is None]
    try:
        result = core_growth.k13_growth(_revenue_input(enterprises), as_of, programme=programme)
    except core_growth.GrowthInputError as exc:
        return RevenueSummary(contract, enterprises, as_of, None, [], exc.problems, missing, programme)
    views = []
    for aim_result in result.aims:
        aim = aim_result.aim
        rows = []
        for g in result.enterprises:
            ea = next(a for a in g.aims if a.aim == aim.key)
            rows.append({"name": g.name, "credit_code": g.credit_code or "", "ea": ea,
                         "growth": core_growth.percent(ea.growth), "status_name": core_growth.STATUS_NAMES[ea.status]})
        views.append(AimView(aim, aim_result, programme.parameters[aim.rate_param].label,
                             params.get(aim.rate_param) is None, rows))
    return RevenueSummary(contract, enterprises, as_of, result, views, [], missing, programme)


def programme_overview(code: str, *, as_of=None) -> list[dict]:
    """Each contracted organization of programme ``code`` with its K1.3 group growth per aim:
    ``[{"contract", "summary": RevenueSummary}]`` (contracts without performance enterprises left out)."""
    contracts = (Contract.objects.filter(application__programme_code=code)
                 .select_related("application__organization", "submission", "programme_year")
                 .defer("submission__evaluation_prior", "submission__evaluation_projected")
                 .order_by("application__organization__name", "pk"))
    out = []
    current = current_version(code)
    programme = parsed(current) if current is not None else None
    for contract in contracts:
        summary = k13_summary(contract, as_of=as_of, programme=programme or programme_for(contract))
        if summary.enterprises:
            out.append({"contract": contract, "summary": summary})
    return out


__all__ = ["PerformanceEnterprise", "RevenueRefused", "RevenueSummary", "enterprise", "k13_summary",
           "performance_enterprises", "periods", "programme_for", "programme_overview", "upload_refusal",
           "upload_table"]
