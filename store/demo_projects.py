"""Demo renovation projects, the same every time: the 2019–2020 works and two proposals for 2027.

`plan_demo_projects(layers, today)` draws plain records from the base layers
(which lanes, compounds and buildings each project covers); `store_demo_projects`
writes them through store.projects with their historical times, each once, and
links the three typical cases of the demo issues to the works that answered them.

The works are the ones the district's account names; their dates, budgets,
contractors and the steps on the way are invented (contractors are marked 演示)
to fit the demo issues' histories. People appear by role only.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timezone
from typing import Any

import geopandas as gpd
from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.picking import Site
from store.demo_issues import demo_public_id
from store.models import Issue, Project
from store.project_vocabulary import ProjectKind, ProjectStatus
from store.projects import create_project, link_issues, update_project, validate_new_project
from store.timestamps import LOCAL_TZ, local_day_start

STREET_OFFICE = "街道城建中心"
HOUSING_BUREAU = "区房管局"
LEADER = "居委会书记"
WORKER = "居委会社工小王"
DEMO_NOTE = "（演示数据）"


@dataclass(frozen=True)
class PlannedStep:
    """One step in a project's life, at its historical time (aware UTC): changes, a comment, or a link."""

    at: datetime
    actor: str
    changes: Mapping[str, Any] = field(default_factory=dict)
    comment: str | None = None
    link_typical_case: str | None = None  # the category of the demo's typical case to link


@dataclass(frozen=True)
class PlannedProject:
    public_id: str
    payload: Mapping[str, Any]  # as store.projects.validate_new_project takes it
    entered_at: datetime
    entered_by: str
    steps: tuple[PlannedStep, ...]

    @property
    def name(self) -> str:
        return self.payload["name"]

    @property
    def status(self) -> str:
        statuses = [s.changes["status"] for s in self.steps if "status" in s.changes]
        return statuses[-1] if statuses else self.payload.get("status", ProjectStatus.PROPOSED.value)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), LOCAL_TZ).astimezone(timezone.utc)


def _step(day: date, hour: int, actor: str, comment: str | None = None, **changes: Any) -> PlannedStep:
    return PlannedStep(_at(day, hour), actor, {k: _text(v) for k, v in changes.items()}, comment)


def _link(day: date, hour: int, actor: str, category: str, comment: str) -> PlannedStep:
    return PlannedStep(_at(day, hour), actor, comment=comment, link_typical_case=category)


