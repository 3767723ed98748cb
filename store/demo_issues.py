"""Demo issues, the same every time: the community's 2018–2020 survey and the reports since.

`plan_demo_issues(layers, today)` draws plain records from the base layers:
the survey's 98 issues (3 of them typical cases reported upward), all settled
within two years, then 4–10 reports a month from 2020-07 up to the day before
`today`, the recent ones still open. `store_demo_issues` writes them through
store.intake and store.issues with their historical times, each once.

Everything here is invented to fit what is known of the place (the survey's
figures and themes, 黄家路55弄's missing streetlights, 面筋弄's pocket park,
集贤村's repair); people appear by role only. Complaints of some kinds kept
coming from the same spots (TROUBLE_SPOTS): rubbish in 面筋弄, known as 垃圾弄
until its 2019 renewal; the dark lanes of 黄家路55弄 until the 2020 lamps; cars
at the mouth of 乔家路28弄; clutter in the stairwells of 乔家路113弄's old
terraces. So the hot spot map finds them, and finds the first two gone after
the works that dealt with them.
"""
from __future__ import annotations

import calendar
import random
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

import geopandas as gpd
from shapely.geometry import Point
from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.crs import METRIC_CRS, to_metric
from geo.locate import Locator
from store.intake import submit_issue
from store.issues import update_issue
from store.models import Issue
from store.timestamps import LOCAL_TZ, local_day_start
from store.vocabulary import DONE_STATUSES, OPEN_STATUSES, Priority, RejectionReason, Source, Status

DEMO_NAMESPACE = uuid.UUID("6f1d2c3e-5b7a-4e0c-9a51-2f8d0c4b7e19")
DEMO_SEED = 2018

SURVEY = "survey"
NEWER = "newer"
SURVEY_FIRST_DAY = date(2018, 3, 1)
SURVEY_LAST_DAY = date(2020, 6, 30)
NEWER_FIRST_DAY = date(2020, 7, 1)
SETTLED_WITHIN = timedelta(days=730)
# Shanghai's household waste rules took effect on 2019-07-01; the survey's sorting complaints come from that year on.
GARBAGE_SORTING_FROM = date(2019, 1, 1)
# The works that ended two troubles (store/demo_projects.py): 面筋弄's renewal and pocket park were completed on
# 2019-09-20; 黄家路55弄's streetlights were all in and lit on 2020-05-28.
MIANJIN_RENEWED = date(2019, 9, 20)
HJL55_LIT = date(2020, 5, 28)

# The survey's themes: environment and sanitation, property management, old-housing renovation,
# party building (here `other`) and welfare, plus the self-governance projects' subjects.
SURVEY_CATEGORIES = {
    "sanitation": 17,
    "old-housing": 12,
    "property": 11,
    "garbage-sorting": 10,
    "clutter": 10,
    "parking": 9,
    "lighting": 6,
    "welfare": 6,
    "illegal-structures": 4,
    "greenery": 4,
    "safety": 3,
    "other": 3,
}  # 95, and the 3 typical cases (lighting, illegal-structures, old-housing) make 98
NEWER_CATEGORY_WEIGHTS = {
    "sanitation": 16,
    "old-housing": 12,
    "clutter": 11,
    "parking": 10,
    "property": 10,
    "lighting": 8,
    "safety": 7,
    "welfare": 7,
    "garbage-sorting": 6,
    "greenery": 5,
    "other": 5,
    "illegal-structures": 3,
}
SUMMER = (6, 7, 8, 9)
WINTER = (11, 12, 1, 2)
SEASONAL_FACTORS = {
    "sanitation": {month: 2.0 for month in SUMMER},  # smells, flies, blocked drains in the plum rains
    "greenery": {month: 1.6 for month in SUMMER},  # overgrown trees, typhoon branches
    "lighting": {month: 2.5 for month in WINTER},  # dark by five
}
# Reports a month (before a random -2…+2): fewer around the Spring Festival, most in summer.
MONTHLY_REPORTS = {1: 7, 2: 5, 3: 7, 4: 7, 5: 7, 6: 8, 7: 8, 8: 8, 9: 8, 10: 7, 11: 7, 12: 7}

SURVEY_SOURCES = {
    Source.VISIT: 45,  # 2,700 households visited
    Source.QUESTIONNAIRE: 18,  # 360 questionnaires
    Source.FORUM: 15,  # 21 forums
    Source.ONSITE_MEETING: 8,
    Source.PATROL: 9,
    Source.HOTLINE_12345: 5,
}
NEWER_SOURCES = {
    Source.PATROL: 30,
    Source.VISIT: 25,
    Source.HOTLINE_12345: 25,
    Source.ONSITE_MEETING: 10,
    Source.FORUM: 6,
    Source.QUESTIONNAIRE: 4,
}
SOURCE_LEADS = {
    Source.VISIT: "走访时{reporter}反映：",
    Source.QUESTIONNAIRE: "问卷反馈：",
    Source.FORUM: "座谈会上居民提出：",
    Source.ONSITE_MEETING: "现场三会上居民提出：",
    Source.HOTLINE_12345: "12345热线转办：",
    Source.PATROL: "社工巡查发现：",
}

WORKERS = ("居委会社工小王", "居委会社工小李", "居委会社工小陈", "居委会社工小张")
LEADER = "居委会书记"
CLOSING_COMMENTS = ("回访居民，表示满意，结案", "现场三会评议通过，结案", "居民评价满意，结案")
REJECTIONS = {
    RejectionReason.DUPLICATE: "与同一地点已登记的问题重复，合并处理",
    RejectionReason.NOT_OURS: "不属于居民区管理范围，已告知居民向主管部门反映",
}

