"""POST /api/v1/issues/<id>/photos and GET /api/v1/photos/<id>[/thumbnail]: checked, stripped, stored once, served as JPEG."""
from __future__ import annotations

import uuid
from io import BytesIO

import pytest
from openapi_schema_validator import OAS30Validator
from PIL import Image

from tests.store.photo_samples import GPS_IFD, jpeg
from tests.webmap.api.helpers import report

PREFIX = "/api/v1"


@pytest.fixture(autouse=True)
def photo_dir(api_app, tmp_path):
    api_app.config["PHOTO_DIR"] = str(tmp_path / "photos")
    return tmp_path / "photos"


def upload(client, issue_id: str, data: bytes, name: str = "IMG_0001.jpg", **fields):
    form = {"photo": (BytesIO(data), name, "image/jpeg"), **fields}
    return client.post(f"{PREFIX}/issues/{issue_id}/photos", data=form, content_type="multipart/form-data")


def stored_files(photo_dir) -> list[str]:
    return sorted(p.name for p in photo_dir.iterdir()) if photo_dir.exists() else []


def test_an_uploaded_photo_is_stored_and_served_as_a_jpeg_without_exif(api, photo_dir):
    issue_id = report(api)["id"]
    source = jpeg((1600, 1200))
    assert Image.open(BytesIO(source)).getexif().get_ifd(GPS_IFD)
    photo_id = str(uuid.uuid4())
    response = upload(api, issue_id, source, id=photo_id, comment="垃圾还在")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body == {
        "id": photo_id,
        "issue": issue_id,
        "url": f"{PREFIX}/photos/{photo_id}",
        "thumbnail_url": f"{PREFIX}/photos/{photo_id}/thumbnail",
        "content_type": "image/jpeg",
        "width": 1600,
        "height": 1200,
        "bytes": body["bytes"],
        "uploaded_by": body["uploaded_by"],
        "uploaded_at": body["uploaded_at"],
    }
    assert response.headers["Location"] == body["url"]
    assert body["uploaded_by"] and body["uploaded_at"].endswith("+08:00")

    served = api.get(body["url"])
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert served.headers["Cache-Control"] == "private, max-age=31536000, immutable"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Disposition"] == f"inline; filename=photo-{photo_id}.jpg"
    assert len(served.data) == body["bytes"]
    image = Image.open(BytesIO(served.data))
    assert image.format == "JPEG" and image.size == (1600, 1200)
    assert len(image.getexif()) == 0 and "exif" not in image.info
    assert b"iPhone" not in served.data
    assert api.get(body["url"], headers={"If-None-Match": served.headers["ETag"]}).status_code == 304

    thumbnail = api.get(body["thumbnail_url"])
    assert thumbnail.status_code == 200 and thumbnail.mimetype == "image/jpeg"
    assert Image.open(BytesIO(thumbnail.data)).size == (320, 240)
    assert thumbnail.headers["ETag"] != served.headers["ETag"]

    [event] = [e for e in api.get(f"{PREFIX}/issues/{issue_id}").get_json()["properties"]["events"]
               if e["kind"] == "photo"]
    assert (event["to"], event["comment"]) == (photo_id, "垃圾还在")


def test_a_retried_upload_is_stored_once(api, photo_dir):
    issue_id = report(api)["id"]
    photo_id = str(uuid.uuid4())
    first = upload(api, issue_id, jpeg(), id=photo_id)
    again = upload(api, issue_id, jpeg(), id=photo_id.upper())
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json() == first.get_json()
    assert len(stored_files(photo_dir)) == 2  # the photo and its thumbnail, once
    properties = api.get(f"{PREFIX}/issues/{issue_id}").get_json()["properties"]
    assert [p["id"] for p in properties["photos"]] == [photo_id]
    assert [e["kind"] for e in properties["events"]].count("photo") == 1


def test_the_issue_lists_its_photos_and_every_list_counts_them(api):
    issue_id = report(api)["id"]
    other_id = report(api)["id"]
    body = upload(api, issue_id, jpeg()).get_json()
    properties = api.get(f"{PREFIX}/issues/{issue_id}").get_json()["properties"]
    assert properties["photo_count"] == 1
    assert properties["photos"] == [
        {key: body[key] for key in ("id", "url", "thumbnail_url", "width", "height", "uploaded_by", "uploaded_at")}
    ]
    listed = {f["id"]: f["properties"] for f in api.get(f"{PREFIX}/issues").get_json()["features"]}
    assert (listed[issue_id]["photo_count"], listed[other_id]["photo_count"]) == (1, 0)
    assert "photos" not in listed[issue_id]
    nearby = api.get(f"{PREFIX}/issues/nearby?lon=121.493&lat=31.222&radius=200").get_json()["features"]
    assert {f["id"]: f["properties"]["photo_count"] for f in nearby} == {issue_id: 1, other_id: 0}


