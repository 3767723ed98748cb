"""Taking in a new issue report: checked field by field, placed with geo/, stored once.

The one path every front end uses (JSON API, tablet outbox, seed), so the
rules for a report live here and nowhere else.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from geo.locate import Locator
from store.errors import ValidationError
from store.issues import create_issue, validate_new_issue
from store.models import Issue
from store.vocabulary import Source

NEARBY_FLAG = "nearby_on_purpose"
# The boundary runs along street centrelines: the far half of a bounding street is still ours.
BOUNDARY_STREETS_M = 15.0
# A report placed outside on purpose (the tunnel portal, the far kerb of 中华路) is still ours
# only if it is this close.
NEARBY_MAX_M = 300.0
DEFAULT_SOURCE = Source.PATROL.value
DERIVED_FIELDS = ("building_id", "compound_id")


def submit_issue(
    session: Session, payload: Any, locator: Locator, actor: str, *, at: datetime | None = None
) -> tuple[Issue, bool]:
    """Store a report; (issue, created). The same client id again returns the first issue.

    `at`: when it was entered, for records taken over from earlier work (default now).
    """
    if not isinstance(payload, Mapping):
        raise ValidationError({"payload": "must be a JSON object"})
    fields = dict(payload)
    nearby_on_purpose = fields.pop(NEARBY_FLAG, False)
    errors: dict[str, str] = {}
    if not isinstance(nearby_on_purpose, bool):
        errors[NEARBY_FLAG] = "must be true or false"
    for name in DERIVED_FIELDS:
        if name in fields:
            errors[name] = "is derived from the location; do not send it"
    fields.setdefault("source", DEFAULT_SOURCE)
    try:
        data = validate_new_issue(fields)
    except ValidationError as problem:
        raise ValidationError({**problem.field_errors, **errors}) from None
    if errors:
        raise ValidationError(errors)

    place = locator.locate(data.lon, data.lat)
    note = data.location_note
    if place.distance_to_boundary_m > BOUNDARY_STREETS_M:
        away = round(place.distance_to_boundary_m)
        if not nearby_on_purpose:
            raise ValidationError(
                {"location": f"outside the neighbourhood boundary ({away} m away); "
                 f"send {NEARBY_FLAG}: true if it is deliberately nearby"}
            )
        if place.distance_to_boundary_m > NEARBY_MAX_M:
            raise ValidationError(
                {"location": f"{away} m outside the neighbourhood boundary; at most {NEARBY_MAX_M:g} m is accepted"}
            )
        note = note or f"nearby on purpose, {away} m outside the boundary"
    data = dataclasses.replace(
        data,
        building_id=place.building_id,
        compound_id=place.compound_id,
        address=data.address or place.address,
        location_note=note,
    )
    return create_issue(session, data, actor, at=at)