OLD = frozenset({"旧里", "历史保护"})
FLATS = frozenset({"售后公房", "商品房", "商住楼"})
MANAGED = frozenset({"商品房", "商住楼"})
ANY = OLD | FLATS


@dataclass(frozen=True)
class Template:
    """One kind of report: where it happens (in a building or on a lane), for which compound kinds, its words.

    `{place}` is the address or lane name, `{compound}` the compound's name.
    """

    category: str
    where: str  # "building" or "lane"
    kinds: frozenset[str]
    title: str
    description: str
    months: frozenset[int] = frozenset(range(1, 13))


@dataclass(frozen=True, eq=False)
class TroubleSpot:
    """A stretch of lane and the buildings by it where complaints of some categories kept coming, until works
    ended it.

    The spot is the compound's lanes and buildings within `radius_m` of where `lane` leaves the street (all of
    `lane` and the buildings on it, without a radius). Of the reports in `categories` made before `until` (None:
    still going) whose template fits the compound's kind, `shares[category]` come from the spot. After `until`
    the compound draws such reports `after` times as often as its households would (0: none at all).
    """

    shares: Mapping[str, float]
    compound: str
    lane: str
    radius_m: float | None = None
    until: date | None = None
    after: float = 1.0

    def share(self, category: str, day: date) -> float:
        return self.shares.get(category, 0.0) if self.until is None or day < self.until else 0.0

    def damped(self, category: str, day: date) -> bool:
        return category in self.shares and self.until is not None and day >= self.until


TROUBLE_SPOTS = (
    # "垃圾弄": rubbish bags, illegal kiosks and sheds until the renewal cleared them; little rubbish talk since
    TroubleSpot({"sanitation": 0.7, "garbage-sorting": 0.7, "illegal-structures": 0.7}, "mianjin", "面筋弄",
                radius_m=35.0, until=MIANJIN_RENEWED, after=0.3),
    # no streetlight in 55弄 until the 实事工程 lit it; no lighting complaint from there since
    TroubleSpot({"lighting": 0.9}, "hjl55", "黄家路55弄", until=HJL55_LIT, after=0.0),
    # the old terraces at the head of 乔家路28弄: cars and e-bikes across the lane mouth, junk in the stairwells,
    # e-bikes charged on wires from the windows
    TroubleSpot({"parking": 0.7, "clutter": 0.5, "safety": 0.3}, "qiaojia_n", "乔家路28弄", radius_m=35.0),
)


def _templates(category: str, *rows: tuple) -> list[Template]:
    return [Template(category, *row) for row in rows]


def _template(rng: random.Random, category: str, month: int) -> Template:
    return rng.choice([t for t in TEMPLATES if t.category == category and month in t.months])


