"""store.demo_issues: the survey's 98 issues and the reports since, placed on the demo layers, stored once."""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta

import geopandas as gpd
import pytest
from shapely.geometry import Point
from sqlalchemy import func, select

from geo.crs import to_metric
from geo.dataset import load_dataset
from geo.locate import Locator
from store.database import make_engine, session_factory, transaction, upgrade
from store.demo_issues import (
    NEWER,
    SURVEY,
    plan_demo_issues,
    store_demo_issues,
    summarise,
)
from store.models import Category, Issue, IssueEvent
from store.timestamps import LOCAL_TZ, local_day_end, local_day_start
from store.vocabulary import DONE_STATUSES, OPEN_STATUSES
from tests.conftest import DATA_DIR

TODAY = date(2026, 11, 26)
TWO_YEARS = timedelta(days=730)
SURVEY_THEMES = {"sanitation", "property", "old-housing", "welfare", "other"}  # "other" holds party building
ENVIRONMENT = {"sanitation", "garbage-sorting", "clutter", "greenery", "illegal-structures"}


@pytest.fixture(scope="module")
def layers():
    return load_dataset(DATA_DIR).layers


@pytest.fixture(scope="module")
def locator(layers):
    return Locator(layers["boundary"], layers["buildings"], layers["compounds"])


@pytest.fixture(scope="module")
def plan(layers):
    return plan_demo_issues(layers, TODAY)


@pytest.fixture(scope="module")
def seeded(backend, tmp_path_factory, plan, locator):
    """One database per backend with the demo seeded, shared by this module's read-only tests."""
    url = backend.new_database(tmp_path_factory.mktemp("demo"))
    engine = make_engine(url)
    upgrade(engine)
    factory = session_factory(engine)
    with transaction(factory) as session:
        assert store_demo_issues(session, plan, locator) == len(plan)
    yield factory
    engine.dispose()
    backend.drop_database(url)


@pytest.fixture()
def db(seeded):
    with seeded() as session:
        yield session


def local(instant):
    return instant.astimezone(LOCAL_TZ)


def stored(db, plan, group):
    ids = [p.public_id for p in plan if p.group == group]
    return list(db.scalars(select(Issue).where(Issue.public_id.in_(ids))))


def test_the_survey_is_98_issues_of_2018_to_2020_inside_the_boundary_each_in_a_compound(db, plan, layers):
    survey = stored(db, plan, SURVEY)
    assert len(survey) == 98
    assert {local(i.reported_at).year for i in survey} == {2018, 2019, 2020}
    assert min(local(i.reported_at).date() for i in survey) >= date(2018, 3, 1)
    assert max(local(i.reported_at).date() for i in survey) <= date(2020, 6, 30)

    categories = Counter(i.category_id for i in survey)
    assert set(categories) <= set(db.scalars(select(Category.id)))
    assert SURVEY_THEMES <= set(categories)
    assert sum(categories[c] for c in ENVIRONMENT) >= len(survey) / 3
    assert categories.most_common(1)[0][0] == "sanitation"

    boundary = layers["boundary"].union_all()
    planned = {p.public_id: p for p in plan}
    for issue in survey:
        assert boundary.contains(Point(issue.lon, issue.lat)), issue.title
        assert issue.compound_id == planned[issue.public_id].compound_id, issue.title
        assert issue.address and issue.title and issue.description
    assert len({i.compound_id for i in survey}) >= 10  # spread over the place, not piled in one corner


def test_nearly_all_survey_issues_were_settled_within_two_years(db, plan):
    survey = stored(db, plan, SURVEY)
    settled = [i for i in survey if i.status in DONE_STATUSES and i.resolved_at - i.reported_at <= TWO_YEARS]
    assert len(settled) >= 0.95 * len(survey)
    assert all(i.status not in OPEN_STATUSES for i in survey)
    assert {i.rejection_reason for i in survey if i.status == "rejected"} == {"duplicate", "not_ours"}


