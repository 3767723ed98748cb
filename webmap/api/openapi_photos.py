"""The OpenAPI 3.0 description of the photo routes, merged into webmap.api.openapi's document.

Self-contained (schemas inline, shared ones by $ref) so that webmap.api.openapi can import it first.
"""
from __future__ import annotations

from typing import Any

from store.photo_files import (
    ACCEPTED_FORMATS,
    LONG_SIDE_MAX,
    PHOTO_MAX_BYTES,
    PHOTO_MAX_PIXELS,
    THUMBNAIL_LONG_SIDE,
)
from store.photos import PHOTOS_PER_ISSUE
from store.validation import COMMENT_MAX
from webmap.api import photos

Schema = dict[str, Any]

TEXT = {"type": "string"}
INSTANT = {"type": "string", "format": "date-time", "description": "ISO 8601 with offset (Shanghai time, +08:00)"}
MEGABYTES = PHOTO_MAX_BYTES // (1024 * 1024)


def _ref(kind: str, name: str) -> Schema:
    return {"$ref": f"#/components/{kind}/{name}"}


def _object(required: list[str], properties: dict[str, Schema], **extra: Any) -> Schema:
    return {"type": "object", "required": required, "properties": properties, **extra}


PHOTO_SUMMARY = _object(
    ["id", "url", "thumbnail_url", "width", "height", "uploaded_by", "uploaded_at"],
    {
        "id": {"type": "string", "format": "uuid"},
        "url": {"type": "string", "description": f"the photo: a JPEG, at most {LONG_SIDE_MAX} px on its long side"},
        "thumbnail_url": {"type": "string", "description": f"a JPEG of {THUMBNAIL_LONG_SIDE} px on its long side"},
        "width": {"type": "integer", "description": "pixels, upright"},
        "height": {"type": "integer"},
        "uploaded_by": TEXT,
        "uploaded_at": INSTANT,
    },
)
PHOTO = {
    "allOf": [
        PHOTO_SUMMARY,
        _object(
            ["issue", "content_type", "bytes"],
            {
                "issue": {"type": "string", "format": "uuid", "description": "the issue's id"},
                "content_type": {"type": "string", "enum": ["image/jpeg"]},
                "bytes": {"type": "integer", "description": "size of the stored JPEG"},
            },
        ),
    ]
}
UPLOAD = _object(
    [photos.PHOTO_FIELD],
    {
        photos.PHOTO_FIELD: {
            "type": "string",
            "format": "binary",
            "description": (
                f"{', '.join(ACCEPTED_FORMATS)} (decided by the content, not the name or type), at most {MEGABYTES} MB "
                f"and {PHOTO_MAX_PIXELS // 1_000_000} megapixels; HEIC is refused. Stored turned upright, at most "
                f"{LONG_SIDE_MAX} px, as a JPEG without any metadata (no place, time or device)"
            ),
        },
        "id": {
            "type": "string",
            "format": "uuid",
            "description": "chosen by the client; sending the same id again returns the stored photo (200)",
        },
        "comment": {"type": "string", "maxLength": COMMENT_MAX, "description": "kept with the photo's event"},
    },
)
INVALID_PHOTO = _object(
    ["error", "fields"],
    {
        "error": {"type": "string", "enum": ["invalid photo"]},
        "fields": {"type": "object", "additionalProperties": TEXT, "description": "one message per field",
                   "example": {photos.PHOTO_FIELD: "not an image: the content is not JPEG, PNG or WebP"}},
    },
)
PHOTO_ID = {
    "name": "photo_id",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "format": "uuid"},
    "description": "the photo's id",
}


def _json(s: Schema, description: str) -> Schema:
    return {"description": description, "content": {"application/json": {"schema": s}}}


def _image(operation_id: str, what: str) -> Schema:
    return {
        "get": {
            "tags": ["photos"],
            "operationId": operation_id,
            "summary": what,
            "description": "A stored photo never changes: it may be cached for good, and its ETag revalidates.",
            "responses": {
                "200": {
                    "description": f"{what}: a JPEG that never changes",
                    "headers": {
                        "ETag": {"schema": TEXT},
                        "Cache-Control": {"schema": TEXT, "example": photos.CACHE_FOREVER},
                        "Content-Disposition": {"schema": TEXT, "example": "inline; filename=photo-….jpg"},
                    },
                    "content": {"image/jpeg": {"schema": {"type": "string", "format": "binary"}}},
                },
                "304": {"description": "not modified (If-None-Match)"},
                "404": _json(_ref("schemas", "Error"), "no such photo"),
            },
        }
    }


def photo_paths() -> dict[str, Schema]:
    stored = _json(PHOTO, "the photo")
    return {
        "/issues/{issue_id}/photos": {
            "parameters": [_ref("parameters", "issue_id")],
            "post": {
                "tags": ["photos"],
                "operationId": "addIssuePhoto",
                "summary": f"add a photo to an issue (at most {PHOTOS_PER_ISSUE} an issue), recorded in its history",
                "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": UPLOAD}}},
                "responses": {
                    "201": {**stored, "description": "stored",
                            "headers": {"Location": {"schema": TEXT, "description": "the photo's URL"}}},
                    "200": {**stored, "description": "already stored under this id: the first upload"},
                    "404": _ref("responses", "NotFound"),
                    "413": _json(INVALID_PHOTO, f"the photo is over {MEGABYTES} MB"),
                    "422": _json(INVALID_PHOTO, "not a photo that is taken, or another field is wrong; each is named"),
                },
            },
        },
        "/photos/{photo_id}": {"parameters": [PHOTO_ID], **_image("getPhoto", "the photo")},
        "/photos/{photo_id}/thumbnail": {"parameters": [PHOTO_ID],
                                         **_image("getPhotoThumbnail", "the photo's thumbnail")},
    }