TEMPLATES = [
    *_templates(
        "sanitation",
        ("lane", ANY, "{place}弄堂口垃圾乱堆", "弄堂口常有人随手丢放垃圾袋和装修垃圾，气味大，也影响通行。"),
        ("building", OLD, "{place}化粪池满溢", "屋后化粪池满溢，污水流进弄堂，居民进出只能绕着走。"),
        ("lane", ANY, "{place}下水道堵塞积水", "下雨后弄内积水，窨井周围返水，排水不畅。"),
        ("lane", ANY, "{place}老鼠出没", "弄堂里晚上老鼠很多，居民希望统一投放鼠药、封堵鼠洞。"),
        ("building", FLATS, "{place}楼道卫生差", "楼道长期没人打扫，扶手积灰，角落有异味。"),
        ("lane", OLD, "{place}倒粪站异味大", "弄内倒粪站冲洗不及时，天热时异味很重，周边住户不敢开窗。"),
        ("lane", ANY, "{place}蚊蝇孳生", "弄内积水的花盆、泡沫箱多，蚊蝇孳生，希望集中消杀。", frozenset(range(5, 11))),
    ),
    *_templates(
        "garbage-sorting",
        ("lane", ANY, "{place}垃圾箱房混投", "湿垃圾和干垃圾混在一起投放，志愿者值守时间以外没人管。"),
        ("lane", OLD, "{place}撤桶并点后投放点太远", "撤桶并点以后最近的投放点要走好几分钟，腿脚不便的老人倒垃圾困难。"),
        ("building", ANY, "{place}老人不会垃圾分类", "几位高龄老人分不清干垃圾和湿垃圾，希望有人上门讲解。"),
        ("lane", ANY, "{place}定时投放时间不合适", "上班族早出晚归，赶不上定时定点投放的时间段。"),
        ("lane", ANY, "{place}大件垃圾无人清运", "有人把旧沙发、旧床垫扔在弄内，几天没有清运。"),
    ),
    *_templates(
        "parking",
        ("lane", ANY, "{place}非机动车乱停放", "电动车、自行车沿弄堂乱停，行人只能侧身通过，消防通道被堵。"),
        ("lane", ANY, "{place}弄口机动车违停", "弄口常被外来车辆占用，救护车、消防车进不来。"),
        ("building", FLATS, "{compound}停车位不足", "小区车位少，晚上车停到消防通道上，居民为车位常起争执。"),
        ("lane", ANY, "{place}缺少非机动车充电桩", "居民电动车没有地方充电，只好拉线或推上楼充。"),
    ),
    *_templates(
        "clutter",
        ("building", ANY, "{place}楼道堆物影响通行", "楼道里堆着旧家具、纸箱和杂物，老人上下楼不方便，也有火灾隐患。"),
        ("lane", ANY, "{place}公共通道堆放杂物", "弄内公共通道被花盆、旧家具和废品占去大半。"),
        ("building", OLD, "{place}天井堆满废品", "有住户在公共天井里囤积废品，既占地方又有火灾隐患，邻居意见大。"),
        ("lane", ANY, "{place}废品回收占道", "收废品的三轮车长时间停在弄内，废纸板堆在路边。"),
    ),
    *_templates(
        "illegal-structures",
        ("building", OLD, "{place}屋顶违章搭建", "住户在屋顶平台搭建阁楼，邻居担心安全和采光。"),
        ("lane", OLD, "{place}违章搭建占用通道", "弄内有人用彩钢板搭棚，占用了公共通道。"),
        ("lane", ANY, "{place}搭棚设摊占道经营", "弄口有人搭棚设摊卖杂货，占道经营。"),
        ("building", FLATS, "{place}阳台违规外扩", "有住户把阳台向外扩建，居民担心结构安全。"),
    ),
    *_templates(
        "lighting",
        ("lane", ANY, "{place}路灯不亮", "弄内路灯坏了好几天，晚上一片漆黑，老人出门不安全。"),
        ("lane", ANY, "{place}拐角照明不足", "弄堂拐角处没有路灯，夜里看不清台阶和积水。"),
        ("building", ANY, "{place}楼道灯损坏", "楼道声控灯坏了，晚上上下楼要打手电。"),
        ("lane", ANY, "{place}路灯闪烁", "弄内一盏路灯时亮时灭，居民担心线路漏电。"),
    ),
    *_templates(
        "property",
        ("building", MANAGED, "{place}电梯经常故障", "电梯这个月停了两次，楼上老人出门困难，希望物业尽快检修。"),
        ("building", FLATS, "{place}单元门禁损坏", "单元门禁坏了一直关不上，外来人员随意进出。"),
        ("building", FLATS, "{place}二次供水水质发黄", "早上放水时水发黄，居民担心水箱多年没有清洗。"),
        ("building", MANAGED, "{compound}物业费收支不公开", "业主希望物业公开物业费和停车费的收支账目。"),
        ("building", OLD | {"售后公房"}, "{place}公用水管漏水", "公用水龙头下面的水管漏水，墙角长期潮湿。"),
        ("building", ANY, "{place}报修后无人上门", "报修一周了没人来修，居民不清楚该找物业还是房管所。"),
    ),
    *_templates(
        "old-housing",
        ("building", OLD | {"售后公房"}, "{place}外墙渗水", "下雨时外墙渗水，室内墙面发霉脱落。"),
        ("building", OLD | {"售后公房"}, "{place}屋面漏雨", "屋面瓦片破损，下雨时阁楼漏雨，要用脸盆接水。"),
        ("building", OLD, "{place}木楼梯腐朽", "公用木楼梯有几级踏板腐朽松动，老人上下楼很危险。"),
        ("building", OLD, "{place}厨卫设施老旧", "几户合用一个灶间，没有独立卫生间，居民希望纳入改造。"),
        ("building", ANY, "{place}墙体开裂", "墙上出现裂缝，居民担心房屋安全，希望做一次检测。"),
        ("building", OLD, "{place}白蚁危害", "木梁和门框发现白蚁，希望尽快灭治。"),
    ),
    *_templates(
        "greenery",
        ("lane", ANY, "{place}树枝遮挡窗户", "弄内大树枝叶伸到窗前，挡光，台风天还怕折断。"),
        ("lane", ANY, "{place}花坛缺少养护", "花坛里杂草丛生，有人在里面种菜、堆杂物。"),
        ("building", ANY, "{place}居民希望增加绿化", "楼前空地光秃秃的，居民愿意出力认养花草。"),
    ),
    *_templates(
        "safety",
        ("building", ANY, "{place}电动自行车飞线充电", "有住户从窗口拉电线给电动车充电，存在火灾隐患。"),
        ("lane", ANY, "{place}消防通道被占", "消防通道被车辆和杂物堵住，消防车进不来。"),
        ("building", OLD, "{place}电线老化", "老房子电线裸露老化，夏天用电高峰经常跳闸。"),
        ("lane", ANY, "{place}夜间有陌生人逗留", "晚上弄口常有陌生人逗留，独居老人感到不安。"),
    ),
    *_templates(
        "welfare",
        ("building", ANY, "{place}独居老人需要助餐", "独居老人行动不便，做饭困难，希望社区助餐点能送餐上门。"),
        ("building", ANY, "{place}高龄老人需要居家照护", "九十多岁的老人由同样年迈的子女照顾，希望申请长护险居家照护。"),
        ("building", ANY, "{place}困难家庭申请帮扶", "家中有重病患者，收入低，希望了解救助政策。"),
        ("building", ANY, "{place}独居老人希望安装紧急呼叫", "独居老人担心在家跌倒没人知道，希望安装一键呼叫装置。"),
        ("building", FLATS - {"商住楼"}, "{place}高层老人上下楼困难", "住在五六楼的老人腿脚不便，很少下楼，希望加装电梯或有人帮扶。"),
    ),
    *_templates(
        "other",
        ("building", ANY, "{compound}党员希望就近参加组织生活", "退休党员年纪大了，希望在家门口过组织生活、参加志愿服务。"),
        ("lane", ANY, "{compound}居民希望增加活动场地", "居民想有个地方下棋、聊天，现在只能在弄口站着。"),
        ("building", ANY, "{compound}希望成立楼组自治小组", "几位热心居民愿意牵头，希望居委会支持成立楼组自治小组。"),
        ("lane", ANY, "{place}邻里纠纷需要调解", "两户人家因为公共部位使用起了争执，希望居委会出面调解。"),
    ),
]


@dataclass(frozen=True)
class Handling:
    """How a category's issues are usually handled: who by, what is said on the way, how long it takes."""

    assignees: tuple[str, ...]
    progress: tuple[str, ...]
    resolved: tuple[str, ...]
    median_days: float  # from report to resolution, for reports since the survey


