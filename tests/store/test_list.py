from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from store.errors import ValidationError
from store.issues import IssueFilters, list_issues, update_issue
from tests.store.helpers import CENTRE_LAT, CENTRE_LON, add_issue

SHANGHAI = timezone(timedelta(hours=8))


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A time in May 2024, Shanghai."""
    return datetime(2024, 5, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture()
def issues(session):
    """Seven issues; the letter in each title names it in the assertions."""
    specs = [
        dict(title="A 垃圾桶满溢", category="garbage-sorting", reported_at=at(1, 9), compound_id="C01", priority="low"),
        dict(title="B 路灯不亮", category="lighting", reported_at=at(1, 23, 30), compound_id="C01", priority="urgent",
             description="夜里 Lamp 3 dark"),
        dict(title="C 乱停车", category="parking", reported_at=at(2, 0, 10), compound_id="C02", priority="high",
             address="金坛路35弄口"),
        dict(title="D 楼道堆物", category="clutter", reported_at=at(3, 8), compound_id="C02"),
        dict(title="E 绿化带破损", category="greenery", reported_at=at(4, 8), compound_id=None,
             lon=CENTRE_LON + 0.01, lat=CENTRE_LAT + 0.01),
        dict(title="F 100% 漏水", category="old-housing", reported_at=at(5, 8), compound_id="C03", priority="high"),
        dict(title="G 垃圾分类宣传", category="garbage-sorting", reported_at=at(6, 8), compound_id="C03"),
    ]
    created = {spec["title"][0]: add_issue(session, **spec) for spec in specs}
    for letter, status in (("B", "in_progress"), ("D", "resolved"), ("F", "acknowledged")):
        update_issue(session, created[letter].public_id, {"status": status}, actor="主任老陈")
    session.commit()
    return created


def titles(session, filters=None, **kwargs) -> list[str]:
    found, _ = list_issues(session, filters, **kwargs)
    return [issue.title[0] for issue in found]


def test_default_is_newest_first(session, issues):
    assert titles(session) == list("GFEDCBA")


@pytest.mark.parametrize(
    "filters, expected",
    [
        (IssueFilters(category="garbage-sorting"), "GA"),
        (IssueFilters(category=["lighting", "parking"]), "CB"),
        (IssueFilters(category="lighting,parking"), "CB"),
        (IssueFilters(status="reported"), "GECA"),
        (IssueFilters(status=["in_progress", "acknowledged"]), "FB"),
        (IssueFilters(compound="C02"), "DC"),
        (IssueFilters(compound="C01", category="lighting"), "B"),
        (IssueFilters(q="垃圾"), "GA"),
        (IssueFilters(q="lamp"), "B"),  # in the description, other case
        (IssueFilters(q="35弄"), "C"),  # in the address
        (IssueFilters(q="100%"), "F"),  # % is a character, not a wildcard
        (IssueFilters(q="%"), "F"),
        (IssueFilters(bbox=(CENTRE_LON + 0.005, CENTRE_LAT + 0.005, CENTRE_LON + 0.02, CENTRE_LAT + 0.02)), "E"),
        (IssueFilters(bbox=f"{CENTRE_LON - 0.001},{CENTRE_LAT - 0.001},{CENTRE_LON + 0.001},{CENTRE_LAT + 0.001}"),
         "GFDCBA"),
        (IssueFilters(bbox=(0, 0, 1, 1)), ""),
    ],
)
def test_filters(session, issues, filters, expected):
    assert "".join(titles(session, filters)) == expected


@pytest.mark.parametrize(
    "since, until, expected",
    [
        # A calendar day is a day in Shanghai, and `until` includes all of it:
        # B (1 May 23:30) is in, C (2 May 00:10, still 1 May in UTC) is not.
        (None, date(2024, 5, 1), "BA"),
        (date(2024, 5, 2), date(2024, 5, 2), "C"),
        ("2024-05-02", "2024-05-03", "DC"),
        (date(2024, 5, 6), None, "G"),
        # Instants are exact, both ends included.
        (at(1, 23, 30), at(2, 0, 10), "CB"),
        (datetime(2024, 5, 1, 15, 30, tzinfo=timezone.utc), None, "GFEDCB"),
        (None, "2024-05-01T09:00:00+08:00", "A"),
        (None, "2024-05-01T08:59:59+08:00", ""),
    ],
)
def test_since_and_until(session, issues, since, until, expected):
    assert "".join(titles(session, IssueFilters(since=since, until=until))) == expected


@pytest.mark.parametrize(
    "sort, expected",
    [
        ("reported_at", "ABCDEFG"),
        ("-priority", "BFCGEDA"),  # by urgency, not alphabet; ties newest created first
        ("priority,-reported_at", "AGEDFCB"),
        ("status,reported_at", "ACEGFBD"),
        ("-status", "DBFGECA"),
    ],
)
def test_sorting(session, issues, sort, expected):
    assert "".join(titles(session, sort=sort)) == expected


def test_sorting_by_updated_at(session, issues):
    assert titles(session, sort="-updated_at")[:3] == list("FDB")


def test_paging_reports_the_number_matched(session, issues):
    page, matched = list_issues(session, IssueFilters(status="reported"), sort="reported_at", limit=2, offset=0)
    assert ([i.title[0] for i in page], matched) == (["A", "C"], 4)
    page, matched = list_issues(session, IssueFilters(status="reported"), sort="reported_at", limit=2, offset=2)
    assert ([i.title[0] for i in page], matched) == (["E", "G"], 4)
    page, matched = list_issues(session, IssueFilters(status="reported"), limit=2, offset=10)
    assert (page, matched) == ([], 4)


@pytest.mark.parametrize(
    "filters, kwargs, fields",
    [
        (IssueFilters(status="lost"), {}, {"status"}),
        (IssueFilters(category="graffiti"), {}, {"category"}),
        (IssueFilters(bbox=(1, 2, 3)), {}, {"bbox"}),
        (IssueFilters(bbox="121.5,31.2,121.4,31.3"), {}, {"bbox"}),
        (IssueFilters(bbox=(0, 0, 200, 1)), {}, {"bbox"}),
        (IssueFilters(since="May Day"), {}, {"since"}),
        (IssueFilters(q="x" * 201), {}, {"q"}),
        (None, {"sort": "title"}, {"sort"}),
        (None, {"sort": ""}, {"sort"}),
        (None, {"limit": 0}, {"limit"}),
        (None, {"limit": 10_001}, {"limit"}),
        (None, {"limit": "ten"}, {"limit"}),
        (None, {"offset": -1}, {"offset"}),
        (IssueFilters(status="lost"), {"sort": "title", "limit": 0, "offset": -1}, {"status", "sort", "limit", "offset"}),
    ],
)
def test_bad_requests_name_each_field(session, issues, filters, kwargs, fields):
    with pytest.raises(ValidationError) as raised:
        list_issues(session, filters, **kwargs)
    assert set(raised.value.field_errors) == fields


def test_limit_bounds_are_inclusive(session, issues):
    assert len(list_issues(session, limit=1)[0]) == 1
    assert len(list_issues(session, limit="10000")[0]) == 7
