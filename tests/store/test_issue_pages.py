"""The lean read path (store/issue_pages.py) on both backends: exactly the issues and the count of the plain query,
whichever way a page is read; positions that walk every issue once while issues are added."""
from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, insert, select

from store import issue_pages
from store.errors import ValidationError
from store.feature_queries import issue_rows_page
from store.filters import IssueFilters, filter_conditions, order_by
from store.issue_pages import position_of
from store.issues import list_issues
from store.models import Issue
from tests.store.helpers import CENTRE_LAT, CENTRE_LON

START = datetime(2024, 1, 1, tzinfo=timezone.utc)
# A box around the centre; issues are put on its edges, a hair inside and outside them, and well within.
BOX = (CENTRE_LON - 0.001, CENTRE_LAT - 0.0007, CENTRE_LON + 0.0011, CENTRE_LAT + 0.0009)
SMALL_BOX = (CENTRE_LON + 0.0002, CENTRE_LAT + 0.0002, CENTRE_LON + 0.00035, CENTRE_LAT + 0.00035)
CATEGORIES = ("sanitation", "lighting", "parking", "greenery")
STATUSES = ("reported", "acknowledged", "in_progress", "resolved")


def _points(rng: random.Random, n: int) -> list[tuple[float, float]]:
    minlon, minlat, maxlon, maxlat = BOX
    hair = 1e-9  # far below float32's step here (about 8e-6 degrees): the R*Tree cannot tell these apart
    edges = []
    for lon in (minlon, maxlon, minlon - hair, maxlon + hair, minlon + hair, maxlon - hair):
        edges.append((lon, CENTRE_LAT))
    for lat in (minlat, maxlat, minlat - hair, maxlat + hair, minlat + hair, maxlat - hair):
        edges.append((CENTRE_LON, lat))
    edges += [(minlon, minlat), (maxlon, maxlat), (minlon - hair, maxlat + hair)]
    spread = [(rng.uniform(minlon - 0.0015, maxlon + 0.0015), rng.uniform(minlat - 0.0015, maxlat + 0.0015))
              for _ in range(n - len(edges))]
    return edges + spread


def _rows(rng: random.Random, points, *, first_minute: int = 0) -> list[dict]:
    now = datetime.now(timezone.utc)
    rows = []
    for n, (lon, lat) in enumerate(points):
        # Few distinct minutes, so many issues share a reported_at and the id decides their order.
        reported = START + timedelta(minutes=first_minute + rng.randrange(60))
        rows.append({
            "public_id": str(uuid.uuid4()), "category_id": rng.choice(CATEGORIES), "title": f"问题 {n} <b>&amp;</b>",
            "description": "", "lon": lon, "lat": lat, "source": "patrol", "status": rng.choice(STATUSES),
            "priority": "normal", "reported_at": reported, "created_at": now, "updated_at": now,
            "is_typical_case": False,
        })
    return rows


@pytest.fixture()
def many(session):
    rng = random.Random(11)
    session.execute(insert(Issue), _rows(rng, _points(rng, 400)))
    session.commit()
    return session.scalar(select(func.count()).select_from(Issue))


def _plain(session, filters: IssueFilters, sort: str, limit: int, offset: int) -> tuple[list[int], int]:
    """What list_issues answered before the lean path: the conditions as they were, count(*), ORDER BY, LIMIT."""
    conditions = filter_conditions(filters, CATEGORIES)
    matched = session.scalar(select(func.count()).select_from(Issue).where(*conditions))
    ids = session.scalars(select(Issue.id).where(*conditions).order_by(*order_by(sort)).limit(limit).offset(offset))
    return list(ids), matched


def _ids(page) -> tuple[list[int], int]:
    issues, matched = page[:2]
    return [issue.id for issue in issues], matched


def _feature_page(session, boxes, **paging) -> list:
    """The issues of a feature page (/ogcapi items) as served: rows."""
    return issue_rows_page(session, boxes, None, None, **paging)[0]


@pytest.fixture(params=["walk", "rtree", "chosen"])
def way(request, monkeypatch):
    """Each way of reading a page with a box (on SQLite; PostgreSQL's planner chooses by itself)."""
    if request.param != "chosen":
        monkeypatch.setattr(issue_pages, "_walk_is_cheaper", lambda *args: request.param == "walk")
    return request.param


FILTERS = [
    IssueFilters(bbox=BOX),
    IssueFilters(bbox=SMALL_BOX),
    IssueFilters(bbox=BOX, category="lighting,parking"),
    IssueFilters(bbox=BOX, status="reported", since=START + timedelta(minutes=20)),
    IssueFilters(bbox=(CENTRE_LON + 0.5, CENTRE_LAT, CENTRE_LON + 0.6, CENTRE_LAT + 0.1)),  # nothing there
    IssueFilters(),
    IssueFilters(category="greenery"),
]


def test_the_same_issues_and_count_as_the_plain_query(session, many, way):
    for filters in FILTERS:
        for sort in ("-reported_at", "reported_at", "status", "-priority,reported_at"):
            for limit, offset in ((1000, 0), (7, 0), (7, 21), (50, 100), (3, 5000)):
                assert _ids(list_issues(session, filters, sort=sort, limit=limit, offset=offset)) == \
                    _plain(session, filters, sort, limit, offset), (filters, sort, limit, offset)


