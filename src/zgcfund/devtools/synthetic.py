"""Deterministic synthetic ``zgc-application/1`` documents for the 2025 programme.

Realistic-looking applications for property tests, demo data and benchmarks::

    import random
    from zgcfund.devtools.synthetic import make_application

    doc = make_application(random.Random(7), n_records=300)

The same seed always gives the same document (a seeded :class:`random.Random`
is the only source of randomness; no sets are iterated, no clock is read).
Every document is *valid* zgc-application/1 — the validator accepts it — but
the work it declares is a realistic mix, so evaluation exercises every path:

* records on every clause (K1.1 … P7) with Chinese titles, enterprises with
  valid 统一社会信用代码, parks, topics, contacts;
* both phases (``prior`` and ``plan``), dates mostly inside the windows
  (W-PRIOR, W-PLAN, W-2025, W-INTL-STD) and a share just outside them;
* most records meet their clause's record rules, some do not (59 participants,
  capital above the K3.3 limit, too few working days of notice, unpublished
  standards, …);
* evidence files with sha256 digests (a few records without any), review verdicts
  (``verified``) on some records, a few rejected;
* same-work duplicates (X-ONCE): P7 copies of K events sharing a title and date
  or an evidence file; repeated enterprises within K1.1/K1.2/K1.3/K3.x/K5.3;
* ``choices`` for K1 and K3 when a group's three sub-items are all touched
  (occasionally left out, failing X-K1-TWO / X-K3-TWO), sometimes when two are.

An enterprise keeps its attributes (S&T-service flag, revenue, industry code,
…) across all the records that name it, so a repeated enterprise is a true
duplicate and first-wins ``unique`` handling never changes a score.

:func:`make_record` builds one record for a given clause; with
``qualifying=True`` it meets the clause's windows and record rules and shares
no evidence, title or enterprise with anything else (property tests use it to
add "one more qualifying record").
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from zgcfund.core.creditcode import CHARSET, make_valid
from zgcfund.core.engine import application_dates
from zgcfund.core.programme import Programme, load_programme

__all__ = ["CLAUSE_WEIGHTS", "make_application", "make_applications", "make_record"]

FORMAT = "zgc-application/1"
PROGRAMME = "zgc-social-org-2025"

# Relative share of records per clause, for an organization that is comprehensive and registers
# technology contracts (K5.1 / K5.2 get a token weight otherwise). K1.1 needs ≥ 50 enterprises and
# K5.1 ≥ 26 activities, so they dominate, as they do in real applications.
CLAUSE_WEIGHTS: dict[str, float] = {
    "K1.1": 70, "K1.2": 8, "K1.3": 8, "K2": 6, "K3.1": 12, "K3.2": 6, "K3.3": 8,
    "K4.1": 4, "K4.2": 5, "K5.1": 40, "K5.2": 8, "K5.3": 8, "K5.4": 3,
    "P1": 8, "P2": 4, "P3": 8, "P4": 5, "P5": 5, "P6": 4, "P7": 20,
}
CHOICE_GROUPS = {"K1": ("K1.1", "K1.2", "K1.3"), "K3": ("K3.1", "K3.2", "K3.3")}
UNIQUE_ENTERPRISE = ("K1.1", "K1.2", "K1.3", "K3.2", "K3.3", "K5.3")
SAME_WORK_SOURCES = ("K3.1", "K4.1", "K4.2", "K5.1")  # K events a P7 record may repeat

# --- vocabulary ------------------------------------------------------------------------------

TOPICS = ("人工智能", "集成电路", "生物医药", "医疗器械", "新能源汽车", "智能网联汽车", "量子信息",
          "区块链", "数字经济", "智能制造", "新材料", "商业航天", "低空经济", "机器人", "网络安全",
          "绿色低碳", "氢能", "合成生物", "脑机接口", "工业互联网", "大数据", "先进计算", "6G通信",
          "科技金融", "知识产权", "技术转移", "卫星互联网", "元宇宙", "北斗导航", "智慧医疗")
PARKS = ("东城园", "西城园", "朝阳园", "海淀园", "丰台园", "石景山园", "门头沟园", "房山园", "通州园",
         "顺义园", "大兴-亦庄园", "昌平园", "平谷园", "怀柔园", "密云园", "延庆园")
DISTRICTS = {"东城区": "110101", "西城区": "110102", "朝阳区": "110105", "丰台区": "110106",
             "石景山区": "110107", "海淀区": "110108", "门头沟区": "110109", "房山区": "110111",
             "通州区": "110112", "顺义区": "110113", "昌平区": "110114", "大兴区": "110115",
             "怀柔区": "110116", "平谷区": "110117", "密云区": "110118", "延庆区": "110119"}
EVENT_KINDS = ("产业对接会", "政策宣讲会", "技术沙龙", "投融资路演", "专题培训会", "供需对接会",
               "企业开放日", "专家座谈会", "成果发布会", "创新创业交流会", "应用场景发布会")
SERVICE_EVENT_KINDS = ("科技惠企政策宣讲会", "惠企服务对接会", "科技政策解读会", "惠企政策进园区活动")
BRAND_PARTS = ("智源", "华控", "中科", "云启", "博睿", "星河", "知行", "睿信", "天工", "恒润", "致远",
               "海光", "启明", "凌云", "数智", "芯联", "万维", "金桥", "和信", "碧水", "京华", "弘毅",
               "鼎新", "长风", "嘉禾", "新元", "联创", "泰和", "蓝海", "同方", "安泰", "宏图", "清源",
               "未名", "青藤", "朗润", "德信", "卓越", "远景", "极目")
INDUSTRY_WORDS = ("科技", "信息技术", "生物科技", "医疗器械", "新能源科技", "检测技术", "工程技术",
                  "软件", "数据科技", "智能装备", "环境科技", "材料科技", "技术转移", "知识产权代理",
                  "科技服务", "半导体", "航天科技", "机器人")
SUFFIXES = ("有限公司", "有限公司", "有限公司", "股份有限公司", "有限责任公司")
ORG_FORMS = ("北京市{t}产业协会", "中关村{t}产业联盟", "北京{t}学会", "中关村{t}产业促进会",
             "北京市{t}技术创新协会", "中关村{t}企业家协会")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马胡朱郭何罗高林郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
GIVEN = ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明",
         "超", "秀英", "华", "平", "建国", "志强", "晓东", "海燕", "思远", "雨桐", "子涵", "浩然", "欣怡")
# GB/T 4754-2017: M 门类 73-75 (科学研究和技术服务业) and some codes outside it.
STI_INDUSTRY_CODES = ("7310", "7320", "7330", "7340", "7350", "7410", "7420", "7431", "7451", "7452",
                      "7461", "7462", "7471", "7474", "7481", "7482", "7484", "7491", "7492", "7511",
                      "7512", "7513", "7514", "7515", "7517", "7519", "7520", "7530", "7540", "7590")
OTHER_INDUSTRY_CODES = ("6511", "6513", "6531", "6420", "3911", "2710", "5181", "7212")

ONE_DAY = dt.timedelta(days=1)


def _uniform_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    if end < start:
        return start
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


@dataclass
class Enterprise:
    """An enterprise with attributes that stay the same wherever it is named."""

    name: str
    credit_code: str
    district: str
    sti_service: bool
    industry_code: str
    revenue: int  # 万元
    included_on: dt.date
    scale_above: bool
    revenue_2024_jan_nov: int
    growth_2025: float
    revenue_2025_jan_feb: int
    growth_2026: float
    foreign: bool
    registered_capital: int

    def party(self) -> dict[str, str]:
        return {"name": self.name, "credit_code": self.credit_code}


class _Generator:
    """State for one application: its dates, windows, enterprises, counters."""

    def __init__(self, rng: random.Random, programme: Programme, applied_on: dt.date,
                 contract_signed_on: dt.date | None, outside_share: float, duplicate_share: float,
                 fail_share: float, rejected_share: float, verified_share: float):
        self.rng = rng
        self.programme = programme
        self.applied_on = applied_on
        self.plan_start = contract_signed_on or applied_on + ONE_DAY
        self.outside_share, self.duplicate_share = outside_share, duplicate_share
        self.fail_share, self.rejected_share, self.verified_share = fail_share, rejected_share, verified_share
        params = programme.rules_on(applied_on).params
        dates = application_dates(params, applied_on, self.plan_start)
        self.bounds = {wid: w.bounds(params, dates) for wid, w in programme.windows.items()}
        self.codes: set[str] = set()
        self.names: set[str] = set()
        self.used: dict[str, list[Enterprise]] = {}  # enterprises already named per clause
        self.units: list[Enterprise] = []  # K2 investing units (several projects per unit)
        self.title_serial = 0
        self.builders: dict[str, Callable[[str, bool, bool | None], tuple[dt.date, str, dict]]] = {
            "K1.1": self._k11, "K1.2": self._k12, "K1.3": self._k13, "K2": self._k2,
            "K3.1": self._k31, "K3.2": self._k32, "K3.3": self._k33, "K4.1": self._k41,
            "K4.2": self._k42, "K5.1": self._k51, "K5.2": self._k52, "K5.3": self._k53,
            "K5.4": self._k54, "P1": self._p1, "P2": self._p2, "P3": self._p3, "P4": self._p4,
            "P5": self._p5, "P6": self._p6, "P7": self._p7,
        }

    # --- small helpers -------------------------------------------------------------------
    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def fails(self, qualifying: bool | None) -> bool:
        """Whether this record should break one of its clause's record rules."""
        return qualifying is False or (qualifying is None and self.chance(self.fail_share))

    def sha256(self) -> str:
        return f"{self.rng.getrandbits(256):064x}"

    def person(self) -> str:
        return self.rng.choice(SURNAMES) + self.rng.choice(GIVEN)

    def phone(self) -> str:
        if self.chance(0.5):
            return f"010-{self.rng.randint(6000_0000, 8999_9999)}"
        return f"1{self.rng.choice('3589')}{self.rng.randint(0, 999_999_999):09d}"

    def contact(self) -> dict[str, str]:
        return {"name": self.person(), "phone": self.phone()}

    def serial(self) -> int:
        self.title_serial += 1
        return self.title_serial

    def credit_code(self, prefix: str) -> str:
        """A fresh valid code: ``prefix`` (8 characters: authority, type, division) + 8 random + checks."""
        while True:
            body = "MA0" + "".join(self.rng.choice(CHARSET) for _ in range(5))
            code = make_valid(prefix + body)
            if code not in self.codes:
                self.codes.add(code)
                return code

    def enterprise(self, *, foreign: bool | None = None) -> Enterprise:
        rng = self.rng
        district = rng.choice(list(DISTRICTS))
        while True:
            name = (f"北京{rng.choice(BRAND_PARTS)}{rng.choice(BRAND_PARTS)}"
                    f"{rng.choice(INDUSTRY_WORDS)}{rng.choice(SUFFIXES)}")
            if name not in self.names:
                self.names.add(name)
                break
        sti = self.chance(0.65)
        is_foreign = self.chance(0.15) if foreign is None else foreign
        return Enterprise(
            name=name,
            credit_code=self.credit_code("91" + DISTRICTS[district]),
            district=district,
            sti_service=sti,
            industry_code=rng.choice(STI_INDUSTRY_CODES if sti or self.chance(0.5) else OTHER_INDUSTRY_CODES),
            revenue=rng.choice((300, 800, 1000, 1200, 1800, 2500, 4000, 6500, 12000, 30000)),
            included_on=_uniform_date(rng, dt.date(2024, 3, 1), dt.date(2025, 8, 31)),
            scale_above=self.chance(0.85),
            revenue_2024_jan_nov=rng.randint(2000, 80000),
            growth_2025=rng.uniform(-0.15, 0.35),
            revenue_2025_jan_feb=rng.randint(300, 12000),
            growth_2026=rng.uniform(-0.1, 0.3),
            foreign=is_foreign,
            registered_capital=rng.choice((100, 200, 300, 450, 499, 500, 800, 1000, 2000, 5000)),
        )

    def party_for(self, clause: str, qualifying: bool | None, fresh: Callable[[], Enterprise] | None = None
                  ) -> Enterprise:
        """An enterprise for a clause that counts each enterprise once; sometimes a repeat."""
        used = self.used.setdefault(clause, [])
        if used and qualifying is None and self.chance(self.duplicate_share):
            return self.rng.choice(used)
        ent = (fresh or self.enterprise)()
        used.append(ent)
        return ent

    def day(self, clause: str, phase: str, inside: bool, window: str | None = None) -> dt.date:
        """A date inside the record's windows, or (``inside`` false) just before or after them."""
        wid = window or self.programme.phase_windows[phase]
        start, end = self.bounds[wid]
        for xw in self.programme.clauses[clause].windows:
            xs, xe = self.bounds[xw]
            start, end = max(start, xs), min(end, xe)
        if inside:
            return _uniform_date(self.rng, start, end)
        if phase == "prior" or self.chance(0.3):
            return start - dt.timedelta(days=self.rng.randint(1, 150))
        return end + dt.timedelta(days=self.rng.randint(1, 90))

    def evidence(self, names: tuple[str, ...]) -> list[dict[str, str]]:
        count = self.rng.choice((1, 1, 2, 2, 3))
        picked = self.rng.sample(names, min(count, len(names)))
        return [{"name": n, "sha256": self.sha256()} for n in picked]

    # --- one record ----------------------------------------------------------------------
    def record(self, clause: str, phase: str, qualifying: bool | None = None) -> dict[str, Any]:
        inside = qualifying is True or not self.chance(self.outside_share)
        day, title, fields = self.builders[clause](phase, inside, qualifying)
        rec: dict[str, Any] = {"id": "", "clause": clause, "phase": phase, "date": day.isoformat(), "title": title}
        rec.update(fields)
        if qualifying is True or self.chance(0.95):
            rec["evidence"] = self.evidence(EVIDENCE_NAMES.get(clause, ("证明材料.pdf", "照片.jpg")))
        if qualifying is None:
            if self.chance(self.rejected_share):
                rec["verified"] = False
            elif self.chance(self.verified_share):
                rec["verified"] = True
        return rec

    def _participants(self, fails: bool, low: int = 60) -> int:
        if fails:
            return self.rng.randint(max(low - 30, 0), low - 1)
        return self.rng.choice((low, self.rng.randint(low, 150), self.rng.randint(80, 400)))

    def _k11(self, phase: str, inside: bool, q: bool | None) -> tuple[dt.date, str, dict]:
        ent = self.party_for("K1.1", q)
        title = self.rng.choice(("走访调研{}", "{}企业需求调研", "赴{}开展科技服务调研", "{}发展情况座谈调研"))
        return (self.day("K1.1", phase, inside), title.format(ent.name),
                {"enterprise": ent.party(), "sti_service": ent.sti_service})

    def _k12(self, phase: str, inside: bool, q: bool | None) -> tuple[dt.date, str, dict]:
        ent = self.party_for("K1.2", q)
        revenue, code = ent.revenue, ent.industry_code
        if q is True:
            revenue, code = max(revenue, 1000), code if code in STI_INDUSTRY_CODES else "7520"
        return (self.day("K1.2", phase, inside), f"推动{ent.name}纳入科技服务业统计",
                {"enterprise": ent.party(), "revenue": revenue, "industry_code": code})

    def _k13(self, phase: str, inside: bool, q: bool | None) -> tuple[dt.date, str, dict]:
        ent = self.party_for("K1.3", q)
        included_on = ent.included_on if q is not True else max(ent.included_on, dt.date(2024, 8, 1))
        growth_2025, growth_2026 = ent.growth_2025, ent.growth_2026
        if q is True:
            growth_2025, growth_2026 = abs(growth_2025) + 0.01, abs(growth_2026) + 0.01
        fields: dict[str, Any] = {
            "enterprise": ent.party(), "included_on": included_on.isoformat(),
            "scale_above": ent.scale_above or q is True,
            "revenue_2025_jan_nov": round(ent.revenue_2024_jan_nov * (1 + growth_2025)),
            "revenue_2024_jan_nov": ent.revenue_2024_jan_nov,
            "revenue_2026_jan_feb": round(ent.revenue_2025_jan_feb * (1 + growth_2026)),  # the enterprise's projection
            "revenue_2025_jan_feb": ent.revenue_2025_jan_feb,
        }
        return self.day("K1.3", phase, inside), f"服务{ent.name}营业收入增长", fields

    def _k2(self, phase: str, inside: bool, q: bool | None) -> tuple[dt.date, str, dict]:
        rng = self.rng
        if q is None and self.units and self.chance(0.4):
            unit = rng.choice(self.units)  # another project of the same unit: amounts add up (group_sum)
        else:
            unit = self.enterprise()
            self.units.append(unit)
        kind = rng.choice(("construction", "equipment"))
        project = f"{rng.choice(TOPICS)}{'研发中心建设' if kind == 'construction' else '中试设备购置'}项目"
        amount = rng.choice((300, 600, 900, 1000, 1500, 2400, 3800, 6000))
        if q is True:
            amount = max(amount, 1000)
        work = "主体施工" if kind == "construction" else "设备采购及安装调试"
        return (self.day("K2", phase, inside), f"服务{unit.name}{project}", {
            "unit": unit.party(), "project": project, "project_type": kind, "amount": amount,
            "plan": f"{rng.choice(('2025年第四季度', '2026年上半年', '2025年内'))}完成{work}",
            "contact": self.contact()})

    def _event_title(self, prefix: str = "", kinds: tuple[str, ...] = EVENT_KINDS) -> str:
        rng = self.rng
        topic, kind = rng.choice(TOPICS), rng.choice(kinds)
        if self.chance(0.5):
            return f"{prefix}{topic}{kind}（第{self.serial()}期）"
        return f"{prefix}{rng.choice(('', '2025年', '2025'))}{topic}{kind}"

    def _k31(self, phase: str, inside: bool, q: bool | None) -> tuple[dt.date, str, dict]:
        park = self.rng.choice(PARKS)
        return (self.day("K3.1", phase, inside), self._event_title(park),
                {"park": park, "participants": self._participants(self.fails(q))})

    def _new_enterprise(self, clause: str, phase: str, inside: bool, q: bool | None) -> tuple[dt.date, str, dict]:
        rng = self.rng
        small = clause == "K3.3"
        fails = self.fails(q)
        ent = self.party_for(clause, q, lambda: self.enterprise(foreign=False if small else None))
        capital = ent.registered_capital
        foreign = ent.foreign
        if small and (capital >= 500) != fails:
            capital = rng.choice((100, 200, 300, 450, 499)) if not fails else rng.choice((500, 800))
        if not small and q is True and not foreign:
            capital = max(capital, 500)
        day = self.day(clause, phase, inside)
        fields: dict[str, Any] = {
            "enterprise": ent.party(), "registered_in": f"北京市{ent.district}", "registered_capital": capital,
            "foreign": foreign, "business_scope": f"{rng.choice(TOPICS)}技术开发、技术咨询、技术服务、技术转让",
        }
        notice = rng.randint(5, 13) if fails else rng.randint(40 if q else 25, 70)  # calendar days
        if phase == "prior":
            fields["registered_on"] = day.isoformat()
            fields["notified_on"] = (day - dt.timedelta(days=notice)).isoformat()
        elif self.chance(0.3):
            fields["notified_on"] = _uniform_date(rng, self.applied_on - dt.timedelta(days=30), self.applied_on).isoformat()
        return day, f"服务{ent.name}在{ent.district}新注册落地", fields

    def _k32(self, phase: str, inside: bool, q: bool | None) -> tuple[dt.date, str, dict]:
        return self._new_enterprise("K3.2", phase, inside, q)

    def _k33(self, phase: str, inside: bool, q: bool | None) -> tuple[dt.date, str, dict]:
        return self._new_enterprise("K3.3", phase, inside, q)

    def _k41(self, phase: str, inside: bool, q: bool | None) -> tuple[dt.date, str, dict]:
        rng = self.rng
        kind = rng.choice(("forum_event", "forum_event", "foreign_guest", "venue_brand_event"))
        topic = rng.choice(TOPICS)
        title = {"forum_event": f"中关村论坛{topic}平行论坛",
                 "foreign_guest": f"推荐{topic}领域外籍嘉宾出席中关村论坛开幕式",
                 "venue_brand_event": f"中关村论坛永久会址{topic}品牌活动"}[kind]
        ok = not self.fails(q) or phase == "plan"
        roles = ("organizer", "host") if kind == "venue_brand_event" else ("host", "co_host")
        fields: dict[str, Any] = {"type": kind, "role": rng.choice(roles),
                                  "participants": rng.randint(80, 600)}
        if kind == "forum_event":
            fields["recognized"] = ok
        elif kind == "foreign_guest":
            fields["attended_opening"] = ok
        return self.day("K4.1", phase, inside), f"{title}", fields

    def _k42(self, phase: str, inside: bool, q: bool | None) -> tuple[dt.date, str, dict]:
        rng = self.rng
        fails = self.fails(q)
        which = rng.randrange(3) if fails else 3
        regions = [["BJ", "TJ"], ["BJ", "HE"], ["BJ", "TJ", "HE"]][rng.randrange(3)]
        participants = self._participants(False)
        recognized = True
        if which == 0:
            regions = rng.choice((["TJ", "HE"], ["BJ"]))
        elif which == 1:
            participants = self._participants(True)
        elif which == 2:
            recognized = phase == "plan"
        names = {"BJ": "京", "TJ": "津", "HE": "冀"}
        where = "".join(names[r] for r in regions)
        return (self.day("K4.2", phase, inside), f"{where}{rng.choice(TOPICS)}产业合作促进活动",
                {"regions": regions, "role": rng.choice(("host", "co_host")),
                 "participants": participants, "recognized": recognized})

    def _k51(self, phase: str, inside: bool, q: bool | None) -> tuple[dt.date, str, dict]:
        rng = self.rng
        kind = rng.choices(("service_event", "member_activity", "integrity"), (70, 25, 5))[0]
        title = {"service_event": self._event_title("", SERVICE_EVENT_KINDS),
                 "member_activity": f"成员单位{rng.choice(('规范建设', '业务培训', '自律建设'))}活动",
                 "integrity": "社会组织诚信体系建设工作"}[kind]
        return self.day("K5.1", phase, inside), title, {"type": kind, "participants": rng.randint(30, 300)}

    def _k52(self, phase: str, inside: bool, q: bool | None) -> tuple[dt.date, str, dict]:
        day = self.day("K5.2", phase, inside)
        return (day, f"{day.year}年{day.month}月技术合同登记",
                {"amount": self.rng.choice((15000, 28000, 36000, 42000, 55000, 61000))})

    def _k53(self, phase: str, inside: bool, q: bool | None) -> tuple[dt.date, str, dict]:
        ent = self.party_for("K5.3", q)
        kind = self.rng.choice(("high_tech_first", "advanced_service"))
        what = "首次申请高新技术企业认定" if kind == "high_tech_first" else "申请技术先进型服务企业认定"
        return (self.day("K5.3", phase, inside), f"推荐{ent.name}{what}",
                {"enterprise": ent.party(), "type": kind,
                 "approved": phase == "prior" and not self.fails(q), "contact": self.contact()})

    def _k54(self, phase: str, inside: bool, q: bool | None) -> tuple[dt.date, str, dict]:
        done = phase == "prior" and not self.fails(q)
        return (self.day("K5.4", phase, inside), f"{self.rng.choice(TOPICS)}产业发展研究报告",
                {"recognized": done or (phase == "prior" and self.chance(0.5)), "completed": done})

    def _p1(self, phase: str, inside: bool, q: bool | None) -> tuple[dt.date, str, dict]:
        rng = self.rng
        kind = rng.choices(("national", "industry", "local", "group", "promotion"), (1, 1, 1, 5, 3))[0]
        topic = rng.choice(TOPICS)
        n = self.serial()
        number = {"national": f"GB/T {40000 + n}-2025", "industry": f"SJ/T {11000 + n}-2025",
                  "local": f"DB11/T {2200 + n}-2025", "group": f"T/ZGCA {n:03d}-2025",
                  "promotion": f"T/ZGCA {n:03d}-2024"}[kind]
        status = "published" if phase == "prior" and not (kind != "promotion" and self.fails(q)) else "drafting"
        what = "应用推广" if kind == "promotion" else "标准制定"
        return (self.day("P1", phase, inside), f"《{topic}服务规范》{what}（{number}）",
                {"type": kind, "number": number, "status": status,
                 "publisher": "中关村标准化协会" if kind in ("group", "promotion") else "国家市场监督管理总局",
                 "drafters": "本会、" + "、".join(self.enterprise().name for _ in range(2))})

    def _p2(self, phase: str, inside: bool, q: bool | None) -> tuple[dt.date, str, dict]:
        kind = self.rng.choice(("common_key_tech", "key_programme", "demo_scenario"))
        what = {"common_key_tech": "共性关键技术研发", "key_programme": "重点计划项目", "demo_scenario": "应用示范场景"}[kind]
        return self.day("P2", phase, inside), f"{self.rng.choice(TOPICS)}{what}", {"type": kind}

    def _p3(self, phase: str, inside: bool, q: bool | None) -> tuple[dt.date, str, dict]:
        rng = self.rng
        kind = rng.choice(("intl_standard", "intl_conference", "intl_conference", "overseas_exhibition",
                           "intl_org_branch", "leader_post", "intl_title", "intl_journal",
                           "intl_standard_promotion", "intl_cooperation"))
        fails = self.fails(q)
        topic = rng.choice(TOPICS)
        fields: dict[str, Any] = {"type": kind}
        window = None
        if kind == "intl_standard":
            window = "W-INTL-STD" if phase == "prior" else None
            fields["status"] = rng.choice(("proposal_accepted", "published")) if not fails or phase == "plan" else None
            title = f"ISO/IEC {topic}国际标准提案"
        elif kind == "intl_conference":
            fields.update(participants=self._participants(fails and self.chance(0.5)),
                          foreign_speakers=rng.randint(0, 8), foreign_attendees=rng.randint(0, 30),
                          nonprofit=not fails or self.chance(0.5),
                          location=rng.choice(("beijing", "beijing", "abroad")), online=self.chance(0.3))
            if not fails:
                fields["foreign_speakers"] = max(fields["foreign_speakers"], 2)
            title = f"{topic}国际创新大会"
        elif kind == "overseas_exhibition":
            fields["enterprises"] = rng.randint(5, 19) if fails else rng.randint(20, 60)
            fields["location"] = "abroad"
            title = f"组织企业参加{rng.choice(('汉诺威工业博览会', 'CES消费电子展', '新加坡科技周', '迪拜GITEX展'))}"
        elif kind == "leader_post":
            if not fails:
                fields["leader_role"] = rng.choice(("chair", "vice_chair", "supervisory_chair", "secretary_general"))
            title = f"负责人当选国际{topic}联合会理事"
        else:
            title = {"intl_org_branch": f"国际{topic}组织北京代表处落地", "intl_title": f"获评国际{topic}合作示范机构",
                     "intl_journal": f"创办英文期刊《{topic}前沿》", "intl_standard_promotion": f"推广应用ISO {topic}国际标准",
                     "intl_cooperation": f"促成中外{topic}联合研发合作"}[kind]
        fields = {k: v for k, v in fields.items() if v is not None}
        return self.day("P3", phase, inside, window), f"{title}", fields

    def _p4(self, phase: str, inside: bool, q: bool | None) -> tuple[dt.date, str, dict]:
        kind = self.rng.choice(("tech_transfer", "park_study", "park_service"))
        park = self.rng.choice(PARKS)
        title = {"tech_transfer": f"{self.rng.choice(TOPICS)}科技成果在{park}企业转化",
                 "park_study": f"{park}数字化绿色化升级研究",
                 "park_service": f"{park}提质增效服务"}[kind]
        return self.day("P4", phase, inside), f"{title}", {"type": kind}

    def _p5(self, phase: str, inside: bool, q: bool | None) -> tuple[dt.date, str, dict]:
        kind = self.rng.choice(("government_topic", "commissioned", "independent"))
        return (self.day("P5", phase, inside), f"{self.rng.choice(TOPICS)}行业发展研究课题",
                {"type": kind, "completed": phase == "prior" and not self.fails(q)})

    def _p6(self, phase: str, inside: bool, q: bool | None) -> tuple[dt.date, str, dict]:
        rng = self.rng
        fails = self.fails(q)
        topic = rng.choice(TOPICS)
        if self.chance(0.5):
            return (self.day("P6", phase, inside), f"{topic}共性技术服务平台",
                    {"type": "offline", "services": rng.randint(10, 49) if fails else rng.randint(50, 300)})
        return (self.day("P6", phase, inside), f"{topic}“互联网+”科技服务平台",
                {"type": "online", "page_views": rng.randint(1000, 4999) if fails else rng.randint(5000, 90000),
                 "people_served": rng.randint(1000, 8000)})

    def _p7(self, phase: str, inside: bool, q: bool | None) -> tuple[dt.date, str, dict]:
        rng = self.rng
        if self.chance(0.25):
            years = rng.randint(1, 9)
            return (self.day("P7", phase, inside), f"第{years}届中关村{rng.choice(TOPICS)}品牌论坛",
                    {"type": "brand_event", "years_held": years, "participants": rng.randint(100, 800)})
        return (self.day("P7", phase, inside), self._event_title(),
                {"type": "service_event", "participants": rng.randint(30, 200)})

    def same_work_copy(self, original: dict[str, Any]) -> dict[str, Any]:
        """A P7 record declaring the same work as a K event (X-ONCE): same title and date, or a shared file."""
        copy: dict[str, Any] = {"id": "", "clause": "P7", "phase": original["phase"], "date": original["date"],
                                "title": original["title"], "type": "service_event",
                                "participants": original.get("participants", 100)}
        if original.get("evidence") and self.chance(0.5):
            copy["title"] = original["title"] + "（专业服务）"
            copy["date"] = (dt.date.fromisoformat(original["date"]) + ONE_DAY).isoformat()
            copy["evidence"] = [dict(self.rng.choice(original["evidence"]))]
        else:
            copy["evidence"] = self.evidence(EVIDENCE_NAMES["P7"])
        return copy


