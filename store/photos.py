"""Photos of issues: stored once per client id, each an event in the issue's history, their files beside the database.

Like store.issues, each function works inside the caller's session. The files
are written before the row is inserted and deleted again if the transaction
does not commit (store.pending_files).
"""
from __future__ import annotations

import os
import uuid
from collections.abc import Collection
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.errors import NotFound, ValidationError
from store.idempotent import add_once
from store.issues import get_issue
from store.models import Issue, IssueEvent, Photo
from store.pending_files import delete_files, keep_if_committed
from store.photo_files import PreparedPhoto, prepare_photo, stored_path, write_photo_files
from store.timestamps import utcnow
from store.validation import COMMENT_MAX, NAME_MAX, FieldErrors, public_id as uuid_text, text
from store.vocabulary import EventKind

PHOTOS_PER_ISSUE = 20


def _by_public_id(public_id: str):
    return select(Photo).where(Photo.public_id == public_id)


def _checked(actor: Any, public_id: Any, comment: Any) -> tuple[str, str | None, str | None]:
    errors = FieldErrors()
    actor = errors.check("actor", text, actor, max_length=NAME_MAX, required=True)
    public_id = None if public_id is None else errors.check("public_id", uuid_text, public_id)
    comment = errors.check("comment", text, comment, max_length=COMMENT_MAX)
    errors.raise_if_any()
    return actor, public_id, comment


def _stored_before(photo: Photo, issue: Issue) -> tuple[Photo, bool]:
    if photo.issue_id != issue.id:
        raise ValidationError({"public_id": "already the id of a photo of another issue"})
    return photo, False


def add_photo(
    session: Session,
    photo_dir: str | os.PathLike,
    issue_public_id: str,
    data: bytes | PreparedPhoto,
    actor: str,
    public_id: str | None = None,
    comment: str | None = None,
) -> tuple[Photo, bool]:
    """Store a photo of the issue with a `photo` event (carrying the comment, if any); (photo, created).

    `data` is the upload as it came, or already prepare_photo'd outside the
    transaction so the database is not held while the image is decoded.
    Idempotent on public_id: the same id again returns the stored photo as
    (photo, False) and writes nothing.
    """
    actor, public_id, comment = _checked(actor, public_id, comment)
    issue = get_issue(session, issue_public_id)
    public_id = public_id or str(uuid.uuid4())
    existing = session.scalar(_by_public_id(public_id))
    if existing is not None:
        return _stored_before(existing, issue)

    prepared = data if isinstance(data, PreparedPhoto) else prepare_photo(data)
    session.execute(select(Issue.id).where(Issue.id == issue.id).with_for_update())  # one at a time: the count holds
    count = session.scalar(select(func.count()).select_from(Photo).where(Photo.issue_id == issue.id))
    if count >= PHOTOS_PER_ISSUE:
        raise ValidationError({"photo": f"this issue already has {count} photos, the most it can have"})

    files = write_photo_files(photo_dir, prepared)
    paths = [stored_path(photo_dir, files.file_name), stored_path(photo_dir, files.thumbnail_name)]
    keep_if_committed(session, *paths)
    now = utcnow()
    photo = Photo(
        public_id=public_id,
        issue_id=issue.id,
        file_name=files.file_name,
        thumbnail_name=files.thumbnail_name,
        content_type=prepared.content_type,
        width=prepared.width,
        height=prepared.height,
        bytes=len(prepared.jpeg),
        uploaded_by=actor,
        uploaded_at=now,
    )
    photo, added = add_once(session, photo, _by_public_id(public_id))
    if not added:  # the same upload, stored by a concurrent request since we looked
        delete_files(*paths)
        return _stored_before(photo, issue)

    event = IssueEvent(issue=issue, kind=EventKind.PHOTO.value, to_value=public_id, comment=comment, actor=actor,
                       at=now)
    session.add(event)
    photo.event = event
    issue.updated_at = now
    session.flush()
    session.expire(issue, ["photos"])
    return photo, True


def get_photo(session: Session, public_id: str) -> Photo:
    try:
        public_id = str(uuid.UUID(str(public_id)))
    except ValueError:
        raise NotFound("photo", public_id) from None
    photo = session.scalar(_by_public_id(public_id))
    if photo is None:
        raise NotFound("photo", public_id)
    return photo


def list_photos(session: Session, issue_public_id: str) -> list[Photo]:
    """The issue's photos, oldest first."""
    return list(get_issue(session, issue_public_id).photos)


def photo_counts(session: Session, issue_ids: Collection[int]) -> dict[int, int]:
    """How many photos each of these issues (database ids) has; issues without any are left out."""
    if not issue_ids:
        return {}
    rows = session.execute(
        select(Photo.issue_id, func.count()).where(Photo.issue_id.in_(list(issue_ids))).group_by(Photo.issue_id)
    )
    return {issue_id: count for issue_id, count in rows}


def photo_path(photo_dir: str | os.PathLike, photo: Photo, *, thumbnail: bool = False) -> Path:
    """The photo's file (or its thumbnail's) in photo_dir; never a path outside it."""
    return stored_path(photo_dir, photo.thumbnail_name if thumbnail else photo.file_name)
