"""Issues as GeoJSON Features: what every issue endpoint returns. No Flask here."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from geo.crs import DISPLAY_DECIMALS
from store.models import Category, Issue, IssueEvent
from store.timestamps import LOCAL_TZ
from store.vocabulary import ACCURACY_FLAG_M


def iso(moment: datetime | date | None) -> str | None:
    """ISO 8601; instants in Shanghai time with their offset (+08:00)."""
    if moment is None:
        return None
    if isinstance(moment, datetime):
        return moment.astimezone(LOCAL_TZ).isoformat()
    return moment.isoformat()


def point(lon: float, lat: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [round(lon, DISPLAY_DECIMALS), round(lat, DISPLAY_DECIMALS)]}


def issue_properties(issue: Issue, lang: str) -> dict[str, Any]:
    category = issue.category
    return {
        "id": issue.public_id,
        "category": category.id,
        "category_name": category.name_zh if lang == "zh" else category.name_en,
        "colour": category.colour,
        "icon": category.icon,
        "title": issue.title,
        "description": issue.description,
        "status": issue.status,
        "rejection_reason": issue.rejection_reason,
        "priority": issue.priority,
        "source": issue.source,
        "address": issue.address,
        "building": issue.building_id,
        "compound": issue.compound_id,
        "reported_at": iso(issue.reported_at),
        "resolved_at": iso(issue.resolved_at),
        "updated_at": iso(issue.updated_at),
        "due_date": iso(issue.due_date),
        "assignee": issue.assignee,
        "typical_case": issue.is_typical_case,
        "location_source": issue.location_source,
        "location_accuracy_m": issue.location_accuracy_m,
        "location_flagged": issue.location_flagged,
    }


def row_feature(row: Any, category: Category, lang: str, photo_count: int) -> dict[str, Any]:
    """issue_feature of a row of store.issue_pages.ROW_COLUMNS (its category given): the same Feature, no ORM
    object."""
    # Unpacked by position (ROW_COLUMNS' order): several times quicker than by name.
    (_, public_id, _, title, description, status, rejection_reason, priority, source, address, building, compound,
     lon, lat, reported_at, resolved_at, updated_at, due_date, assignee, typical, location_source, accuracy) = row
    return {
        "type": "Feature",
        "id": public_id,
        "geometry": point(lon, lat),
        "properties": {
            "id": public_id,
            "category": category.id,
            "category_name": category.name_zh if lang == "zh" else category.name_en,
            "colour": category.colour,
            "icon": category.icon,
            "title": title,
            "description": description,
            "status": status,
            "rejection_reason": rejection_reason,
            "priority": priority,
            "source": source,
            "address": address,
            "building": building,
            "compound": compound,
            "reported_at": iso(reported_at),
            "resolved_at": iso(resolved_at),
            "updated_at": iso(updated_at),
            "due_date": iso(due_date),
            "assignee": assignee,
            "typical_case": typical,
            "location_source": location_source,
            "location_accuracy_m": accuracy,
            "location_flagged": accuracy is not None and accuracy > ACCURACY_FLAG_M,
            "photo_count": photo_count,
        },
    }


def event_json(event: IssueEvent) -> dict[str, Any]:
    return {
        "kind": event.kind,
        "from": event.from_value,
        "to": event.to_value,
        "comment": event.comment,
        "actor": event.actor,
        "at": iso(event.at),
    }


def issue_feature(issue: Issue, lang: str, *, events: bool = False, **extra: Any) -> dict[str, Any]:
    """The issue as a Feature (id = its public UUID); with `events`, its history oldest first."""
    properties = issue_properties(issue, lang)
    properties.update(extra)
    if events:
        history = sorted(issue.events, key=lambda e: (e.at, e.id or 0))
        properties["events"] = [event_json(e) for e in history]
    return {"type": "Feature", "id": issue.public_id, "geometry": point(issue.lon, issue.lat), "properties": properties}