HANDLING = {
    "sanitation": Handling(("绿化市容所", "房管所维修站", "物业公司"),
                           ("已派人到现场清理", "已联系房管所疏通清掏"),
                           ("现场已清理干净，纳入定期保洁", "已疏通清掏，复查正常"), 40),
    "garbage-sorting": Handling(("垃圾分类志愿者队", "绿化市容所"),
                                ("志愿者上门宣传，并在箱房值守", "与绿化市容所商量调整投放点和时间"),
                                ("投放点和值守时间已调整，居民认可", "上门讲解后分类投放明显改善"), 45),
    "parking": Handling(("自治停车管理小组", "街道城管中队"),
                        ("在现场三会上商量停放规则", "已划定非机动车停放区"),
                        ("车辆已归位，停放秩序恢复", "划线停放、定期巡查，通道保持畅通"), 80),
    "clutter": Handling(("楼组长", "街道城管中队", "志愿者服务队"),
                        ("已上门劝说住户自行清理", "约定周末集中清理"),
                        ("堆物已清理，通道畅通", "集中清运完毕，楼组长负责日常巡看"), 55),
    "illegal-structures": Handling(("街道城管中队", "街道城建中心"),
                                   ("城管中队已上门告知，限期自行拆除", "已立案，排期拆除"),
                                   ("违建已拆除，恢复原状", "当事人已自行拆除，复查确认"), 120),
    "lighting": Handling(("路灯养护单位", "房管所维修站"),
                         ("已报修，等待更换灯具", "维修人员已到现场查看线路"),
                         ("已更换灯具，恢复照明", "线路已修复，灯已亮"), 40),
    "property": Handling(("物业公司", "房管所"),
                         ("已督促物业派人维修", "已转房管所排期维修"),
                         ("维修完成，居民确认", "问题已处理，物业已书面答复"), 70),
    "old-housing": Handling(("房管所维修站", "街道城建中心"),
                            ("房管所已现场查勘，列入维修计划", "施工队已进场维修"),
                            ("维修完成，雨天复查无渗漏", "已修缮完毕，居民验收"), 120),
    "greenery": Handling(("绿化市容所",),
                         ("已安排园林工人修剪", "已纳入绿化养护计划"),
                         ("树枝已修剪", "花坛已整理补种"), 60),
    "safety": Handling(("社区民警", "房管所维修站", "平安志愿者队"),
                       ("已上门告知安全隐患", "民警已加强夜间巡逻"),
                       ("隐患已消除", "已整改，复查合格"), 40),
    "welfare": Handling(("为老服务中心", "社区事务受理中心"),
                        ("社工已上门评估", "已协助提交申请材料"),
                        ("服务已落实，社工定期回访", "申请已通过，帮扶已落实"), 50),
    "other": Handling(("居委会书记", "社区党群服务站"),
                      ("已在座谈会上讨论，拟定方案", "已与相关居民沟通"),
                      ("已落实，居民满意", "方案已实施"), 80),
}
SURVEY_MEDIAN_DAYS = 90  # the survey's items were bigger: renovations, projects


@dataclass(frozen=True)
class PlannedEvent:
    """A change to make with store.issues.update_issue, at its historical time (aware UTC)."""

    at: datetime
    actor: str
    changes: Mapping[str, Any] = field(default_factory=dict)
    comment: str | None = None


@dataclass(frozen=True)
class PlannedIssue:
    public_id: str
    group: str  # SURVEY or NEWER
    category: str
    title: str
    description: str
    lon: float
    lat: float
    compound_id: str
    address: str
    source: str
    priority: str
    reported_at: datetime  # aware UTC
    reporter: str
    entered_by: str
    is_typical_case: bool
    events: tuple[PlannedEvent, ...]

    def payload(self) -> dict[str, Any]:
        """The report as store.intake.submit_issue takes it."""
        return {
            "public_id": self.public_id,
            "category": self.category,
            "title": self.title,
            "description": self.description,
            "lon": self.lon,
            "lat": self.lat,
            "address": self.address,
            "source": self.source,
            "priority": self.priority,
            "reported_at": self.reported_at,
            "reporter": self.reporter,
            "is_typical_case": self.is_typical_case,
        }

    @property
    def status(self) -> str:
        statuses = [e.changes["status"] for e in self.events if "status" in e.changes]
        return statuses[-1] if statuses else Status.REPORTED.value

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def resolved_at(self) -> datetime | None:
        if self.status not in DONE_STATUSES:
            return None
        return next(e.at for e in self.events if e.changes.get("status") in DONE_STATUSES)


@dataclass(frozen=True)
class DemoSummary:
    survey: int
    typical_cases: int
    newer: int
    open: int

    @property
    def total(self) -> int:
        return self.survey + self.newer


def summarise(plan: Sequence[PlannedIssue]) -> DemoSummary:
    return DemoSummary(
        survey=sum(p.group == SURVEY for p in plan),
        typical_cases=sum(p.is_typical_case for p in plan),
        newer=sum(p.group == NEWER for p in plan),
        open=sum(p.is_open for p in plan),
    )


def demo_public_id(name: str) -> str:
    return str(uuid.uuid5(DEMO_NAMESPACE, name))


