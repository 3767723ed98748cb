"""store.photos and store.photo_files: images checked by content, stripped of metadata, stored once, no stray files."""
from __future__ import annotations

import uuid
from io import BytesIO
from types import SimpleNamespace

import pytest
from PIL import Image
from sqlalchemy import func, select

import store.photos
from store.database import transaction
from store.errors import NotFound, ValidationError
from store.issues import get_issue
from store.models import Photo
from store.photo_files import PHOTO_MAX_BYTES, stored_path
from store.photos import add_photo, get_photo, list_photos, photo_counts, photo_path
from tests.store.helpers import add_issue
from tests.store.photo_samples import GPS_IFD, jpeg, png, png_header

@pytest.fixture()
def photo_dir(tmp_path):
    return tmp_path / "photos"


def files_in(photo_dir) -> list[str]:
    return sorted(p.name for p in photo_dir.iterdir()) if photo_dir.exists() else []


def rows(factory) -> int:
    with factory() as session:
        return session.scalar(select(func.count()).select_from(Photo))


def stored_image(photo_dir, photo, thumbnail=False) -> Image.Image:
    image = Image.open(photo_path(photo_dir, photo, thumbnail=thumbnail))
    image.load()
    return image


def test_a_photo_is_stored_upright_as_a_jpeg_without_any_metadata(session, photo_dir):
    source = jpeg(orientation=6)  # the camera was held upright: turn 90° clockwise to show it
    assert Image.open(BytesIO(source)).getexif().get_ifd(GPS_IFD)  # the place really is in the upload
    issue = add_issue(session)
    photo, created = add_photo(session, photo_dir, issue.public_id, source, "社工小王")
    assert created
    assert (photo.width, photo.height, photo.content_type) == (800, 1200, "image/jpeg")

    stored = stored_image(photo_dir, photo)
    assert stored.format == "JPEG" and stored.size == (800, 1200)
    assert len(stored.getexif()) == 0
    assert not {"exif", "icc_profile", "xmp", "comment"} & set(stored.info)
    raw = photo_path(photo_dir, photo).read_bytes()
    assert b"Apple" not in raw and b"iPhone" not in raw and b"taken at home" not in raw
    assert photo.bytes == len(raw)
    top, bottom = stored.getpixel((400, 100)), stored.getpixel((400, 1100))
    assert top[0] > 200 and top[2] < 60  # the left (red) half is now on top
    assert bottom[2] > 200 and bottom[0] < 60

    thumbnail = stored_image(photo_dir, photo, thumbnail=True)
    assert thumbnail.size == (213, 320) and len(thumbnail.getexif()) == 0
    assert files_in(photo_dir) == sorted([photo.file_name, photo.thumbnail_name])


def test_a_large_photo_is_shrunk_to_2048_on_its_long_side(session, photo_dir):
    photo, _ = add_photo(session, photo_dir, add_issue(session).public_id, jpeg((4000, 3000)), "社工小王")
    assert (photo.width, photo.height) == (2048, 1536)
    assert stored_image(photo_dir, photo, thumbnail=True).size == (320, 240)


def test_png_and_webp_are_taken_and_transparency_becomes_white(session, photo_dir):
    issue = add_issue(session)
    photo, _ = add_photo(session, photo_dir, issue.public_id, png(), "社工小王")
    stored = stored_image(photo_dir, photo)
    assert stored.format == "JPEG" and stored.mode == "RGB" and (photo.width, photo.height) == (400, 300)
    assert min(stored.getpixel((200, 150))) > 240

    buffer = BytesIO()
    Image.new("RGB", (64, 48), "orange").save(buffer, "WEBP")
    photo, _ = add_photo(session, photo_dir, issue.public_id, buffer.getvalue(), "社工小王")
    assert stored_image(photo_dir, photo).format == "JPEG"