EVIDENCE_NAMES: dict[str, tuple[str, ...]] = {
    "K1.1": ("调研记录表.xlsx", "调研企业名单.xlsx", "现场照片.jpg"),
    "K1.2": ("纳统证明.pdf", "企业名单.xlsx"),
    "K1.3": ("营收情况表.xlsx", "纳统证明.pdf"),
    "K2": ("投资计划.pdf", "项目备案.pdf", "联系人信息.docx"),
    "K3.1": ("现场照片1.jpg", "现场照片2.jpg", "签到表.pdf", "活动通知.pdf"),
    "K3.2": ("企业信息报送单.pdf", "营业执照.jpg"),
    "K3.3": ("企业信息报送单.pdf", "营业执照.jpg"),
    "K4.1": ("活动报道.pdf", "现场照片.jpg", "组委会认可函.pdf"),
    "K4.2": ("活动报道.pdf", "现场照片.jpg", "认可文件.pdf"),
    "K5.1": ("现场照片.jpg", "签到表.pdf", "活动通知.pdf"),
    "K5.2": ("技术合同登记汇总表.xlsx",),
    "K5.3": ("认定批复.pdf", "企业名单.xlsx"),
    "K5.4": ("研究报告.pdf", "认可意见.pdf"),
    "P1": ("标准文本.pdf", "发布公告.pdf"),
    "P2": ("项目协议.pdf", "研发报告.pdf"),
    "P3": ("活动简介.pdf", "外籍嘉宾名单.xlsx", "聘书.jpg", "合作协议.pdf"),
    "P4": ("研究报告.pdf", "委托协议.pdf", "服务成果说明.docx"),
    "P5": ("研究报告.pdf", "委托协议.pdf"),
    "P6": ("平台截图.png", "场地照片.jpg", "服务台账.xlsx"),
    "P7": ("活动简介.pdf", "现场照片.jpg", "宣传报道.pdf"),
}


