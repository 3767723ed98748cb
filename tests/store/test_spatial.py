from __future__ import annotations

import pytest
from sqlalchemy import select, text

from store.errors import ValidationError
from store.issues import nearby_open_issues, update_issue
from store.models import Issue
from store.spatial import geodesic_distance_m, within_bbox, within_metres
from tests.store.helpers import CENTRE_LAT, CENTRE_LON, add_issue, offset_point

# Float32, which both spatial indexes store, has a step of ~7.6e-6 degrees here (~0.8 m).
TINY = 1e-7


def ids_in_box(session, *box) -> set[int]:
    return set(session.scalars(select(Issue.id).where(within_bbox(*box))))


def query_plan(session, backend, statement) -> str:
    compiled = statement.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
    if backend.name == "sqlite":
        rows = session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")).all()
        return "\n".join(row[-1] for row in rows)
    session.execute(text("SET LOCAL enable_seqscan = off"))
    return "\n".join(session.scalars(text(f"EXPLAIN {compiled}")))


def test_a_bbox_query_uses_the_spatial_index(session, backend):
    add_issue(session)
    session.commit()
    statement = select(Issue).where(within_bbox(121.49, 31.22, 121.50, 31.23))
    plan = query_plan(session, backend, statement)
    if backend.name == "sqlite":
        assert "VIRTUAL TABLE INDEX" in plan and "issue_rtree" in plan
        assert "SCAN issues" not in plan, plan  # found by rowid from the R*Tree, not by reading every row
    else:
        assert "ix_issues_geom" in plan, plan
    session.rollback()


def test_a_nearby_query_uses_the_spatial_index(session, backend):
    add_issue(session)
    session.commit()
    plan = query_plan(session, backend, select(Issue).where(within_metres(CENTRE_LON, CENTRE_LAT, 30)))
    assert ("issue_rtree" if backend.name == "sqlite" else "ix_issues_geom") in plan, plan
    session.rollback()


def test_box_edges_are_exact_and_inclusive_on_both_backends(session):
    minlon, minlat, maxlon, maxlat = CENTRE_LON, CENTRE_LAT, CENTRE_LON + 0.001, CENTRE_LAT + 0.001
    inside = [
        add_issue(session, lon=minlon, lat=minlat).id,
        add_issue(session, lon=maxlon, lat=maxlat).id,
        add_issue(session, lon=minlon + TINY, lat=maxlat - TINY).id,
    ]
    for lon, lat in ((minlon - TINY, minlat + 0.0005), (maxlon + TINY, minlat + 0.0005), (minlon + 0.0005, maxlat + TINY)):
        add_issue(session, lon=lon, lat=lat)
    session.commit()
    assert ids_in_box(session, minlon, minlat, maxlon, maxlat) == set(inside)


def test_bbox_queries_with_different_boxes_do_not_share_results(session):
    """The compiled SQL is cached per dialect; the bounds must not be."""
    west = add_issue(session, lon=CENTRE_LON - 0.002).id
    east = add_issue(session, lon=CENTRE_LON + 0.002).id
    session.commit()
    assert ids_in_box(session, CENTRE_LON - 0.003, CENTRE_LAT - 0.001, CENTRE_LON - 0.001, CENTRE_LAT + 0.001) == {west}
    assert ids_in_box(session, CENTRE_LON + 0.001, CENTRE_LAT - 0.001, CENTRE_LON + 0.003, CENTRE_LAT + 0.001) == {east}


def test_the_index_follows_moves_and_deletes(session, backend):
    issue = add_issue(session)
    session.commit()
    far = (CENTRE_LON + 0.05, CENTRE_LAT + 0.05)
    session.execute(text("UPDATE issues SET lon = :lon, lat = :lat WHERE id = :id"),
                    {"lon": far[0], "lat": far[1], "id": issue.id})
    assert ids_in_box(session, CENTRE_LON - 0.001, CENTRE_LAT - 0.001, CENTRE_LON + 0.001, CENTRE_LAT + 0.001) == set()
    assert ids_in_box(session, far[0] - 0.001, far[1] - 0.001, far[0] + 0.001, far[1] + 0.001) == {issue.id}
    if backend.name == "postgis":
        assert session.execute(text("SELECT ST_X(geom), ST_Y(geom), ST_SRID(geom) FROM issues")).one() == (*far, 4326)
    session.execute(text("DELETE FROM issues WHERE id = :id"), {"id": issue.id})
    if backend.name == "sqlite":
        assert session.scalar(text("SELECT count(*) FROM issue_rtree")) == 0
    session.commit()


def test_nearby_open_issues_within_30_metres_nearest_first(session):
    at = {metres: offset_point(CENTRE_LON, CENTRE_LAT, azimuth, metres)
          for metres, azimuth in ((25, 0), (5, 90), (15, 200), (29.5, 300), (30.5, 45), (60, 180))}
    ids = {metres: add_issue(session, lon=lon, lat=lat, title=f"{metres} m").id for metres, (lon, lat) in at.items()}
    session.commit()

    found = nearby_open_issues(session, CENTRE_LON, CENTRE_LAT)
    assert [n.issue.id for n in found] == [ids[5], ids[15], ids[25], ids[29.5]]
    for nearby, metres in zip(found, (5, 15, 25, 29.5)):
        assert nearby.distance_m == pytest.approx(metres, abs=0.01)


def test_nearby_skips_closed_issues_and_other_categories(session):
    lon, lat = offset_point(CENTRE_LON, CENTRE_LAT, 90, 10)
    open_sanitation = add_issue(session, lon=lon, lat=lat).id
    add_issue(session, lon=lon, lat=lat, category="parking")
    for status in ("resolved", "closed"):
        update_issue(session, add_issue(session, lon=lon, lat=lat).public_id, {"status": status}, actor="a")
    update_issue(session, add_issue(session, lon=lon, lat=lat).public_id,
                 {"status": "rejected", "rejection_reason": "duplicate"}, actor="a")
    acknowledged = add_issue(session, lon=lon, lat=lat)
    update_issue(session, acknowledged.public_id, {"status": "acknowledged"}, actor="a")
    session.commit()

    found = nearby_open_issues(session, CENTRE_LON, CENTRE_LAT, category="sanitation")
    assert [n.issue.id for n in found] == [open_sanitation, acknowledged.id]
    assert len(nearby_open_issues(session, CENTRE_LON, CENTRE_LAT)) == 3


def test_nearby_checks_its_arguments(session):
    with pytest.raises(ValidationError) as raised:
        nearby_open_issues(session, 500, float("nan"), radius_m=-1)
    assert set(raised.value.field_errors) == {"lon", "lat", "radius_m"}
    with pytest.raises(ValidationError) as raised:
        nearby_open_issues(session, CENTRE_LON, CENTRE_LAT, category="graffiti")
    assert set(raised.value.field_errors) == {"category"}


def test_distance_matches_pyproj_on_the_ellipsoid(session, backend):
    lon, lat = offset_point(CENTRE_LON, CENTRE_LAT, 37, 1234.5)
    add_issue(session, lon=lon, lat=lat)
    session.commit()
    [nearby] = nearby_open_issues(session, CENTRE_LON, CENTRE_LAT, radius_m=1300)
    assert nearby.distance_m == pytest.approx(geodesic_distance_m(CENTRE_LON, CENTRE_LAT, lon, lat), abs=0.001)
    assert nearby.distance_m == pytest.approx(1234.5, abs=0.001)