@pytest.mark.parametrize(
    "data, message",
    [
        (b"just some text, though the file was called x.jpg", "not an image: the content is not JPEG, PNG or WebP"),
        (b"GIF89a" + png()[6:], "not an image: the content is not JPEG, PNG or WebP"),
        (jpeg()[:3000], "not a readable image: the file is damaged or cut short"),
        (png()[:60], "not a readable image: the file is damaged or cut short"),
        (b"\0\0\0\x18ftypheic\0\0\0\0mif1heic", "HEIC is not supported: send JPEG, PNG or WebP (the camera's "
                                               "'most compatible' format)"),
        (b"", "empty: the upload has no content"),
        (b"\xff" * (11 * 1024 * 1024), "too large: 11 MB, at most 10 MB"),
        (b"\xff" * (PHOTO_MAX_BYTES + 1), "too large: 10.1 MB, at most 10 MB"),
        (png_header(7000, 7000), "too many pixels: 7000×7000, at most 40 megapixels"),
        (png_header(20000, 20000), "too many pixels: at most 40 megapixels"),
    ],
    ids=["text", "gif", "truncated-jpeg", "truncated-png", "heic", "empty", "11MB", "one-byte-over", "49MP", "bomb"],
)
def test_what_is_not_a_photo_we_take_is_refused_with_a_clear_message(factory, photo_dir, data, message):
    with transaction(factory) as session:
        issue_id = add_issue(session).public_id
    with pytest.raises(ValidationError) as refused, transaction(factory) as session:
        add_photo(session, photo_dir, issue_id, data, "社工小王")
    assert refused.value.field_errors == {"photo": message}
    assert rows(factory) == 0 and files_in(photo_dir) == []


def test_the_same_id_again_returns_the_stored_photo_and_writes_nothing(factory, photo_dir):
    public_id = str(uuid.uuid4())
    with transaction(factory) as session:
        issue_id = add_issue(session).public_id
        first, created = add_photo(session, photo_dir, issue_id, jpeg(), "社工小王", public_id=public_id)
    assert created
    with transaction(factory) as session:
        again, created = add_photo(session, photo_dir, issue_id, png(), "社工小王", public_id=public_id.upper())
        assert not created and again.id == first.id and again.file_name == first.file_name
    assert rows(factory) == 1
    assert files_in(photo_dir) == sorted([first.file_name, first.thumbnail_name])
    with factory() as session:
        assert [e.kind for e in get_issue(session, issue_id).events] == ["created", "photo"]


def test_a_photo_id_cannot_be_reused_for_another_issue(session, photo_dir):
    public_id = str(uuid.uuid4())
    add_photo(session, photo_dir, add_issue(session).public_id, jpeg(), "社工小王", public_id=public_id)
    with pytest.raises(ValidationError) as refused:
        add_photo(session, photo_dir, add_issue(session).public_id, jpeg(), "社工小王", public_id=public_id)
    assert set(refused.value.field_errors) == {"public_id"}


def test_a_concurrent_upload_of_the_same_photo_keeps_one_row_and_one_pair_of_files(session, photo_dir, monkeypatch):
    """The race: another request stores the same id between our look-up and our insert."""
    issue = add_issue(session)
    public_id = str(uuid.uuid4())
    theirs, _ = add_photo(session, photo_dir, issue.public_id, jpeg(), "社工小李", public_id=public_id)
    real_scalar = session.scalar
    looked_up = []

    def misses_the_first_look_up(statement, *args, **kwargs):
        if not looked_up and "photos" in str(statement):
            looked_up.append(statement)
            return None
        return real_scalar(statement, *args, **kwargs)

    monkeypatch.setattr(session, "scalar", misses_the_first_look_up)
    ours, created = add_photo(session, photo_dir, issue.public_id, jpeg(), "社工小王", public_id=public_id)
    assert not created and ours.id == theirs.id
    assert files_in(photo_dir) == sorted([theirs.file_name, theirs.thumbnail_name])


def test_the_photo_is_an_event_of_the_issue_with_its_comment(session, photo_dir):
    issue = add_issue(session)
    photo, _ = add_photo(session, photo_dir, issue.public_id, jpeg(), "社工小王", comment="  修好后拍的  ")
    event = issue.events[-1]
    assert (event.kind, event.to_value, event.comment) == ("photo", photo.public_id, "修好后拍的")
    assert event.actor == "社工小王"
    assert photo.event is event and photo.uploaded_at == event.at == issue.updated_at
    assert photo.uploaded_by == "社工小王"


