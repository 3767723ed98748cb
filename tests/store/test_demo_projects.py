"""store.demo_projects: the 2019–2020 works and two 2027 proposals, with backdated histories, stored once."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from geo.dataset import load_dataset
from geo.locate import Locator
from geo.picking import Site
from store.database import make_engine, session_factory, transaction, upgrade
from store.demo_issues import plan_demo_issues, store_demo_issues
from store.demo_projects import plan_demo_projects, store_demo_projects
from store.issues import get_issue
from store.models import Project, ProjectEvent
from store.projects import get_project, list_projects, project_facts
from store.timestamps import local_day_start
from tests.conftest import DATA_DIR

TODAY = date(2026, 11, 26)
WORKS = {
    "面筋弄微更新": "pocket_park",
    "巡道街沿线中小马路弄堂综合改造": "lane_renovation",
    "黄家路55弄美丽家园": "beautiful_home",
    "集贤村历史保护建筑大修": "historic_repair",
    "黄家路55弄路灯实事工程": "lighting_works",
}
PROPOSALS = {"南花苑加装电梯": "lift_retrofit", "乔家路沿线垃圾分类设施提升": "garbage_facilities"}


@pytest.fixture(scope="module")
def layers():
    return load_dataset(DATA_DIR).layers


@pytest.fixture(scope="module")
def plan(layers):
    return plan_demo_projects(layers, TODAY)


@pytest.fixture(scope="module")
def seeded(backend, tmp_path_factory, layers, plan):
    """A database per backend with the typical demo cases and the demo projects, seeded twice."""
    url = backend.new_database(tmp_path_factory.mktemp("demo-projects"))
    engine = make_engine(url)
    upgrade(engine)
    factory = session_factory(engine)
    typical = [p for p in plan_demo_issues(layers, TODAY) if p.is_typical_case]
    locator = Locator(layers["boundary"], layers["buildings"], layers["compounds"])
    with transaction(factory) as session:
        store_demo_issues(session, typical, locator)
        written = [store_demo_projects(session, plan, layers)]
    with transaction(factory) as session:
        written.append(store_demo_projects(session, plan, layers))
    yield factory, written
    engine.dispose()
    backend.drop_database(url)


def by_name(session) -> dict[str, Project]:
    projects, _ = list_projects(session)
    return {p.name: get_project(session, p.public_id) for p in projects}


def test_the_plan_is_the_same_every_time_and_uses_uuid5_ids(layers, plan):
    again = plan_demo_projects(layers, TODAY)
    assert [(p.public_id, p.payload, p.steps) for p in again] == [(p.public_id, p.payload, p.steps) for p in plan]
    assert len({p.public_id for p in plan}) == len(plan) == 7
    assert {p.name: p.payload["kind"] for p in plan} == {**WORKS, **PROPOSALS}


def test_the_works_were_done_and_accepted_in_2018_to_2020_and_the_proposals_are_for_2027(plan):
    for project in plan:
        if project.name in WORKS:
            assert project.status == "accepted"
            actual = [s.changes for s in project.steps if "actual_start" in s.changes or "actual_end" in s.changes]
            assert {c.get("actual_start", c.get("actual_end"))[:4] for c in actual} <= {"2019", "2020"}
            assert any(s.changes.get("contractor", "").endswith("（演示）") for s in project.steps)
        else:
            assert project.status == "proposed"
            assert project.payload["planned_start"].startswith("2027")


def test_a_day_before_the_proposals_leaves_them_out_and_cuts_histories(layers):
    early = plan_demo_projects(layers, date(2019, 7, 1))
    assert [p.name for p in early] == ["面筋弄微更新", "巡道街沿线中小马路弄堂综合改造", "黄家路55弄美丽家园",
                                       "集贤村历史保护建筑大修", "黄家路55弄路灯实事工程"]
    cutoff = local_day_start(date(2019, 7, 1))
    assert all(step.at < cutoff for p in early for step in p.steps)
    assert {p.name: p.status for p in early}["黄家路55弄路灯实事工程"] == "proposed"


def test_seeding_twice_stores_each_project_once(seeded, plan):
    factory, written = seeded
    assert written == [7, 0]
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Project)) == 7
        assert {p.public_id for p in session.scalars(select(Project))} == {p.public_id for p in plan}


def test_histories_are_backdated_and_in_order(seeded, plan):
    factory, _ = seeded
    with factory() as session:
        projects = by_name(session)
        for planned in plan:
            project = projects[planned.name]
            assert project.created_at == planned.entered_at and project.created_by == planned.entered_by
            times = [e.at for e in project.events]
            assert times == sorted(times) and times[-1] < local_day_start(TODAY)
            assert project.updated_at == times[-1]
        lights = projects["黄家路55弄路灯实事工程"]
        assert [(e.kind, e.to_value) for e in lights.events if e.kind == "status"] == [
            ("status", "approved"), ("status", "in_construction"), ("status", "completed"), ("status", "accepted")
        ]
        assert (lights.actual_start, lights.actual_end) == (date(2020, 4, 13), date(2020, 5, 28))
        jixian = projects["集贤村历史保护建筑大修"]
        assert [(e.from_value, e.to_value) for e in jixian.events if e.kind == "budget"] == [("5200000.00", "5680000.00")]


def test_the_typical_cases_are_linked_to_the_works_that_answered_them(seeded):
    factory, _ = seeded
    with factory() as session:
        projects = by_name(session)
        linked = {name: [link.issue.title for link in p.issue_links] for name, p in projects.items() if p.issue_links}
        assert linked == {
            "黄家路55弄路灯实事工程": ["黄家路55弄无路灯，居民夜间出行不便"],
            "集贤村历史保护建筑大修": ["集贤村历史建筑屋面漏雨、墙面破损"],
            "面筋弄微更新": ["面筋弄垃圾乱堆、违章搭建占道"],
        }
        lights = projects["黄家路55弄路灯实事工程"]
        issue = get_issue(session, lights.issue_links[0].issue.public_id)
        assert issue.is_typical_case and issue.status == "closed"
        assert "关联项目「黄家路55弄路灯实事工程」" in [e.comment for e in issue.events]


def test_the_derived_figures(seeded, layers):
    factory, _ = seeded
    site = Site(layers)
    with factory() as session:
        facts = {name: project_facts(session, p, site) for name, p in by_name(session).items()}
    assert facts["黄家路55弄美丽家园"].households == 230
    assert facts["黄家路55弄路灯实事工程"].households == 230
    assert facts["集贤村历史保护建筑大修"].households == 151
    assert facts["面筋弄微更新"].households == 295
    assert [c.name for c in facts["黄家路55弄路灯实事工程"].conflicts] == ["黄家路55弄美丽家园"]
    assert [c.name for c in facts["面筋弄微更新"].conflicts] == ["巡道街沿线中小马路弄堂综合改造"]
    assert facts["南花苑加装电梯"].conflicts == () and len(facts["南花苑加装电梯"].buildings) == 6


def test_without_the_demo_issues_the_projects_are_stored_unlinked(empty_url, layers, plan):
    engine = make_engine(empty_url)
    try:
        upgrade(engine)
        with transaction(session_factory(engine)) as session:
            assert store_demo_projects(session, plan, layers) == 7
            assert session.scalar(select(func.count()).select_from(ProjectEvent).where(ProjectEvent.kind == "linked")) == 0
    finally:
        engine.dispose()