def plan_demo_issues(
    layers: Mapping[str, gpd.GeoDataFrame], today: date, seed: int = DEMO_SEED
) -> list[PlannedIssue]:
    """The demo issues as they stand at the start of `today` (Shanghai), oldest first.

    `layers` are the base layers in EPSG:4326 (compounds, buildings, lanes, facilities).
    Nothing is dated on or after `today`; each month's reports are drawn from their own
    seed, so a later `today` keeps every earlier issue and its id.
    """
    if today <= SURVEY_LAST_DAY:
        raise ValueError(f"today must be after the survey ({SURVEY_LAST_DAY}), not {today}")
    places = _Places(layers)
    cutoff = local_day_start(today)
    typical = _typical_cases(places, random.Random(f"{seed}/typical"))
    lives = [*typical, *_survey(places, random.Random(f"{seed}/survey"), first_number=len(typical))]
    for year, month in _months(NEWER_FIRST_DAY, today):
        lives += _newer(places, random.Random(f"{seed}/newer/{year}-{month:02d}"), year, month)
    plan = [_as_of(issue, cutoff) for issue in lives if issue.reported_at < cutoff]
    return sorted(plan, key=lambda p: (p.reported_at, p.public_id))


def store_demo_issues(session: Session, plan: Sequence[PlannedIssue], locator: Locator) -> int:
    """Write the planned issues not yet stored, with their histories; how many were written.

    Runs inside the caller's transaction. Ids already in the database are left alone.
    """
    stored = set()
    ids = [p.public_id for p in plan]
    for start in range(0, len(ids), 500):
        stored |= set(session.scalars(select(Issue.public_id).where(Issue.public_id.in_(ids[start:start + 500]))))
    written = 0
    for planned in plan:
        if planned.public_id in stored:
            continue
        _, created = submit_issue(session, planned.payload(), locator, planned.entered_by, at=planned.reported_at)
        if not created:
            continue
        for event in planned.events:
            update_issue(session, planned.public_id, event.changes, event.actor, event.comment, at=event.at)
        written += 1
    session.flush()
    return written


# --- places -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Place:
    compound_id: str
    compound_name: str
    address: str  # a building's address or a lane's name
    lon: float
    lat: float

    def fill(self, text: str) -> str:
        return text.format(place=self.address, compound=self.compound_name)


class _Places:
    """Points in buildings and on lanes of each compound, drawn with the caller's Random."""

    def __init__(self, layers: Mapping[str, gpd.GeoDataFrame]):
        compounds = layers["compounds"].sort_values("id")
        buildings = layers["buildings"].sort_values("id")
        lanes = layers["lanes"].sort_values("id")
        lane_lengths = to_metric(lanes).length
        self.facilities = layers["facilities"].set_index("id")
        self.outline = dict(zip(compounds["id"], compounds.geometry))
        self.name = dict(zip(compounds["id"], compounds["name"]))
        self.kind = dict(zip(compounds["id"], compounds["kind"]))
        self.buildings = {c: buildings[(buildings["compound"] == c) & (buildings["households"] > 0)] for c in self.outline}
        self.households = {c: int(self.buildings[c]["households"].sum()) for c in self.outline}
        self.lanes = {c: (lanes[lanes["compound"] == c], lane_lengths[lanes["compound"] == c]) for c in self.outline}
        self.spots: dict[TroubleSpot, tuple[gpd.GeoDataFrame, list[float]]] = {}
        self.spot_buildings: dict[TroubleSpot, gpd.GeoDataFrame] = {}
        for spot in TROUBLE_SPOTS:
            self._spot(spot)

    def compound(self, rng: random.Random, kinds: frozenset[str] = ANY, factors: Mapping[str, float] = {}) -> str:
        """A compound with a kind in `kinds`, the more households the likelier (times its factor, if given)."""
        ids = [c for c in self.outline if self.kind[c] in kinds and factors.get(c, 1.0) > 0]
        return rng.choices(ids, weights=[self.households[c] * factors.get(c, 1.0) for c in ids])[0]

    def for_report(self, rng: random.Random, category: str, template: Template, day: date) -> _Place:
        """Where a report of `category` made on `day` comes from: a trouble spot of its time, or anywhere."""
        draw = rng.random()
        for spot in TROUBLE_SPOTS:
            share = spot.share(category, day) if self.kind[spot.compound] in template.kinds else 0.0
            if draw < share:
                return self.on_spot(rng, spot, template.where)
            draw -= share
        factors = {spot.compound: spot.after for spot in TROUBLE_SPOTS if spot.damped(category, day)}
        return self.at(rng, self.compound(rng, template.kinds, factors), template.where)

    def on_spot(self, rng: random.Random, spot: TroubleSpot, where: str) -> _Place:
        lanes, lengths = self.spots[spot]
        if where == "building":
            buildings = self.spot_buildings[spot]
            building = buildings.iloc[rng.choices(range(len(buildings)), weights=[float(h) for h in buildings["households"]])[0]]
            return self._place(spot.compound, building["address"], self._inside(rng, building.geometry))
        for _ in range(50):
            n = rng.choices(range(len(lanes)), weights=lengths)[0]
            point = _rounded(*lanes.geometry.iloc[n].interpolate(rng.uniform(0.0, 1.0), normalized=True).coords[0])
            if self.outline[spot.compound].contains(point):
                return self._place(spot.compound, lanes["name"].iloc[n], point)
        raise ValueError(f"no point on {spot.lane} inside {spot.compound}")

    def _spot(self, spot: TroubleSpot) -> None:
        """The spot's stretches of lane (EPSG:4326, with their lengths in metres) and buildings."""
        lanes, _ = self.lanes[spot.compound]
        buildings = self.buildings[spot.compound]
        named = lanes[lanes["name"] == spot.lane]
        if spot.radius_m is None:
            self.spots[spot] = (named, [float(m) for m in to_metric(named).length])
            self.spot_buildings[spot] = buildings[buildings["address"].str.startswith(spot.lane)]
            return
        mouth = to_metric(named).geometry.iloc[0].coords[0]
        disc = gpd.GeoSeries([Point(mouth).buffer(spot.radius_m)], crs=METRIC_CRS)
        metric = to_metric(lanes)
        clipped = metric.geometry.intersection(disc.iloc[0])
        keep = (clipped.length > 1.0).to_numpy()
        stretches = gpd.GeoDataFrame({"name": lanes["name"].to_numpy()[keep]}, geometry=clipped[keep].to_numpy(),
                                     crs=METRIC_CRS)
        self.spots[spot] = (stretches.to_crs(lanes.crs), [float(m) for m in stretches.length])
        near = to_metric(buildings).geometry.centroid.within(disc.iloc[0]).to_numpy()
        self.spot_buildings[spot] = buildings[near]

    @staticmethod
    def _inside(rng: random.Random, footprint) -> Point:
        west, south, east, north = footprint.bounds
        while True:
            point = _rounded(rng.uniform(west, east), rng.uniform(south, north))
            if footprint.contains(point):
                return point

    def at(self, rng: random.Random, compound_id: str, where: str) -> _Place:
        return self.on_lane(rng, compound_id) if where == "lane" else self.in_building(rng, compound_id)

    def in_building(self, rng: random.Random, compound_id: str, protected: bool = False) -> _Place:
        buildings = self.buildings[compound_id]
        if protected:
            buildings = buildings[buildings["protected"].astype(bool)]
        building = buildings.iloc[rng.choices(range(len(buildings)), weights=[float(h) for h in buildings["households"]])[0]]
        footprint = building.geometry
        west, south, east, north = footprint.bounds
        while True:
            point = _rounded(rng.uniform(west, east), rng.uniform(south, north))
            if footprint.contains(point):
                return self._place(compound_id, building["address"], point)

    def on_lane(self, rng: random.Random, compound_id: str) -> _Place:
        lanes, lengths = self.lanes[compound_id]
        for _ in range(50):
            lane = lanes.iloc[rng.choices(range(len(lanes)), weights=[float(m) for m in lengths])[0]]
            point = _rounded(*lane.geometry.interpolate(rng.uniform(0.1, 0.95), normalized=True).coords[0])
            if self.outline[compound_id].contains(point):  # not where the lane leaves the street
                return self._place(compound_id, lane["name"], point)
        return self.in_building(rng, compound_id)

    def facility(self, facility_id: str, compound_id: str) -> _Place:
        point = self.facilities.loc[facility_id].geometry
        return self._place(compound_id, self.facilities.loc[facility_id, "address"], point)

    def _place(self, compound_id: str, address: str, point: Point) -> _Place:
        return _Place(compound_id, self.name[compound_id], str(address), point.x, point.y)