def test_three_typical_cases_with_the_55_lane_without_streetlights(db, layers):
    typical = list(db.scalars(select(Issue).where(Issue.is_typical_case)))
    assert len(typical) == 3
    assert {i.compound_id for i in typical} == {"hjl55", "mianjin", "jixian"}

    (lighting,) = [i for i in typical if i.category_id == "lighting"]
    assert lighting.compound_id == "hjl55" and "55弄" in lighting.title
    assert "230" in lighting.description
    assert local(lighting.reported_at).year == 2019 and local(lighting.resolved_at).year == 2020
    assert lighting.status in DONE_STATUSES
    lanes = to_metric(layers["lanes"][layers["lanes"]["name"] == "黄家路55弄"])
    point = gpd.GeoSeries([Point(lighting.lon, lighting.lat)], crs=layers["lanes"].crs).to_crs(lanes.crs).iloc[0]
    assert lanes.distance(point).min() < 0.5  # on one of 55弄's lanes


def test_newer_issues_run_up_to_today_with_open_work(db, plan):
    newer = stored(db, plan, NEWER)
    assert len(newer) >= 4 * 76  # 2020-07 … 2026-10, at least 4 a month
    assert min(local(i.reported_at).date() for i in newer) >= date(2020, 7, 1)
    assert max(i.reported_at for i in newer) < local_day_start(TODAY)

    recent = [i for i in newer if i.reported_at >= local_day_start(TODAY - timedelta(days=61))]
    older = [i for i in newer if i.reported_at < local_day_start(TODAY - timedelta(days=180))]
    assert sum(i.status in OPEN_STATUSES for i in recent) > len(recent) / 2
    assert sum(i.status in DONE_STATUSES for i in older) >= 0.9 * len(older)
    still_open = [i for i in newer if i.status in OPEN_STATUSES]
    assert any(i.assignee for i in still_open) and any(i.due_date for i in still_open)


def test_histories_run_forward_from_the_report_and_stop_before_today(db):
    events = defaultdict(list)
    for event in db.scalars(select(IssueEvent).order_by(IssueEvent.id)):
        events[event.issue_id].append(event)
    for issue in db.scalars(select(Issue)):
        history = events[issue.id]
        times = [e.at for e in history]
        assert history[0].kind == "created" and times[0] == issue.reported_at == issue.created_at
        assert times == sorted(times), issue.title
        assert times[-1] == issue.updated_at < local_day_end(TODAY)
        status_times = [e.at for e in history if e.kind == "status" and e.to_value in DONE_STATUSES]
        assert issue.resolved_at == (status_times[0] if issue.status in DONE_STATUSES else None)


def test_seeding_again_stores_nothing_twice(seeded, plan, locator):
    with transaction(seeded) as session:
        counts = [session.scalar(select(func.count()).select_from(m)) for m in (Issue, IssueEvent)]
        assert store_demo_issues(session, plan, locator) == 0
        assert [session.scalar(select(func.count()).select_from(m)) for m in (Issue, IssueEvent)] == counts


def test_a_half_seeded_database_gets_the_rest(session, layers, locator):
    plan = plan_demo_issues(layers, date(2020, 9, 1))
    assert store_demo_issues(session, plan[:50], locator) == 50
    assert store_demo_issues(session, plan, locator) == len(plan) - 50
    session.commit()
    assert session.scalar(select(func.count()).select_from(Issue)) == len(plan)


def test_the_same_day_gives_the_same_plan_and_a_later_day_keeps_it(layers, plan):
    assert plan_demo_issues(layers, TODAY) == plan
    earlier = plan_demo_issues(layers, date(2024, 1, 15))
    later_ids = {p.public_id for p in plan}
    assert {p.public_id for p in earlier} < later_ids
    survey = [p for p in plan if p.group == SURVEY]
    assert [p for p in earlier if p.group == SURVEY] == survey
    assert plan_demo_issues(layers, TODAY, seed=7) != plan