def test_the_count_is_exact_on_the_edges_of_the_box(session, many, way):
    minlon, minlat, maxlon, maxlat = BOX
    exact = session.scalar(select(func.count()).select_from(Issue).where(
        Issue.lon >= minlon, Issue.lon <= maxlon, Issue.lat >= minlat, Issue.lat <= maxlat))
    _, matched = list_issues(session, IssueFilters(bbox=BOX), limit=1)
    assert matched == exact
    issues, matched = list_issues(session, IssueFilters(bbox=BOX), limit=1000)
    assert len(issues) == matched
    assert all(minlon <= i.lon <= maxlon and minlat <= i.lat <= maxlat for i in issues)
    # the points a hair outside each edge are not in it, those on and a hair inside are
    on_edges = {(i.lon, i.lat) for i in issues}
    assert (minlon, CENTRE_LAT) in on_edges and (maxlon, maxlat) in on_edges
    assert (minlon - 1e-9, CENTRE_LAT) not in on_edges and (CENTRE_LON, maxlat + 1e-9) not in on_edges


@pytest.mark.parametrize("boxes", [[], [BOX], [SMALL_BOX]], ids=["anywhere", "box", "small box"])
def test_feature_pages_are_the_same_as_the_plain_query(session, many, way, boxes):
    filters = IssueFilters(bbox=boxes[0] if boxes else None)
    for limit, offset in ((1000, 0), (9, 0), (9, 18), (5, 390)):
        page = issue_rows_page(session, boxes, None, None, limit=limit, offset=offset)
        assert _ids(page) == _plain(session, filters, "reported_at", limit, offset)


def test_listed_issues_are_whole_with_their_category(session, many, way):
    issues, _ = list_issues(session, IssueFilters(bbox=BOX), sort="reported_at", limit=1000)
    for issue in issues[:50]:
        fresh = session.get(Issue, issue.id)
        assert issue.category.id == issue.category_id and issue.category.name_zh
        assert (issue.title, issue.lon, issue.lat, issue.reported_at) == (fresh.title, fresh.lon, fresh.lat,
                                                                          fresh.reported_at)
        assert issue.title.endswith("<b>&amp;</b>")  # stored as given: escaping is the pages' and the API's job


def _walk(read, add_between) -> list[int]:
    """Every page by position, calling add_between after each; the ids in the order seen."""
    seen, after, pages = [], None, 0
    while True:
        issues, _ = read(after)
        if not issues:
            return seen
        seen += [issue.id for issue in issues]
        after = position_of(issues[-1])
        add_between(pages)
        pages += 1
        assert pages < 500


@pytest.mark.parametrize("sort", ["-reported_at", "reported_at"])
@pytest.mark.parametrize("bbox", [None, BOX], ids=["anywhere", "box"])
def test_walking_by_position_sees_every_issue_once_while_issues_are_added(session, many, way, sort, bbox):
    rng = random.Random(5)
    filters = IssueFilters(bbox=bbox)
    before, _ = list_issues(session, filters, sort=sort, limit=10_000)

    def add_some(page: int) -> None:
        # Before, among (the same minutes as those already read) and after those walked so far.
        rows = _rows(rng, [(rng.uniform(BOX[0], BOX[2]), rng.uniform(BOX[1], BOX[3])) for _ in range(4)],
                     first_minute=rng.choice((-60, 0, 0, 60)))
        session.execute(insert(Issue), rows)
        session.commit()

    seen = _walk(lambda after: list_issues(session, filters, sort=sort, limit=13, after=after), add_some)
    assert len(seen) == len(set(seen)), "an issue came twice"
    assert {issue.id for issue in before} <= set(seen), "an issue stored before the walk was skipped"
    walked = set(seen)
    in_order = [issue.id for issue in list_issues(session, filters, sort=sort, limit=10_000)[0] if issue.id in walked]
    assert seen == in_order


def test_walking_feature_pages_by_position_while_issues_are_added(session, many, way):
    rng = random.Random(6)
    before = _feature_page(session, [BOX], limit=10_000, offset=0)

    def add_some(page: int) -> None:
        session.execute(insert(Issue), _rows(rng, [(CENTRE_LON, CENTRE_LAT)] * 3, first_minute=rng.choice((-60, 0))))
        session.commit()

    seen = _walk(lambda after: issue_rows_page(session, [BOX], None, None, limit=11, offset=0, after=after)[:2],
                 add_some)
    assert len(seen) == len(set(seen))
    assert {issue.id for issue in before} <= set(seen)


def test_a_position_with_an_offset_goes_on_from_the_position(session, many):
    everything = [i.id for i in list_issues(session, sort="reported_at", limit=10_000)[0]]
    first, _ = list_issues(session, sort="reported_at", limit=10)
    page, matched = list_issues(session, sort="reported_at", limit=5, offset=5, after=position_of(first[-1]))
    assert [i.id for i in page] == everything[15:20]
    assert matched == many  # numberMatched counts every match, not those after the position


@pytest.mark.parametrize("kwargs, message", [
    ({"after": "yesterday"}, "not a position"),
    ({"after": "20240101T000000.000000Z_x"}, "not a position"),
    ({"after": "20241301T000000.000000Z_5"}, "not a position"),
    ({"after": "20240101T000000.000000Z_5", "sort": "status"}, "only with sort"),
])
def test_a_bad_position_is_refused_naming_the_field(session, many, kwargs, message):
    with pytest.raises(ValidationError) as refused:
        list_issues(session, **kwargs)
    assert message in refused.value.field_errors["after"]
    with pytest.raises(ValidationError):
        issue_rows_page(session, [], None, None, limit=10, offset=0, after="yesterday")


def test_a_position_is_what_the_issue_says(session, many):
    issue = session.scalars(select(Issue).order_by(Issue.id)).first()
    token = position_of(issue)
    position = issue_pages.parse_position(token)
    assert (position.reported_at, position.id) == (issue.reported_at, issue.id)
