"""/api/v1/issues/<id>/photos: add a photo to an issue; /api/v1/photos/<id>: the photo, and its thumbnail.

Uploads are multipart/form-data: the file in `photo`, optionally the client's
UUID in `id` (a retried upload is stored once) and a `comment`.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import current_app, request, send_file, url_for
from werkzeug.exceptions import RequestEntityTooLarge

from store import issues as store_issues
from store.errors import NotFound, ValidationError
from store.models import Photo
from store.photo_files import PHOTO_MAX_BYTES, prepare_photo, too_large_message
from store.photos import add_photo, get_photo, photo_path
from store.user_vocabulary import Permission
from webmap.access import requires
from webmap.accounts import current_actor
from webmap.api import bp
from webmap.api.issue_geojson import iso
from webmap.api.json_body import unusable_fields
from webmap.api.responses import invalid_photo, json_response
from webmap.database import session, transaction

PHOTO_FIELD = "photo"
FORM_FIELDS = ("id", "comment")
# Room for the multipart boundaries and part headers, and the other fields, around the photo itself.
FORM_OVERHEAD_BYTES = 64 * 1024
UPLOAD_MAX_BYTES = PHOTO_MAX_BYTES + FORM_OVERHEAD_BYTES
# A stored photo never changes: a new one gets a new id.
CACHE_FOREVER = "private, max-age=31536000, immutable"


def photo_dir() -> Path:
    return Path(current_app.config["PHOTO_DIR"])


def photo_summary(photo: Photo) -> dict[str, Any]:
    """A photo as an issue lists it."""
    return {
        "id": photo.public_id,
        "url": url_for("api.photo_file", photo_id=photo.public_id),
        "thumbnail_url": url_for("api.photo_thumbnail", photo_id=photo.public_id),
        "width": photo.width,
        "height": photo.height,
        "uploaded_by": photo.uploaded_by,
        "uploaded_at": iso(photo.uploaded_at),
    }


def photo_json(photo: Photo) -> dict[str, Any]:
    return {"issue": photo.issue.public_id, "content_type": photo.content_type, "bytes": photo.bytes,
            **photo_summary(photo)}


def _too_large(size: int | None = None):
    return invalid_photo({PHOTO_FIELD: too_large_message(size)}, 413)


def _form() -> tuple[Any, dict[str, str], dict[str, str]]:
    """The uploaded file, the other fields, and what is wrong with them."""
    problems = {
        name: "unknown field"
        for name in [*request.form, *request.files]
        if name not in FORM_FIELDS and name != PHOTO_FIELD
    }
    fields = {name: request.form[name] for name in FORM_FIELDS if name in request.form}
    problems.update(unusable_fields(fields))
    uploads = request.files.getlist(PHOTO_FIELD)
    if not uploads:
        problems[PHOTO_FIELD] = f"required: send the image as the file field {PHOTO_FIELD!r} of multipart/form-data"
    elif len(uploads) > 1:
        problems[PHOTO_FIELD] = "one photo per upload"
    return (uploads[0] if uploads else None), fields, problems


@bp.post("/issues/<public_id:issue_id>/photos")
@requires(Permission.REPORT)
def upload_photo(issue_id: str):
    if request.content_length is not None and request.content_length > UPLOAD_MAX_BYTES:
        return _too_large(request.content_length)
    request.max_content_length = UPLOAD_MAX_BYTES  # for this route only; JSON bodies keep their own limit
    store_issues.get_issue(session(), issue_id)  # an unknown issue is a 404 whatever was sent
    try:
        upload, fields, problems = _form()
        data = upload.read(PHOTO_MAX_BYTES + 1) if upload else b""
    except RequestEntityTooLarge:
        return _too_large()
    if problems:
        return invalid_photo(problems)
    if len(data) > PHOTO_MAX_BYTES:
        return _too_large()
    try:
        prepared = prepare_photo(data)  # before the transaction, so the database is not held while decoding
        with transaction() as s:
            photo, created = add_photo(
                s, photo_dir(), issue_id, prepared, current_actor(),
                public_id=fields.get("id"), comment=fields.get("comment"),
            )
            body = photo_json(photo)
    except ValidationError as problem:
        return invalid_photo({"id" if name == "public_id" else name: m for name, m in problem.field_errors.items()})
    response = json_response(body, 201 if created else 200)
    response.headers["Location"] = body["url"]
    return response


def _send(photo_id: str, *, thumbnail: bool):
    photo = get_photo(session(), photo_id)
    path = photo_path(photo_dir(), photo, thumbnail=thumbnail)
    if not path.is_file():
        raise NotFound("photo file", photo.public_id)
    name = f"photo-{photo.public_id}{'-thumbnail' if thumbnail else ''}"
    response = send_file(
        path,
        mimetype=photo.content_type,
        download_name=f"{name}.jpg",  # inline, with this name if saved
        etag=name,
        last_modified=photo.uploaded_at,
        conditional=True,
    )
    response.headers["Cache-Control"] = CACHE_FOREVER
    return response


@bp.get("/photos/<public_id:photo_id>")
def photo_file(photo_id: str):
    return _send(photo_id, thumbnail=False)


@bp.get("/photos/<public_id:photo_id>/thumbnail")
def photo_thumbnail(photo_id: str):
    return _send(photo_id, thumbnail=True)
