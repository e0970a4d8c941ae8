"""What the programme delivered, across all organizations (项目成效): per clause, its headline quantities —
prior performance at application, committed in the contracts, delivered and verified at acceptance — the
applications by phase, and the money.

``HEADLINES`` is a small declared table keyed by clause ID and field name of the 2025 programme file (no
matching on labels): a count of the clause's records, or the sum of one of its ``count``/``amount`` fields.
It is checked against the packaged programme file at import: every clause of the file has a headline, every
headline names a clause and (for a sum) a count/amount field of that clause, and an amount is in 万元.

Measured on:
* **prior** — the prior records (``phase: prior``) of the submission each contract rests on, except records
  a reviewer rejected (``verified: false``);
* **committed** — the contract's commitments (plan records frozen at signing; not the ``extra`` work);
* **delivered** — commitments, ``extra`` work included, the office verified (``verified``) as delivered or
  partly delivered, on their ``delivered`` figures where given, else on their targets.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count
from django.utils.translation import gettext_lazy as _l

from zgcfund.applications.domain import workflow
from zgcfund.applications.models import Application
from zgcfund.core.programme import DEFAULT_PROGRAMME, Programme, load_programme
from zgcfund.implementation.domain import funds
from zgcfund.implementation.models import CommitmentOrigin, CommitmentStatus, Contract

ZERO = Decimal(0)
PRIOR = "prior"
DELIVERED = frozenset({CommitmentStatus.DELIVERED, CommitmentStatus.PARTLY_DELIVERED})
#: field types a headline may sum, and the unit an ``amount`` field is in (the programme file's amounts: 万元)
SUMMABLE = frozenset({"count", "amount"})
AMOUNT_UNIT = "万元"


@dataclass(frozen=True)
class Headline:
    """One headline quantity of a clause: its records counted (``field`` None) or ``field`` summed."""
    clause: str
    key: str  # stable within the clause: "enterprises", "events", "participants", "investment" …
    label: str  # Chinese, what the quantity is
    unit: str
    field: str | None = None
    theme: str = ""  # the dashboard card it adds to (THEMES), "" for none
    short: str = ""  # a shorter label for charts (their category labels are cut at 12 characters)

    @property
    def id(self) -> str:
        return f"{self.clause}:{self.key}"

    @property
    def family(self) -> str:
        return CLAUSES[self.clause].family

    @property
    def clause_title(self) -> str:
        return CLAUSES[self.clause].title

    def measure(self, figures: Mapping) -> Decimal:
        """What one record (or commitment's figures) adds: 1 for a count, else its field's value (0 if none)."""
        if self.field is None:
            return Decimal(1)
        return number(figures.get(self.field))


HEADLINES: tuple[Headline, ...] = (
    Headline("K1.1", "enterprises", _l("调研企业"), "家", theme="surveyed"),
    Headline("K1.2", "enterprises", _l("纳统企业"), "家", theme="in_statistics"),
    Headline("K1.3", "enterprises", _l("绩效企业"), "家"),
    Headline("K2", "investment", _l("固定资产投资额"), AMOUNT_UNIT, field="amount", theme="investment"),
    Headline("K3.1", "events", _l("园区服务活动"), "场", theme="events"),
    Headline("K3.1", "participants", _l("园区服务活动参加人数"), "人", field="participants", theme="participants",
             short=_l("参加人数")),
    Headline("K3.2", "enterprises", _l("新注册企业（外资或注册资本金500万元及以上）"), "家", theme="registrations",
             short=_l("新注册企业（≥500万）")),
    Headline("K3.3", "enterprises", _l("新注册企业（注册资本金少于500万元）"), "家", theme="registrations",
             short=_l("新注册企业（<500万）")),
    Headline("K4.1", "events", _l("中关村论坛相关活动"), "项", theme="events", short=_l("论坛活动")),
    Headline("K4.1", "participants", _l("论坛活动参会人数"), "人", field="participants", theme="participants",
             short=_l("参会人数")),
    Headline("K4.2", "events", _l("京津冀科技交流或产业合作活动"), "场", theme="events", short=_l("京津冀活动")),
    Headline("K4.2", "participants", _l("京津冀活动参加人数"), "人", field="participants", theme="participants",
             short=_l("参加人数")),
    Headline("K5.1", "works", _l("惠企服务活动及服务体系建设工作"), "项", short=_l("惠企服务工作")),
    Headline("K5.1", "participants", _l("惠企服务活动参与人数"), "人", field="participants", theme="participants",
             short=_l("参与人数")),
    Headline("K5.2", "contract_value", _l("技术合同登记额"), AMOUNT_UNIT, field="amount", theme="contracts"),
    Headline("K5.3", "enterprises", _l("获批高新技术企业或技术先进型服务企业"), "家", short=_l("获批企业")),
    Headline("K5.4", "reports", _l("高精尖及未来产业研究报告"), "项", theme="reports", short=_l("研究报告")),
    Headline("P1", "standards", _l("标准（制定、发布或推广应用）"), "项", theme="standards", short=_l("标准")),
    Headline("P2", "projects", _l("协同创新项目"), "项"),
    Headline("P3", "items", _l("国际交流合作事项"), "项", short=_l("国际合作事项")),
    Headline("P4", "works", _l("园区竞争力提升工作"), "项", short=_l("园区提升工作")),
    Headline("P5", "reports", _l("产业行业研究课题"), "项", theme="reports", short=_l("研究课题")),
    Headline("P6", "platforms", _l("科技服务平台"), "个"),
    Headline("P6", "services", _l("线下平台服务家次"), "家次", field="services"),
    Headline("P6", "people_served", _l("线上平台服务人次"), "人次", field="people_served"),
    Headline("P7", "events", _l("品牌服务活动"), "项", theme="events"),
    Headline("P7", "participants", _l("品牌服务活动参与人次"), "人次", field="participants", theme="participants",
             short=_l("参与人次")),
)

#: the dashboard's cards: theme -> (label, unit); a card adds up its headlines over clauses (X-ONCE: one piece
#: of work counts under one clause only, so the sums do not count it twice)
THEMES: dict[str, tuple[str, str]] = {
    "surveyed": (_l("调研企业"), "家"),
    "in_statistics": (_l("纳统企业"), "家"),
    "events": (_l("活动"), "场（项）"),
    "participants": (_l("活动参与人数"), "人次"),
    "investment": (_l("固定资产投资"), AMOUNT_UNIT),
    "registrations": (_l("在京新注册企业"), "家"),
    "standards": (_l("标准"), "项"),
    "contracts": (_l("技术合同登记额"), AMOUNT_UNIT),
    "reports": (_l("研究报告"), "项"),
}


def problems(programme: Programme, headlines: Iterable[Headline] = HEADLINES) -> list[str]:
    """Where the table disagrees with ``programme`` (empty: it agrees)."""
    headlines = list(headlines)
    out: list[str] = []
    ids = Counter(h.id for h in headlines)
    out += [f"{i}: declared twice" for i, n in ids.items() if n > 1]
    for h in headlines:
        clause = programme.clauses.get(h.clause)
        if clause is None:
            out.append(f"{h.id}: no clause {h.clause} in {programme.code}")
            continue
        if h.theme and h.theme not in THEMES:
            out.append(f"{h.id}: unknown theme {h.theme}")
        if h.field is None:
            if h.unit == AMOUNT_UNIT:
                out.append(f"{h.id}: a count is not in {AMOUNT_UNIT}")
            continue
        spec = clause.fields.get(h.field)
        if spec is None:
            out.append(f"{h.id}: clause {h.clause} has no field {h.field}")
        elif spec.type not in SUMMABLE:
            out.append(f"{h.id}: field {h.field} is a {spec.type}, not a count or an amount")
        elif (spec.type == "amount") != (h.unit == AMOUNT_UNIT):
            out.append(f"{h.id}: field {h.field} is a {spec.type}, the unit {h.unit} does not fit")
    covered = {h.clause for h in headlines}
    out += [f"{c}: no headline declared" for c in programme.clauses if c not in covered]
    return out


def _checked_clauses() -> dict:
    programme = load_programme(DEFAULT_PROGRAMME)
    found = problems(programme)
    if found:
        raise ImproperlyConfigured("implementation.domain.results.HEADLINES: " + "; ".join(found))
    return dict(programme.clauses)


#: the programme file's clauses (family, title), checked against HEADLINES here, at import
CLAUSES = _checked_clauses()


def headlines(family: str | None = None) -> list[Headline]:
    return [h for h in HEADLINES if family in (None, "", h.family)]


def number(value) -> Decimal:
    """A record's figure as a Decimal; 0 for a missing or non-numeric one (booleans are not figures)."""
    if value is None or isinstance(value, bool):
        return ZERO
    try:
        n = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return ZERO
    return n if n.is_finite() else ZERO


# --- applications by phase ------------------------------------------------------------------------------

def by_phase(code: str) -> list[tuple[workflow.Phase, int]]:
    """The programme's applications per phase, in the workflow's order (every phase, zeros included)."""
    counts = dict(Application.objects.filter(programme_code=code).values("status").annotate(n=Count("pk"))
                  .values_list("status", "n"))
    return [(p, counts.get(name, 0)) for name, p in workflow.PHASES.items()]


# --- money -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Money:
    """万元. ``None``: not known here (the page and the export show "—")."""
    committed: Decimal
    paid: Decimal | None = None
    refund_due: Decimal | None = None
    refunded: Decimal | None = None


def money(code: str) -> Money:
    """Committed = Σ the programme's contract amounts; paid / refund due / refunded from the payments."""
    t = funds.totals(code)
    return Money(committed=t.committed, paid=t.paid, refund_due=t.refund_due, refunded=t.refunded)


# --- results per clause and organization ------------------------------------------------------------------

@dataclass
class Figures:
    prior: Decimal = ZERO
    committed: Decimal = ZERO
    delivered: Decimal = ZERO

    def add(self, other: Figures) -> None:
        self.prior += other.prior
        self.committed += other.committed
        self.delivered += other.delivered

    @property
    def nonzero(self) -> bool:
        return bool(self.prior or self.committed or self.delivered)

    @property
    def rate(self) -> Decimal | None:
        """delivered / committed (None when nothing was committed)."""
        return (self.delivered / self.committed) if self.committed else None


@dataclass
class OrganizationResults:
    organization: str
    application_id: int
    amount: Decimal
    commitments: int = 0  # the contract's commitments (origin contract)
    delivered: int = 0  # commitments and extra work verified as (partly) delivered
    figures: dict[str, Figures] = field(default_factory=dict)  # Headline.id -> figures


@dataclass
class Results:
    code: str
    headlines: list[Headline]
    totals: dict[str, Figures]  # Headline.id -> across organizations
    organizations: list[OrganizationResults]

    def themes(self) -> list[tuple[str, str, str, Figures]]:
        """Cards: (theme, label, unit, figures summed over its headlines), in THEMES order, shown headlines only."""
        out = []
        for theme, (label, unit) in THEMES.items():
            members = [h for h in self.headlines if h.theme == theme]
            if not members:
                continue
            total = Figures()
            for h in members:
                total.add(self.totals[h.id])
            out.append((theme, label, unit, total))
        return out


def is_delivered(commitment) -> bool:
    """The office verified the work as delivered or partly delivered (the ``final`` basis' test)."""
    return commitment.verified and commitment.status in DELIVERED


def delivered_figures(commitment) -> dict:
    """The commitment's figures as delivered: the office's verified figures where it recorded any, else the
    organization's reported ``delivered`` figures, else its targets."""
    out = dict(commitment.targets or {})
    for figures in (commitment.delivered or {}, getattr(commitment, "office_delivered", None) or {}):
        out.update({k: v for k, v in figures.items() if v not in (None, "")})
    return out


def prior_records(contract: Contract) -> list[dict]:
    """The prior records of the submission the contract rests on, less those a reviewer rejected."""
    records = (contract.submission.document or {}).get("records", [])
    return [r for r in records if r.get("phase") == PRIOR and r.get("verified") is not False]


def results(code: str, family: str | None = None) -> Results:
    """Prior / committed / delivered headline quantities of the programme's contracted applications, per
    organization and in total; ``family`` "K" or "P" keeps that family's clauses only."""
    shown = headlines(family)
    by_clause: dict[str, list[Headline]] = {}
    for h in shown:
        by_clause.setdefault(h.clause, []).append(h)
    totals = {h.id: Figures() for h in shown}
    organizations = []
    contracts = (Contract.objects.filter(application__programme_code=code)
                 .select_related("application__organization", "submission")
                 .defer("submission__evaluation_prior", "submission__evaluation_projected")
                 .prefetch_related("commitments")
                 .order_by("application__organization__name", "pk"))
    for contract in contracts:
        org = OrganizationResults(contract.application.organization.name, contract.application_id, contract.amount,
                                  figures={h.id: Figures() for h in shown})
        for record in prior_records(contract):
            for h in by_clause.get(record.get("clause"), ()):
                org.figures[h.id].prior += h.measure(record)
        for c in contract.commitments.all():
            if c.origin == CommitmentOrigin.CONTRACT:
                org.commitments += 1
                for h in by_clause.get(c.clause, ()):
                    org.figures[h.id].committed += h.measure(c.targets or {})
            if is_delivered(c):
                org.delivered += 1
                figures = delivered_figures(c)
                for h in by_clause.get(c.clause, ()):
                    org.figures[h.id].delivered += h.measure(figures)
        for hid, f in org.figures.items():
            totals[hid].add(f)
        organizations.append(org)
    return Results(code=code, headlines=shown, totals=totals, organizations=organizations)