def _programme(programme: Programme | None) -> Programme:
    programme = programme or load_programme(PROGRAMME)
    if programme.code != PROGRAMME:
        raise ValueError(f"the synthetic generator is written for {PROGRAMME}, not {programme.code}")
    return programme


def _as_date(value: dt.date | str) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def make_application(rng: random.Random, n_records: int = 300, *,
                     applied_on: dt.date | str | None = None,
                     contract_signed_on: dt.date | str | None = None,
                     comprehensive: bool | None = None,
                     registers_tech_contracts: bool | None = None,
                     plan_share: float | None = None,
                     outside_share: float = 0.05,
                     duplicate_share: float = 0.04,
                     fail_share: float = 0.1,
                     rejected_share: float = 0.02,
                     verified_share: float = 0.2,
                     gate_violation_share: float = 0.05,
                     programme: Programme | None = None) -> dict[str, Any]:
    """One valid zgc-application/1 document with ``n_records`` records, drawn from ``rng``.

    Arguments left as None are drawn too: ``applied_on`` (2025-09-01 … 2025-10-31),
    ``contract_signed_on`` (null four times in five, else Nov–mid Dec 2025), the organization's
    ``comprehensive`` (30 %) and ``registers_tech_contracts`` (20 %) flags, ``plan_share`` (the
    share of implementation-plan records, 15–40 %). The shares set how often a record falls just
    outside its windows, repeats an enterprise or K event (X-ONCE), breaks a record rule, carries a
    review verdict, and how often K1/K3 are over-declared without ``choices``.
    """
    programme = _programme(programme)
    if applied_on is None:
        applied_on = _uniform_date(rng, dt.date(2025, 9, 1), dt.date(2025, 10, 31))
    applied_on = _as_date(applied_on)
    if contract_signed_on is None and rng.random() < 0.2:
        contract_signed_on = _uniform_date(rng, max(applied_on, dt.date(2025, 11, 1)), dt.date(2025, 12, 15))
    contract = _as_date(contract_signed_on) if contract_signed_on is not None else None
    if comprehensive is None:
        comprehensive = rng.random() < 0.3
    if registers_tech_contracts is None:
        registers_tech_contracts = rng.random() < 0.2
    if plan_share is None:
        plan_share = rng.uniform(0.15, 0.4)

    gen = _Generator(rng, programme, applied_on, contract, outside_share, duplicate_share,
                     fail_share, rejected_share, verified_share)
    weights = dict(CLAUSE_WEIGHTS)
    if not comprehensive:
        weights["K5.1"] = 0.5  # declared anyway now and then: not_applicable
    if not registers_tech_contracts:
        weights["K5.2"] = 0.5
    for members in CHOICE_GROUPS.values():  # an organization works on two of a group's three items …
        third = rng.choice(members)
        weights[third] = weights[third] * 0.15 if rng.random() < 0.25 else 0  # … and sometimes on the third
    clause_ids = list(weights)
    n_copies = sum(1 for _ in range(n_records) if rng.random() < duplicate_share / 2)
    n_copies = min(n_copies, n_records // 10)
    drawn = rng.choices(clause_ids, [weights[c] for c in clause_ids], k=n_records - n_copies)

    records = [gen.record(cid, "plan" if rng.random() < plan_share else "prior") for cid in drawn]
    sources = [r for r in records if r["clause"] in SAME_WORK_SOURCES]
    for _ in range(n_copies):
        copy = gen.same_work_copy(rng.choice(sources)) if sources else gen.record("P7", "prior")
        records.insert(rng.randint(0, len(records)), copy)
    width = max(4, len(str(len(records))))
    for i, rec in enumerate(records, start=1):
        rec["id"] = f"r{i:0{width}d}"

    choices: dict[str, list[str]] = {}
    touched = {r["clause"] for r in records}
    for group, members in CHOICE_GROUPS.items():
        used = [c for c in members if c in touched]
        if len(used) == 3 and rng.random() >= gate_violation_share:
            ranked = sorted(members, key=lambda c: -sum(1 for r in records if r["clause"] == c))
            choices[group] = sorted(ranked[:2], key=members.index)
        elif len(used) == 2 and rng.random() < 0.5:
            choices[group] = used

    topic = rng.choice(TOPICS)
    doc: dict[str, Any] = {
        "format": FORMAT,
        "programme": programme.code,
        "applied_on": applied_on.isoformat(),
        "contract_signed_on": contract.isoformat() if contract else None,
        "organization": {
            "name": rng.choice(ORG_FORMS).format(t=topic),
            "credit_code": gen.credit_code("51" + rng.choice(list(DISTRICTS.values()))),
            "comprehensive": comprehensive,
            "registers_tech_contracts": registers_tech_contracts,
        },
        "records": records,
    }
    if choices:
        doc["choices"] = choices
    return doc


def make_applications(seed: int | str, count: int, n_records: int = 300, **options: Any) -> Iterator[dict[str, Any]]:
    """``count`` documents; document ``i`` depends only on ``seed`` and ``i`` (stable under slicing)."""
    for i in range(count):
        yield make_application(random.Random(f"{seed}/{i}"), n_records, **options)


def make_record(rng: random.Random, clause: str, *, applied_on: dt.date | str = "2025-09-20",
                contract_signed_on: dt.date | str | None = None, phase: str = "prior",
                record_id: str = "x1", qualifying: bool | None = True,
                programme: Programme | None = None) -> dict[str, Any]:
    """One record on ``clause`` for an application with these dates.

    ``qualifying=True``: inside its windows, meets the clause's record rules, with fresh
    evidence, title and enterprise (so it is neither an X-ONCE copy nor a repeat). ``False``:
    breaks a record rule where the clause has one. ``None``: the realistic mix of
    :func:`make_application` (no review verdict either way).
    """
    programme = _programme(programme)
    contract = _as_date(contract_signed_on) if contract_signed_on is not None else None
    gen = _Generator(rng, programme, _as_date(applied_on), contract, 0.0, 0.0, 0.1, 0.0, 0.0)
    rec = gen.record(clause, phase, qualifying)
    rec["id"] = record_id
    if qualifying is not None:
        rec["title"] += f"（{record_id}）"  # never the same title as another record
    return rec