def test_the_summary_counts_the_plan(plan):
    summary = summarise(plan)
    assert (summary.survey, summary.typical_cases) == (98, 3)
    assert summary.newer == len(plan) - 98 and summary.total == len(plan)
    assert summary.open == sum(p.is_open for p in plan) > 0


def test_reports_come_4_to_10_a_month_with_the_seasons(plan):
    newer = [p for p in plan if p.group == NEWER]
    months = Counter(local(p.reported_at).strftime("%Y-%m") for p in newer)
    full_months = [n for month, n in months.items() if month < TODAY.strftime("%Y-%m")]
    assert min(full_months) >= 4 and max(full_months) <= 10

    def share(category, season):
        in_season = [p for p in newer if local(p.reported_at).month in season]
        return sum(p.category == category for p in in_season) / len(in_season)

    summer, winter = (6, 7, 8, 9), (11, 12, 1, 2)
    assert share("sanitation", summer) > share("sanitation", winter)
    assert share("lighting", winter) > share("lighting", summer)


def test_a_day_during_the_survey_is_refused(layers):
    with pytest.raises(ValueError):
        plan_demo_issues(layers, date(2020, 6, 30))


# --- the patterns the neighbourhood had, as the hot spot map finds them --------------------------------------


def demo_hotspots(db, layers, **window):
    """Gi* over the seeded issues in the window, computed as GET /api/v1/hotspots does; hot cells' compounds."""
    from geo.cell_places import cell_places
    from geo.hotspots import hotspots
    from store.aggregates import issue_points
    from store.filters import IssueFilters
    from webmap.api.hotspots import DEFAULT_CELL_M, PERMUTATIONS, SEED

    points = issue_points(db, IssueFilters(**window))
    cells, summary = hotspots(points, layers["boundary"], cell_size_m=DEFAULT_CELL_M, permutations=PERMUTATIONS,
                              seed=SEED)
    assert summary.warnings == []
    hot = cells[cells["class"].str.startswith("hot")]
    places = cell_places(hot[["id", "geometry"]].set_index("id"), layers["compounds"], layers["lanes"])
    return {name for names in places["compounds"] for name in names}


def test_all_issues_of_all_years_make_a_significant_hot_spot_at_the_head_of_qiaojia_lane_28(db, layers):
    assert "乔家路旧里(北)" in demo_hotspots(db, layers)


def test_mianjin_lane_is_a_hot_spot_before_its_renewal_and_not_after(db, layers):
    assert "面筋弄" in demo_hotspots(db, layers, until="2019-09-19")  # 垃圾弄
    after = demo_hotspots(db, layers, since="2019-09-20")  # the renewal and pocket park were completed that day
    assert "面筋弄" not in after and "乔家路旧里(北)" in after


def test_rubbish_complaints_cluster_in_mianjin_lane_until_the_renewal(plan):
    rubbish = [p for p in plan if p.category in ("sanitation", "garbage-sorting")]
    before = [p for p in rubbish if local(p.reported_at).date() < date(2019, 9, 20)]
    after = [p for p in rubbish if local(p.reported_at).date() >= date(2019, 9, 20)]
    assert sum(p.compound_id == "mianjin" for p in before) > len(before) / 2
    assert sum(p.compound_id == "mianjin" for p in after) < 0.08 * len(after)  # its households are 9.6 % of all


def test_lighting_complaints_in_lane_55_stop_when_its_lamps_are_lit(plan):
    lighting = [p for p in plan if p.category == "lighting" and p.compound_id == "hjl55"]
    assert len(lighting) >= 5
    assert all(local(p.reported_at).date() < date(2020, 5, 28) for p in lighting)


def test_parking_and_stairwell_clutter_keep_coming_from_the_old_terraces_at_qiaojia_lane_28(plan):
    for category in ("parking", "clutter"):
        reports = [p for p in plan if p.category == category and p.group == NEWER]
        assert sum(p.compound_id == "qiaojia_n" for p in reports) > len(reports) / 3, category