def test_files_of_a_transaction_that_fails_are_deleted(factory, photo_dir):
    with transaction(factory) as session:
        issue_id = add_issue(session).public_id
    with pytest.raises(RuntimeError), transaction(factory) as session:
        add_photo(session, photo_dir, issue_id, jpeg(), "社工小王")
        assert len(files_in(photo_dir)) == 2
        raise RuntimeError("the commit never comes")
    assert files_in(photo_dir) == [] and rows(factory) == 0

    with factory() as session:  # closed without a commit
        add_photo(session, photo_dir, issue_id, jpeg(), "社工小王")
    assert files_in(photo_dir) == [] and rows(factory) == 0


def test_files_go_with_a_savepoint_that_rolls_back_and_stay_with_one_that_commits(factory, photo_dir):
    with transaction(factory) as session:
        issue_id = add_issue(session).public_id
        savepoint = session.begin_nested()
        add_photo(session, photo_dir, issue_id, jpeg(), "社工小王")
        savepoint.rollback()
        assert files_in(photo_dir) == []
        with session.begin_nested():
            kept, _ = add_photo(session, photo_dir, issue_id, jpeg(), "社工小王")
    assert files_in(photo_dir) == sorted([kept.file_name, kept.thumbnail_name]) and rows(factory) == 1


def test_an_issue_takes_at_most_so_many_photos(session, photo_dir, monkeypatch):
    monkeypatch.setattr(store.photos, "PHOTOS_PER_ISSUE", 2)
    issue = add_issue(session)
    for _ in range(2):
        add_photo(session, photo_dir, issue.public_id, jpeg((64, 48)), "社工小王")
    with pytest.raises(ValidationError) as refused:
        add_photo(session, photo_dir, issue.public_id, jpeg((64, 48)), "社工小王")
    assert refused.value.field_errors == {"photo": "this issue already has 2 photos, the most it can have"}
    assert len(files_in(photo_dir)) == 4


def test_bad_fields_are_named_and_an_unknown_issue_is_not_found(session, photo_dir):
    issue = add_issue(session)
    with pytest.raises(ValidationError) as refused:
        add_photo(session, photo_dir, issue.public_id, jpeg(), " ", public_id="photo-1", comment="长" * 5001)
    assert set(refused.value.field_errors) == {"actor", "public_id", "comment"}
    with pytest.raises(NotFound):
        add_photo(session, photo_dir, str(uuid.uuid4()), jpeg(), "社工小王")
    assert files_in(photo_dir) == []


def test_photos_are_listed_oldest_first_counted_and_found_by_id(session, photo_dir):
    issue, other = add_issue(session), add_issue(session)
    first, _ = add_photo(session, photo_dir, issue.public_id, jpeg((64, 48)), "社工小王")
    second, _ = add_photo(session, photo_dir, issue.public_id, png(), "社工小李")
    assert [p.id for p in list_photos(session, issue.public_id)] == [first.id, second.id]
    assert photo_counts(session, [issue.id, other.id]) == {issue.id: 2}
    assert photo_counts(session, []) == {}
    assert get_photo(session, second.public_id.upper()).id == second.id
    for unknown in (str(uuid.uuid4()), "../etc/passwd"):
        with pytest.raises(NotFound):
            get_photo(session, unknown)


@pytest.mark.parametrize(
    "name",
    ["../secret_key", "/etc/passwd", "..", "", "a" * 32 + ".jpg/../../x", "0" * 32 + ".png", "0" * 32 + ".jpg\0",
     "../" + "0" * 32 + ".jpg", "0" * 31 + "g.jpg"],
)
def test_no_stored_name_reaches_outside_the_photo_folder(photo_dir, name):
    with pytest.raises(ValueError):
        stored_path(photo_dir, name)
    with pytest.raises(ValueError):
        photo_path(photo_dir, SimpleNamespace(file_name=name, thumbnail_name=name))
    good = "0123456789abcdef" * 2
    assert stored_path(photo_dir, f"{good}.thumb.jpg") == (photo_dir / f"{good}.thumb.jpg").resolve()
