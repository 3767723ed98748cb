"""store.feature_queries on both backends: issues and projects by boxes and periods, in pages, and their extents."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from geo.dataset import load_dataset
from geo.picking import Site
from store.feature_queries import issue_extent, issue_rows_page, project_extent, projects_page
from store.projects import create_project, validate_new_project
from tests.conftest import DATA_DIR
from tests.store.helpers import CENTRE_LAT, CENTRE_LON, add_issue, offset_point

MAY_DAY = datetime(2024, 5, 1, 2, 0, tzinfo=timezone.utc)  # 10:00 in Shanghai
EAST = offset_point(CENTRE_LON, CENTRE_LAT, 90, 100)
AROUND_CENTRE = (CENTRE_LON - 0.0001, CENTRE_LAT - 0.0001, CENTRE_LON + 0.0001, CENTRE_LAT + 0.0001)
ACROSS_ANTIMERIDIAN = ((170.0, -90.0, 180.0, 90.0), (-180.0, -90.0, -170.0, 90.0))


@pytest.fixture(scope="module")
def site():
    return Site(load_dataset(DATA_DIR).layers)


@pytest.fixture()
def issues(session):
    made = [
        add_issue(session, title="一", reported_at=MAY_DAY),
        add_issue(session, title="二", reported_at=datetime(2024, 5, 2, 16, 30, tzinfo=timezone.utc)),
        add_issue(session, title="三", reported_at=datetime(2023, 12, 31, 23, 0, tzinfo=timezone.utc),
                  lon=EAST[0], lat=EAST[1]),
    ]
    session.commit()
    return made


def issues_page(session, boxes, start, end, **paging) -> tuple[list, int]:
    """A feature page (/ogcapi items) as served, rows, and how many match in all."""
    return issue_rows_page(session, boxes, start, end, **paging)[:2]


def ids(page) -> tuple[list[int], int]:
    return [row.id for row in page[0]], page[1]


def titles(page) -> list[str]:
    return [row.title for row in page[0]]


def test_issues_come_oldest_first_with_the_number_matched(session, issues):
    assert ids(issues_page(session, (), None, None, limit=10, offset=0)) == (
        [issues[2].id, issues[0].id, issues[1].id], 3)
    assert titles(issues_page(session, (), None, None, limit=1, offset=1)) == ["一"]
    assert issues_page(session, (), None, None, limit=1, offset=5) == ([], 3)


def test_issues_in_any_of_the_boxes(session, issues):
    assert titles(issues_page(session, [AROUND_CENTRE], None, None, limit=10, offset=0)) == ["一", "二"]
    assert issues_page(session, ACROSS_ANTIMERIDIAN, None, None, limit=10, offset=0) == ([], 0)
    east = (EAST[0] - 0.0001, EAST[1] - 0.0001, EAST[0] + 0.0001, EAST[1] + 0.0001)
    assert titles(issues_page(session, [*ACROSS_ANTIMERIDIAN, east], None, None, limit=10, offset=0)) == ["三"]


def test_issues_in_a_period_a_date_being_the_whole_day_in_shanghai(session, issues):
    def between(start, end):
        return titles(issues_page(session, (), start, end, limit=10, offset=0))

    assert between(date(2024, 5, 1), date(2024, 5, 1)) == ["一"]
    assert between(date(2024, 1, 1), None) == ["三", "一", "二"]  # 三: 07:00 on 1 January in Shanghai
    assert between(None, date(2024, 5, 2)) == ["三", "一"]  # 二: 16:30 on 2 May in UTC is 3 May in Shanghai
    assert between(MAY_DAY, MAY_DAY) == ["一"]
    assert between(MAY_DAY.replace(second=1), None) == ["二"]


def test_the_extent_of_the_issues(session, issues):
    found = issue_extent(session)
    assert found.bbox == pytest.approx((CENTRE_LON, CENTRE_LAT, EAST[0], CENTRE_LAT), abs=1e-7)
    assert (found.first, found.last) == (issues[2].reported_at, issues[1].reported_at)


def test_no_issues_no_extent(session):
    found = issue_extent(session)
    assert (found.bbox, found.first, found.last) == (None, None, None)


def add_project(session, site, name, **overrides):
    values = {"name": name, "kind": "beautiful_home", "compounds": ["hjl55"], **overrides}
    project, _ = create_project(session, validate_new_project(
        {key: value for key, value in values.items() if value is not None}, site), "街道城建中心")
    return project


@pytest.fixture()
def projects(session, site):
    made = [
        add_project(session, site, "二〇一九", planned_start="2019-06-01", planned_end="2020-08-31"),
        add_project(session, site, "二〇二一", planned_start="2021-03-01", planned_end=None, compounds=["mianjin"]),
        add_project(session, site, "未定"),
    ]
    session.commit()
    return made


def names(page) -> list[str]:
    return [project.name for project in page[0]]


def test_projects_in_a_period_by_their_planned_dates_and_undated_ones_always(session, projects):
    def between(start, end):
        return names(projects_page(session, (), start, end, limit=10, offset=0))

    assert between(None, None) == ["二〇一九", "二〇二一", "未定"]
    assert between(date(2020, 8, 31), date(2020, 8, 31)) == ["二〇一九", "未定"]
    assert between(datetime(2020, 8, 31, 16, 0, tzinfo=timezone.utc), None) == ["二〇二一", "未定"]  # 1 Sept there
    assert between(None, date(2021, 3, 1)) == ["二〇一九", "二〇二一", "未定"]  # a lone start stands for the end
    assert between(date(2021, 3, 2), None) == ["未定"]


def test_projects_whose_geometry_meets_a_box_in_pages(session, projects):
    hjl55 = (projects[0].min_lon, projects[0].min_lat, projects[0].max_lon, projects[0].max_lat)
    assert names(projects_page(session, [hjl55], None, None, limit=10, offset=0)) == ["二〇一九", "未定"]
    assert projects_page(session, [hjl55], None, None, limit=1, offset=1) == ([projects[2]], 2)
    assert projects_page(session, ACROSS_ANTIMERIDIAN, None, None, limit=10, offset=0) == ([], 0)


def test_the_extent_of_the_projects(session, projects):
    found = project_extent(session)
    assert found.bbox == (min(p.min_lon for p in projects), min(p.min_lat for p in projects),
                          max(p.max_lon for p in projects), max(p.max_lat for p in projects))
    assert (found.first, found.last) == (date(2019, 6, 1), date(2021, 3, 1))