@pytest.mark.parametrize(
    "data, name, message",
    [
        (b"<html>not a photo</html>", "x.jpg", "not an image: the content is not JPEG, PNG or WebP"),
        (jpeg()[:2000], "cut.jpg", "not a readable image: the file is damaged or cut short"),
        (b"\0\0\0\x18ftypheic\0\0\0\0mif1heic", "IMG_0002.HEIC", "HEIC is not supported"),
    ],
)
def test_a_fake_or_damaged_photo_is_refused_naming_the_field(api, photo_dir, data, name, message):
    issue_id = report(api)["id"]
    response = upload(api, issue_id, data, name)
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == "invalid photo" and set(body["fields"]) == {"photo"}
    assert body["fields"]["photo"].startswith(message)
    assert stored_files(photo_dir) == []


def test_a_photo_over_10_mb_is_refused_with_413_naming_the_field_and_the_limit(api, photo_dir):
    issue_id = report(api)["id"]
    response = upload(api, issue_id, b"\xff" * (11 * 1024 * 1024))
    assert response.status_code == 413
    body = response.get_json()
    assert body["error"] == "invalid photo" and set(body["fields"]) == {"photo"}
    assert body["fields"]["photo"].startswith("too large: 11") and body["fields"]["photo"].endswith("at most 10 MB")
    assert stored_files(photo_dir) == []
    # Other routes keep their own, smaller limit.
    assert api.post(f"{PREFIX}/issues", data=b"{" + b" " * (2 * 1024 * 1024) + b"}",
                    content_type="application/json").status_code == 413


def test_an_unknown_issue_is_a_404_whatever_was_sent(api):
    for issue_id in (str(uuid.uuid4()), "not-a-uuid"):
        response = upload(api, issue_id, b"not even a photo")
        assert response.status_code == 404 and response.get_json()["error"] == "Not Found"


@pytest.mark.parametrize(
    "form, field, message",
    [
        ({}, "photo", "required: send the image as the file field 'photo' of multipart/form-data"),
        ({"id": "photo-1"}, "id", "not a UUID: 'photo-1'"),
        ({"caption": "x"}, "caption", "unknown field"),
        ({"comment": "a\0b"}, "comment", "contains a NUL character"),
        ({"comment": "长" * 5001}, "comment", "too long: 5001 characters, at most 5000"),
    ],
)
def test_bad_form_fields_are_named(api, photo_dir, form, field, message):
    issue_id = report(api)["id"]
    if field != "photo":
        form = {"photo": (BytesIO(jpeg((64, 48))), "a.jpg"), **form}
    response = api.post(f"{PREFIX}/issues/{issue_id}/photos", data=form, content_type="multipart/form-data")
    assert response.status_code == 422
    assert response.get_json()["fields"][field] == message
    assert stored_files(photo_dir) == []


def test_a_json_body_is_not_a_photo(api):
    issue_id = report(api)["id"]
    response = api.post(f"{PREFIX}/issues/{issue_id}/photos", json={"photo": "aGVsbG8="})
    assert response.status_code == 422 and set(response.get_json()["fields"]) == {"photo"}


def test_a_photo_id_of_another_issue_is_refused(api):
    photo_id = str(uuid.uuid4())
    assert upload(api, report(api)["id"], jpeg(), id=photo_id).status_code == 201
    response = upload(api, report(api)["id"], jpeg(), id=photo_id)
    assert response.status_code == 422 and set(response.get_json()["fields"]) == {"id"}


@pytest.mark.parametrize("path", ["/photos/{id}", "/photos/{id}/thumbnail"])
def test_an_unknown_photo_is_a_json_404(api, path):
    for photo_id in (str(uuid.uuid4()), "..%2F..%2Fsecret_key", "0" * 32):
        response = api.get(PREFIX + path.format(id=photo_id))
        assert response.status_code == 404 and response.mimetype == "application/json"


def test_how_a_report_was_placed_is_kept_and_a_poor_fix_flagged(api):
    properties = report(api, location_source="gps", location_accuracy_m=45)["properties"]
    assert (properties["location_source"], properties["location_accuracy_m"], properties["location_flagged"]) == (
        "gps", 45.0, True
    )
    plain = report(api)["properties"]
    assert (plain["location_source"], plain["location_accuracy_m"], plain["location_flagged"]) == (None, None, False)
    refused = api.post(f"{PREFIX}/issues", json={"category": "sanitation", "title": "t", "lon": 121.493,
                                                 "lat": 31.222, "location_source": "wifi", "location_accuracy_m": -3})
    assert refused.status_code == 422
    assert set(refused.get_json()["fields"]) == {"location_source", "location_accuracy_m"}


def test_answers_match_the_openapi_document(api):
    document = api.get(f"{PREFIX}/openapi.json").get_json()

    def conforms(schema, instance):
        validator = OAS30Validator({**schema, "components": document["components"]})
        errors = sorted(validator.iter_errors(instance), key=str)
        assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])

    issue_id = report(api, location_source="map")["id"]
    post = document["paths"]["/issues/{issue_id}/photos"]["post"]["responses"]
    created = upload(api, issue_id, jpeg())
    conforms(post["201"]["content"]["application/json"]["schema"], created.get_json())
    conforms(post["422"]["content"]["application/json"]["schema"], upload(api, issue_id, b"x").get_json())
    conforms({"$ref": "#/components/schemas/IssueWithEvents"}, api.get(f"{PREFIX}/issues/{issue_id}").get_json())
    conforms({"$ref": "#/components/schemas/IssueCollection"}, api.get(f"{PREFIX}/issues").get_json())