def _rounded(lon: float, lat: float) -> Point:
    return Point(round(lon, 7), round(lat, 7))  # about 1 cm, as the API writes coordinates


# --- times --------------------------------------------------------------------------------


def _local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), LOCAL_TZ).astimezone(timezone.utc)


def _office_time(rng: random.Random, day: date) -> datetime:
    return _local(day, 0) + timedelta(minutes=rng.randint(8 * 60 + 30, 17 * 60 + 30))


def _later(rng: random.Random, after: datetime, days: float) -> datetime:
    """An office-hours time about `days` after `after`, and always after it."""
    day = (after + timedelta(days=days)).astimezone(LOCAL_TZ).date()
    when = _office_time(rng, day)
    return when if when > after else after + timedelta(minutes=rng.randint(20, 180))


def _report_time(rng: random.Random, day: date, source: str) -> datetime:
    if source == Source.HOTLINE_12345:
        return _local(day, 0) + timedelta(minutes=rng.randint(7 * 60, 21 * 60))
    return _office_time(rng, day)


# --- the issues ---------------------------------------------------------------------------


def _as_of(issue: PlannedIssue, cutoff: datetime) -> PlannedIssue:
    """The issue as far as its history had got by `cutoff`."""
    kept = []
    for event in issue.events:
        if event.at >= cutoff:
            break
        kept.append(event)
    return issue if len(kept) == len(issue.events) else replace(issue, events=tuple(kept))


def _reporter(source: str, place: _Place, worker: str) -> str:
    return {
        Source.VISIT: f"{place.address}居民",
        Source.QUESTIONNAIRE: "问卷（匿名）",
        Source.FORUM: "座谈会居民代表",
        Source.ONSITE_MEETING: "现场三会",
        Source.HOTLINE_12345: "12345热线",
        Source.PATROL: worker,
    }[source]


def _priority(rng: random.Random, category: str) -> str:
    if category in ("safety", "welfare"):
        weights = {Priority.LOW: 0, Priority.NORMAL: 55, Priority.HIGH: 38, Priority.URGENT: 7}
    elif category in ("greenery", "other"):
        weights = {Priority.LOW: 35, Priority.NORMAL: 60, Priority.HIGH: 5, Priority.URGENT: 0}
    else:
        weights = {Priority.LOW: 8, Priority.NORMAL: 74, Priority.HIGH: 15, Priority.URGENT: 3}
    return _pick(rng, weights).value


