"""store.intake: reports placed with geo/, refused outside the boundary unless deliberate, stored once."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from geo.dataset import load_dataset
from geo.locate import Locator
from store.errors import ValidationError
from store.intake import submit_issue
from store.models import Issue, IssueEvent
from tests.conftest import DATA_DIR
from tests.store.helpers import offset_point, payload


@pytest.fixture(scope="module")
def demo():
    return load_dataset(DATA_DIR)


@pytest.fixture(scope="module")
def locator(demo):
    layers = demo.layers
    return Locator(layers["boundary"], layers["buildings"], layers["compounds"])


def building_point(demo, address):
    building = demo.layers["buildings"].set_index("address").loc[address]
    point = building.geometry.representative_point()
    return building, point.x, point.y


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_report_in_a_building_takes_its_address_and_compound(session, locator, demo):
    building, lon, lat = building_point(demo, "黄家路55弄3号")
    issue, created = submit_issue(session, payload(lon=lon, lat=lat), locator, "社工小王")
    assert created
    assert issue.building_id == building["id"]
    assert issue.compound_id == "hjl55"
    assert issue.address == "黄家路55弄3号"


def test_source_defaults_to_patrol(session, locator):
    issue, _ = submit_issue(session, payload(source=None), locator, "社工小王")
    assert issue.source == "patrol"


def test_outside_the_boundary_is_refused_unless_deliberate(session, locator):
    lon, lat = offset_point(121.4941, 31.2200, 90, 60)  # 60 m east of 中华路's centreline
    with pytest.raises(ValidationError) as refused:
        submit_issue(session, payload(lon=lon, lat=lat), locator, "社工小王")
    assert "outside the neighbourhood boundary" in refused.value.field_errors["location"]
    assert count(session, Issue) == 0 and count(session, IssueEvent) == 0

    issue, created = submit_issue(session, payload(lon=lon, lat=lat, nearby_on_purpose=True), locator, "社工小王")
    assert created and "nearby on purpose" in issue.location_note


def test_the_far_half_of_a_bounding_street_counts_as_inside(session, locator, demo):
    boundary = demo.layers["boundary"].geometry.iloc[0]
    lon, lat = boundary.exterior.coords[5]
    across, _ = submit_issue(session, payload(lon=lon + 0.00008, lat=lat), locator, "x")  # ~8 m out at most
    assert across.location_note is None


def test_far_away_is_refused_even_when_deliberate(session, locator):
    with pytest.raises(ValidationError) as refused:
        submit_issue(session, payload(lon=121.47, lat=31.23, nearby_on_purpose=True), locator, "社工小王")
    assert "at most 300 m" in refused.value.field_errors["location"]


def test_derived_fields_cannot_be_sent_and_every_problem_is_named(session, locator):
    with pytest.raises(ValidationError) as refused:
        submit_issue(session, payload(title="", compound_id="hjl55", nearby_on_purpose="yes"), locator, "x")
    assert set(refused.value.field_errors) == {"title", "compound_id", "nearby_on_purpose"}


def test_the_same_id_twice_is_stored_once(session, locator):
    report = payload()
    first, created = submit_issue(session, report, locator, "社工小王")
    again, created_again = submit_issue(session, report, locator, "社工小王")
    assert created and not created_again
    assert again.id == first.id
    assert count(session, Issue) == 1


def test_how_the_position_was_found_is_kept_and_a_poor_gps_fix_is_flagged(session, locator):
    rough, _ = submit_issue(session, payload(location_source="gps", location_accuracy_m=45), locator, "社工小王")
    assert (rough.location_source, rough.location_accuracy_m, rough.location_flagged) == ("gps", 45.0, True)
    close, _ = submit_issue(session, payload(location_source="gps", location_accuracy_m=30), locator, "社工小王")
    assert not close.location_flagged  # only worse than ACCURACY_FLAG_M is flagged
    tapped, _ = submit_issue(session, payload(location_source="map"), locator, "社工小王")
    assert (tapped.location_source, tapped.location_accuracy_m, tapped.location_flagged) == ("map", None, False)


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("location_source", "wifi", "unknown value 'wifi'; expected one of gps, map, list"),
        ("location_accuracy_m", -1, "must be between 0 and 10000"),
        ("location_accuracy_m", 10001, "must be between 0 and 10000"),
        ("location_accuracy_m", float("nan"), "must be a finite number"),
        ("location_accuracy_m", True, "must be a number"),
    ],
)
def test_a_bad_position_source_or_accuracy_is_named(session, locator, field, value, message):
    with pytest.raises(ValidationError) as refused:
        submit_issue(session, payload(**{field: value}), locator, "社工小王")
    assert refused.value.field_errors == {field: message}
    assert count(session, Issue) == 0