def _text(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _project(slug: str, entered: datetime, by: str, steps: Sequence[PlannedStep], **payload: Any) -> PlannedProject:
    return PlannedProject(
        public_id=demo_public_id(f"project/{slug}"),
        payload={"public_id": demo_public_id(f"project/{slug}"), **{k: _text(v) for k, v in payload.items()}},
        entered_at=entered,
        entered_by=by,
        steps=tuple(steps),
    )


def _lane_ids(lanes: gpd.GeoDataFrame, chosen) -> list[str]:
    return sorted((str(i) for i in lanes.loc[chosen, "id"]), key=int)


def plan_demo_projects(layers: Mapping[str, gpd.GeoDataFrame], today: date) -> list[PlannedProject]:
    """The demo projects as they stand at the start of `today` (Shanghai), oldest entered first."""
    lanes, buildings = layers["lanes"], layers["buildings"]
    along_xundao = _lane_ids(lanes, lanes["name"].str.startswith("巡道街"))
    in_hjl55 = _lane_ids(lanes, lanes["compound"] == "hjl55")
    # The main lane (总弄) of each 乔家路 lane, where its garbage points stand.
    along_qiaojia = _lane_ids(lanes, lanes["name"].str.startswith("乔家路") & (lanes["width"] >= 3.0))
    nanhuayuan_seven_storeys = sorted(
        buildings.loc[(buildings["compound"] == "nanhuayuan") & (buildings["floors"] >= 7), "id"].astype(str)
    )
    approved, building, completed, accepted = (
        ProjectStatus.APPROVED.value, ProjectStatus.IN_CONSTRUCTION.value,
        ProjectStatus.COMPLETED.value, ProjectStatus.ACCEPTED.value,
    )

    projects = [
        _project(
            "mianjin-pocket-park", _at(date(2018, 10, 16), 15), LEADER,
            name="面筋弄微更新", kind=ProjectKind.POCKET_PARK.value, compounds=["mianjin"],
            planned_start=date(2019, 3, 1), planned_end=date(2019, 8, 31), budget="920000",
            description="在拆违腾出的空地上建口袋公园，搭葡萄架，百米墙面绘出东门七百年历史，"
                        "并在公园内设党群服务站。" + DEMO_NOTE,
            steps=[
                _link(date(2018, 10, 16), 15, WORKER, "illegal-structures", "现场三会商定在拆违空地建口袋公园"),
                _step(date(2018, 12, 18), 10, STREET_OFFICE, "街道立项", status=approved,
                      contractor="示例园林景观工程有限公司（演示）"),
                _step(date(2019, 3, 18), 9, STREET_OFFICE, "施工队进场", status=building,
                      actual_start=date(2019, 3, 18)),
                _step(date(2019, 6, 25), 14, LEADER, "现场三会确定口袋公园围栏位置"),
                _step(date(2019, 9, 20), 16, STREET_OFFICE, "口袋公园、葡萄架和百米墙绘完工，党群服务站启用",
                      status=completed, actual_end=date(2019, 9, 20)),
                _step(date(2019, 10, 15), 10, STREET_OFFICE, "街道组织验收，居民评议满意", status=accepted),
            ],
        ),
        _project(
            "xundao-lanes", _at(date(2019, 1, 15), 10), STREET_OFFICE,
            name="巡道街沿线中小马路弄堂综合改造", kind=ProjectKind.LANE_RENOVATION.value, lanes=along_xundao,
            planned_start=date(2019, 4, 1), planned_end=date(2020, 6, 30), budget="3860000",
            description="巡道街沿线弄堂的路面翻修、雨污水管道和架空线整治。" + DEMO_NOTE,
            steps=[
                _step(date(2019, 2, 26), 14, LEADER, "现场三会听取沿线居民意见，确定先排水、后路面的施工顺序"),
                _step(date(2019, 3, 20), 10, STREET_OFFICE, "街道立项批复", status=approved,
                      contractor="示例市政工程有限公司（演示）"),
                _step(date(2019, 4, 8), 9, STREET_OFFICE, "施工队进场，分段围挡施工", status=building,
                      actual_start=date(2019, 4, 8)),
                _step(date(2019, 11, 5), 15, STREET_OFFICE, "增加雨污分流和架空线入地，追加预算", budget="4120000"),
                _step(date(2020, 2, 3), 9, STREET_OFFICE, "疫情防控，暂停施工"),
                _step(date(2020, 3, 9), 9, STREET_OFFICE, "复工；受疫情影响，计划竣工推迟", planned_end=date(2020, 7, 31)),
                _step(date(2020, 7, 16), 16, STREET_OFFICE, "路面、排水和架空线整治完工", status=completed,
                      actual_end=date(2020, 7, 15)),
                _step(date(2020, 9, 10), 10, STREET_OFFICE, "街道组织竣工验收，居民代表参加", status=accepted),
            ],
        ),
        _project(
            "hjl55-beautiful-home", _at(date(2019, 3, 5), 10), STREET_OFFICE,
            name="黄家路55弄美丽家园", kind=ProjectKind.BEAUTIFUL_HOME.value, compounds=["hjl55"],
            planned_start=date(2019, 6, 1), planned_end=date(2020, 4, 30), budget="2450000",
            description="售后公房6个门洞的屋面、外墙、楼道和公共设施整修。" + DEMO_NOTE,
            steps=[
                _step(date(2019, 4, 22), 10, STREET_OFFICE, "美丽家园计划立项", status=approved,
                      contractor="示例建筑装饰工程有限公司（演示）"),
                _step(date(2019, 6, 10), 9, STREET_OFFICE, "屋面、外墙和楼道整修开工", status=building,
                      actual_start=date(2019, 6, 10)),
                _step(date(2020, 2, 3), 9, STREET_OFFICE, "疫情防控，暂停施工"),
                _step(date(2020, 3, 2), 9, STREET_OFFICE, "复工；计划竣工推迟", planned_end=date(2020, 8, 31)),
                _step(date(2020, 8, 20), 16, STREET_OFFICE, "整修完工", status=completed,
                      actual_end=date(2020, 8, 18)),
                _step(date(2020, 10, 12), 10, STREET_OFFICE, "竣工验收通过", status=accepted),
            ],
        ),
        _project(
            "jixian-repair", _at(date(2019, 4, 18), 10), HOUSING_BUREAU,
            name="集贤村历史保护建筑大修", kind=ProjectKind.HISTORIC_REPAIR.value, compounds=["jixian"],
            planned_start=date(2019, 8, 1), planned_end=date(2020, 5, 31), budget="5200000",
            description="集贤村（金坛路35弄）历史保护建筑的屋面、外墙和木构件修缮，保留原有风貌。" + DEMO_NOTE,
            steps=[
                _link(date(2019, 4, 18), 10, WORKER, "old-housing", "居民反映的典型案例纳入修缮"),
                _step(date(2019, 7, 15), 10, HOUSING_BUREAU, "修缮方案批复，保留原有风貌", status=approved,
                      contractor="示例古建筑修缮有限公司（演示）"),
                _step(date(2019, 8, 12), 9, HOUSING_BUREAU, "施工队进场", status=building,
                      actual_start=date(2019, 8, 12)),
                _step(date(2019, 12, 2), 14, HOUSING_BUREAU, "木构件发现白蚁蛀蚀，增加白蚁防治和木构件更换",
                      budget="5680000", planned_end=date(2020, 6, 30)),
                _step(date(2020, 6, 24), 16, HOUSING_BUREAU, "修缮完工", status=completed,
                      actual_end=date(2020, 6, 24)),
                _step(date(2020, 8, 28), 10, HOUSING_BUREAU, "竣工验收通过，后续纳入日常养护", status=accepted),
            ],
        ),
        _project(
            "hjl55-streetlights", _at(date(2019, 6, 20), 14), STREET_OFFICE,
            name="黄家路55弄路灯实事工程", kind=ProjectKind.LIGHTING_WORKS.value, lanes=in_hjl55,
            planned_start=date(2020, 3, 1), planned_end=date(2020, 5, 31), budget="386000",
            description="市政府实事工程：在黄家路55弄弄内新装庭院灯，灯杆避开住户窗口。" + DEMO_NOTE,
            steps=[
                _link(date(2019, 6, 20), 15, WORKER, "lighting", "座谈会上居民提出的典型案例"),
                _step(date(2019, 11, 8), 16, WORKER, "现场三会商定灯杆位置，避开住户窗口"),
                _step(date(2019, 12, 16), 10, STREET_OFFICE, "实事工程立项", status=approved,
                      contractor="示例照明工程有限公司（演示）"),
                _step(date(2020, 4, 13), 9, STREET_OFFICE, "疫情后开工", status=building,
                      actual_start=date(2020, 4, 13)),
                _step(date(2020, 5, 28), 20, STREET_OFFICE, "弄内路灯全部装好，当晚亮灯", status=completed,
                      actual_end=date(2020, 5, 28)),
                _step(date(2020, 6, 30), 10, STREET_OFFICE, "验收合格，移交路灯养护单位", status=accepted),
            ],
        ),
        _project(
            "nanhuayuan-lifts", _at(date(2026, 9, 14), 10), LEADER,
            name="南花苑加装电梯", kind=ProjectKind.LIFT_RETROFIT.value, buildings=nanhuayuan_seven_storeys,
            planned_start=date(2027, 3, 1), planned_end=date(2027, 12, 31), budget="3600000",
            description="南花苑七层住宅楼加装电梯，每个门洞一部。" + DEMO_NOTE,
            steps=[
                _step(date(2026, 10, 20), 15, LEADER, "意见征询：多数门洞签字同意率已超过三分之二"),
            ],
        ),
        _project(
            "qiaojia-garbage", _at(date(2026, 10, 9), 10), WORKER,
            name="乔家路沿线垃圾分类设施提升", kind=ProjectKind.GARBAGE_FACILITIES.value, lanes=along_qiaojia,
            planned_start=date(2027, 4, 1), planned_end=date(2027, 6, 30), budget="480000",
            description="乔家路沿线弄堂的定时定点投放点改造：洗手池、雨棚、除臭和破袋设施。" + DEMO_NOTE,
            steps=[
                _step(date(2026, 11, 3), 14, LEADER, "现场三会讨论投放点位置和定时投放时间"),
            ],
        ),
    ]
    cutoff = local_day_start(today)
    planned = [_as_of(p, cutoff) for p in projects if p.entered_at < cutoff]
    return sorted(planned, key=lambda p: (p.entered_at, p.public_id))


def _as_of(project: PlannedProject, cutoff: datetime) -> PlannedProject:
    return replace(project, steps=tuple(step for step in project.steps if step.at < cutoff))


def _typical_case(session: Session, category: str) -> Issue | None:
    return session.scalar(
        select(Issue).where(Issue.is_typical_case.is_(True), Issue.category_id == category).order_by(Issue.id)
    )


def store_demo_projects(session: Session, plan: Sequence[PlannedProject], layers: Mapping[str, gpd.GeoDataFrame]) -> int:
    """Write the planned projects not yet stored, with their histories; how many were written.

    Runs inside the caller's transaction. Ids already in the database are left alone.
    A typical case that is not in the database (no demo issues) is not linked.
    """
    site = Site(layers)
    ids = [p.public_id for p in plan]
    stored = set(session.scalars(select(Project.public_id).where(Project.public_id.in_(ids)))) if ids else set()
    written = 0
    for planned in plan:
        if planned.public_id in stored:
            continue
        data = validate_new_project(planned.payload, site)
        _, created = create_project(session, data, planned.entered_by, at=planned.entered_at)
        if not created:
            continue
        for step in planned.steps:
            if step.link_typical_case is not None:
                issue = _typical_case(session, step.link_typical_case)
                if issue is not None:
                    link_issues(session, planned.public_id, [issue.public_id], step.actor, step.comment, at=step.at)
            else:
                update_project(session, planned.public_id, step.changes, step.actor, step.comment, at=step.at)
        written += 1
    session.flush()
    return written