def _pick(rng: random.Random, weights: Mapping[Any, float]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _report(
    rng: random.Random, name: str, group: str, category: str, place: _Place, template: Template,
    source: str, day: date,
) -> PlannedIssue:
    worker = rng.choice(WORKERS)
    reporter = _reporter(source, place, worker)
    lead = SOURCE_LEADS[Source(source)].format(reporter=reporter)
    return PlannedIssue(
        public_id=demo_public_id(name),
        group=group,
        category=category,
        title=place.fill(template.title),
        description=lead + place.fill(template.description),
        lon=place.lon,
        lat=place.lat,
        compound_id=place.compound_id,
        address=place.address,
        source=source,
        priority=_priority(rng, category),
        reported_at=_report_time(rng, day, source),
        reporter=reporter,
        entered_by=worker,
        is_typical_case=False,
        events=(),
    )


def _history(
    rng: random.Random, issue: PlannedIssue, life_days: float, *, rejection: RejectionReason | None = None
) -> tuple[PlannedEvent, ...]:
    """Acknowledged, in progress, resolved (and often closed) over `life_days`; or rejected early."""
    handling = HANDLING[issue.category]
    worker = issue.entered_by
    quick = issue.source == Source.HOTLINE_12345  # the hotline counts the days to a first answer
    slow = not quick and rng.random() < 0.2  # the worker was away, or the report came in on a Friday night
    acknowledged = _later(rng, issue.reported_at, rng.uniform(3, 14) if slow else rng.uniform(0, 1 if quick else 3))
    if rejection is not None:
        return (
            PlannedEvent(acknowledged, worker, {"status": Status.ACKNOWLEDGED.value}),
            PlannedEvent(_later(rng, acknowledged, rng.uniform(1, 7)), LEADER,
                         {"status": Status.REJECTED.value, "rejection_reason": rejection.value}, REJECTIONS[rejection]),
        )

    assignee = rng.choice(handling.assignees) if rng.random() < 0.7 else None
    changes: dict[str, Any] = {"status": Status.ACKNOWLEDGED.value}
    if assignee:
        changes["assignee"] = assignee
        if rng.random() < 0.5:
            due = acknowledged.astimezone(LOCAL_TZ).date() + timedelta(days=rng.choice((7, 10, 14, 21, 30)))
            changes["due_date"] = due.isoformat()
    events = [PlannedEvent(acknowledged, worker, changes, f"已登记，转{assignee}处理" if assignee else "已登记，社工上门了解情况")]

    resolved = max(issue.reported_at + timedelta(days=life_days), acknowledged + timedelta(hours=2))
    started = _later(rng, acknowledged, (resolved - acknowledged).total_seconds() / 86400 * rng.uniform(0.2, 0.7))
    events.append(PlannedEvent(started, worker, {"status": Status.IN_PROGRESS.value}, rng.choice(handling.progress)))
    if rng.random() < 0.12:
        events.append(PlannedEvent(_later(rng, started, rng.uniform(1, 5)), worker, {}, "居民来电催办"))
    if rng.random() < 0.08 and issue.priority in (Priority.LOW, Priority.NORMAL):
        events.append(PlannedEvent(_later(rng, events[-1].at, rng.uniform(0, 3)), LEADER,
                                   {"priority": Priority.HIGH.value}, "居民多次反映，提高优先级"))
    done = _later(rng, max(events[-1].at, resolved - timedelta(days=1)), 1)
    events.append(PlannedEvent(done, worker, {"status": Status.RESOLVED.value}, rng.choice(handling.resolved)))
    if rng.random() < 0.5:
        events.append(PlannedEvent(_later(rng, done, rng.uniform(3, 30)), LEADER,
                                   {"status": Status.CLOSED.value}, rng.choice(CLOSING_COMMENTS)))
    return tuple(events)


def _survey(places: _Places, rng: random.Random, first_number: int) -> list[PlannedIssue]:
    """The survey's 95 ordinary issues, reported 2018-03 … 2020-06, two of them rejected."""
    categories = [c for c, n in SURVEY_CATEGORIES.items() for _ in range(n)]
    rng.shuffle(categories)
    rejected = dict(zip(rng.sample(range(len(categories)), 2), RejectionReason))
    months = _survey_months()
    issues = []
    for n, category in enumerate(categories):
        first, last = _month_days(*_pick(rng, months))
        if category == "garbage-sorting":
            first = max(first, GARBAGE_SORTING_FROM)
            last = max(last, first)
        day = first + timedelta(days=rng.randint(0, (last - first).days))
        template = _template(rng, category, day.month)
        place = places.for_report(rng, category, template, day)
        issue = _report(rng, f"{SURVEY}/{first_number + n}", SURVEY, category, place, template, _pick(rng, SURVEY_SOURCES), day)
        life = min(rng.lognormvariate(0, 0.8) * SURVEY_MEDIAN_DAYS, SETTLED_WITHIN.days - 45)
        issues.append(replace(issue, events=_history(rng, issue, life, rejection=rejected.get(n))))
    return issues


def _survey_months() -> dict[tuple[int, int], float]:
    """The survey was busiest in 2018 and quiet in the epidemic's first months."""
    return {
        (year, month): {2018: 1.2, 2019: 1.0, 2020: 0.6}[year] * (0.2 if (year, month) == (2020, 2) else 1.0)
        for year, month in _months(SURVEY_FIRST_DAY, SURVEY_LAST_DAY)
    }


def _months(first: date, last: date) -> list[tuple[int, int]]:
    """(year, month) from first's month to last's, both included."""
    return [(m // 12, m % 12 + 1) for m in range(first.year * 12 + first.month - 1, last.year * 12 + last.month)]


def _month_days(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _newer(places: _Places, rng: random.Random, year: int, month: int) -> list[PlannedIssue]:
    """One month's reports since the survey, each with its whole life ahead (cut later at today)."""
    weights = {c: w * SEASONAL_FACTORS.get(c, {}).get(month, 1.0) for c, w in NEWER_CATEGORY_WEIGHTS.items()}
    first, last = _month_days(year, month)
    issues = []
    for n in range(max(4, min(10, MONTHLY_REPORTS[month] + rng.randint(-2, 2)))):
        category = _pick(rng, weights)
        template = _template(rng, category, month)
        day = first + timedelta(days=rng.randint(0, (last - first).days))
        place = places.for_report(rng, category, template, day)
        name = f"{NEWER}/{year}-{month:02d}/{n}"
        issue = _report(rng, name, NEWER, category, place, template, _pick(rng, NEWER_SOURCES), day)
        rejection = rng.choice(list(RejectionReason)) if rng.random() < 0.03 else None
        life = rng.lognormvariate(0, 0.6) * HANDLING[category].median_days
        issues.append(replace(issue, events=_history(rng, issue, life, rejection=rejection)))
    return issues


def _typical_cases(places: _Places, rng: random.Random) -> list[PlannedIssue]:
    """The three cases the committee reported upward, as the district's account tells them."""
    lighting = places.on_lane(rng, "hjl55")
    pocket_park = places.facility("F02", "mianjin")
    jixian = places.in_building(rng, "jixian", protected=True)
    households = places.households["hjl55"]

    def case(n, category, place, title, description, source, reporter, reported, events):
        return PlannedIssue(
            public_id=demo_public_id(f"{SURVEY}/{n}"), group=SURVEY, category=category, title=title,
            description=description, lon=place.lon, lat=place.lat, compound_id=place.compound_id,
            address=place.address, source=source.value, priority=Priority.HIGH.value, reported_at=reported,
            reporter=reporter, entered_by=WORKERS[n], is_typical_case=True,
            events=tuple(PlannedEvent(at, actor, changes, comment) for at, actor, changes, comment in events),
        )

    status = lambda s: {"status": s.value}  # noqa: E731
    return [
        case(0, "lighting", lighting, "黄家路55弄无路灯，居民夜间出行不便",
             f"座谈会上居民提出：黄家路55弄是售后公房，6个门洞约{households}户，弄内一直没有路灯。"
             "天黑后老人出门只能摸黑，雨天更容易滑倒，希望尽快装灯。",
             Source.FORUM, "黄家路55弄楼组长", _local(date(2019, 4, 12), 10, 20), [
                 (_local(date(2019, 4, 15), 9, 30), LEADER,
                  {**status(Status.ACKNOWLEDGED), "assignee": "街道城建中心"}, "列为典型案例，上报街道"),
                 (_local(date(2019, 6, 20), 14, 0), WORKERS[0], status(Status.IN_PROGRESS),
                  "街道将黄家路55弄路灯纳入市政府实事工程，开始设计选点"),
                 (_local(date(2019, 11, 8), 15, 10), WORKERS[0], {}, "现场三会商定灯杆位置，避开住户窗口"),
                 (_local(date(2020, 5, 28), 19, 0), WORKERS[0], status(Status.RESOLVED),
                  f"实事工程在弄内装好路灯，当晚亮灯，约{households}户居民受益"),
                 (_local(date(2020, 6, 12), 10, 0), LEADER, status(Status.CLOSED), "现场三会评议：居民满意，结案"),
             ]),
        case(1, "illegal-structures", pocket_park, "面筋弄垃圾乱堆、违章搭建占道",
             "走访时居民反映：面筋弄里垃圾袋随处堆放，违章电话亭和棚屋占用弄堂，车辆乱停，环境脏乱，居民意见很大。",
             Source.VISIT, "面筋弄居民", _local(date(2018, 5, 9), 10, 45), [
                 (_local(date(2018, 5, 11), 9, 0), LEADER,
                  {**status(Status.ACKNOWLEDGED), "assignee": "街道城管中队"}, "列为典型案例，上报街道"),
                 (_local(date(2018, 7, 3), 9, 30), WORKERS[1], status(Status.IN_PROGRESS),
                  "城管中队拆除违章电话亭和棚屋，清运积存垃圾，清理弄内停车"),
                 (_local(date(2018, 10, 16), 14, 30), WORKERS[1], {}, "现场三会商定在拆违空地建口袋公园，确定围栏位置"),
                 (_local(date(2019, 9, 26), 16, 0), WORKERS[1], status(Status.RESOLVED),
                  "拆违空地建成口袋公园，搭起葡萄架，百米墙面绘出东门七百年历史，增设党群服务站"),
                 (_local(date(2019, 10, 15), 10, 0), LEADER, status(Status.CLOSED), "居民评议满意，结案"),
             ]),
        case(2, "old-housing", jixian, "集贤村历史建筑屋面漏雨、墙面破损",
             f"走访时{jixian.address}居民反映：集贤村（金坛路35弄）是历史保护建筑，屋面漏雨，外墙和木构件破损，"
             "居民希望修缮，又担心施工影响生活和老房风貌。",
             Source.VISIT, f"{jixian.address}居民", _local(date(2019, 3, 20), 15, 0), [
                 (_local(date(2019, 3, 25), 10, 0), LEADER,
                  {**status(Status.ACKNOWLEDGED), "assignee": "房管所"}, "列为典型案例，上报街道和区房管局"),
                 (_local(date(2019, 8, 12), 9, 0), WORKERS[2], status(Status.IN_PROGRESS),
                  "纳入历史建筑修缮工程，施工队进场"),
                 (_local(date(2020, 7, 6), 14, 0), WORKERS[2], {},
                  "修缮后相邻两户因公共天井和晾衣位置发生纠纷，居委会组织调解"),
                 (_local(date(2020, 9, 18), 16, 30), WORKERS[2], status(Status.RESOLVED),
                  "修缮完成，邻里纠纷经调解达成协议"),
                 (_local(date(2020, 10, 9), 10, 0), LEADER, status(Status.CLOSED),
                  "现场三会评议通过，结案；后续纳入日常养护"),
             ]),
    ]
