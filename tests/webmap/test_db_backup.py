"""`flask --app app db backup PATH` and `db restore PATH` on both backends: a round trip gives back every row and photo;
a damaged archive, or one from a newer schema, is refused and changes nothing; an older one is migrated."""
from __future__ import annotations

import io
import json
import tarfile
import uuid
import warnings
from pathlib import Path

import pytest
from sqlalchemy import MetaData, select, text
from sqlalchemy.exc import SAWarning

from store.backup import MANIFEST
from store.database import current_revision, downgrade, head_revision, make_engine, upgrade
from tests.accounts import add_user, client_as
from tests.conftest import make_app
from tests.store.photo_samples import jpeg
from tests.webmap.api.helpers import body, offset_point, CENTRE_LAT, CENTRE_LON

PREFIX = "/api/v1"


@pytest.fixture()
def photo_dir(tmp_path) -> Path:
    return tmp_path / "photos"


@pytest.fixture()
def backup_app(empty_url, photo_dir):
    app = make_app(DATABASE_URL=empty_url, PHOTO_DIR=str(photo_dir))
    yield app
    app.extensions["store"].engine.dispose()  # before the backend drops the database


@pytest.fixture()
def api(backup_app):
    return client_as(backup_app, "admin")


def cli(app, *args: str, input: str | None = None):
    return app.test_cli_runner().invoke(args=["db", *args], input=input)


def report(api, **overrides) -> str:
    response = api.post(f"{PREFIX}/issues", json=body(**overrides))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def upload(api, issue_id: str, size=(900, 600)) -> dict:
    form = {"photo": (io.BytesIO(jpeg(size)), "IMG_0001.jpg", "image/jpeg"), "id": str(uuid.uuid4())}
    response = api.post(f"{PREFIX}/issues/{issue_id}/photos", data=form, content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def fill(app, api) -> dict:
    """Issues (one with two photos, one changed), a project linking one, and users of every role."""
    first = report(api)
    second = report(api, category="lighting", title="路灯不亮", lon=offset_point(CENTRE_LON, CENTRE_LAT, 90, 40)[0])
    third = report(api, category="parking", title="乱停车")
    photos = [upload(api, first), upload(api, first, (640, 480))]
    changed = api.patch(f"{PREFIX}/issues/{second}", json={"status": "acknowledged", "priority": "high",
                                                            "comment": "已派人", "update_id": str(uuid.uuid4())})
    assert changed.status_code == 200, changed.get_json()
    project = api.post(f"{PREFIX}/projects", json={
        "id": str(uuid.uuid4()), "name": "黄家路55弄美丽家园", "kind": "beautiful_home", "compounds": ["hjl55"],
        "planned_start": "2027-03-01", "planned_end": "2027-10-31", "budget": 2450000.5, "link_issues": [third],
    })
    assert project.status_code == 201, project.get_json()
    for role in ("viewer", "field_staff", "planner"):
        add_user(app, role)
    return {"issues": [first, second, third], "photos": [p["id"] for p in photos], "project": project.get_json()["id"]}


def rows(app) -> dict[str, list[tuple]]:
    """Every row of every table of ours (not PostGIS's), in primary key order."""
    engine = app.extensions["store"].engine
    metadata = MetaData()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)  # PostGIS's geometry type: its rows compare as they come
        metadata.reflect(engine)
    found = {}
    with engine.connect() as connection:
        for name, table in sorted(metadata.tables.items()):
            if name.startswith("issue_rtree") or name == "spatial_ref_sys":
                continue
            key = list(table.primary_key.columns) or list(table.columns)
            found[name] = [tuple(row) for row in connection.execute(select(table).order_by(*key))]
    return found


def photo_files(photo_dir: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(photo_dir.iterdir())}


def answers(api, made: dict) -> dict:
    """What the API says about everything made: the lists, each issue and project, each photo's bytes."""
    issues = api.get(f"{PREFIX}/issues?limit=1000").get_json()
    issues.pop("timeStamp")
    return {
        "issues": issues,
        "each": [api.get(f"{PREFIX}/issues/{issue}").get_json() for issue in made["issues"]],
        "project": api.get(f"{PREFIX}/projects/{made['project']}").get_json(),
        "photos": [(api.get(f"{PREFIX}/photos/{p}").data, api.get(f"{PREFIX}/photos/{p}/thumbnail").data)
                   for p in made["photos"]],
    }


def change_everything(app, api, made: dict) -> None:
    """After the backup: new and changed issues, a new photo, a new user, rows and photo files deleted."""
    report(api, title="备份之后")
    upload(api, made["issues"][2])
    assert api.patch(f"{PREFIX}/issues/{made['issues'][0]}", json={"status": "in_progress"}).status_code == 200
    add_user(app, "viewer", "late.comer")
    engine = app.extensions["store"].engine
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM project_issues"))
        connection.execute(text("DELETE FROM projects"))
        connection.execute(text("UPDATE users SET active = :no WHERE username = 'viewer'"), {"no": False})
    for path in list(app.config and Path(app.config["PHOTO_DIR"]).iterdir())[:1]:
        path.unlink()


def test_a_round_trip_gives_back_every_row_photo_and_answer(backup_app, api, photo_dir, tmp_path):
    made = fill(backup_app, api)
    before_rows, before_files, before_answers = rows(backup_app), photo_files(photo_dir), answers(api, made)
    assert len(before_files) == 4  # two photos, each with its thumbnail

    archive = tmp_path / "backups" / "jintan.tar.gz"
    result = cli(backup_app, "backup", str(archive))
    assert result.exit_code == 0, result.output
    assert "3 issues" in result.output and "1 projects" in result.output and "2 photos" in result.output
    assert archive.stat().st_mode & 0o077 == 0  # password and token hashes: for its owner only
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile(MANIFEST))
        names = set(tar.getnames())
    assert manifest["schema_revision"] == head_revision()
    assert manifest["backend"] == backup_app.extensions["store"].engine.dialect.name
    assert manifest["counts"]["issues"] == 3 and manifest["counts"]["photos"] == 2
    assert manifest["counts"]["users"] == 4 and manifest["counts"]["photo_files"] == 4
    assert {f"photos/{name}" for name in before_files} <= names

    assert cli(backup_app, "backup", str(archive)).exit_code == 1  # never over an archive unless --force

    change_everything(backup_app, api, made)
    assert rows(backup_app) != before_rows and photo_files(photo_dir) != before_files

    declined = cli(backup_app, "restore", str(archive), input="n\n")
    assert declined.exit_code == 1 and "holds      3 issues" in declined.output
    assert rows(backup_app) != before_rows

    result = cli(backup_app, "restore", str(archive), "--yes")
    assert result.exit_code == 0, result.output
    assert rows(backup_app) == before_rows
    assert photo_files(photo_dir) == before_files  # the deleted file back, the later photo's files gone
    assert answers(api, made) == before_answers  # the running app answers from the restored database
    assert report(api, title="恢复之后")  # and goes on storing, ids and all


def archive_with(source: Path, target: Path, change) -> Path:
    """A copy of the archive `source` with its members passed through change(name, data) -> data (None drops it)."""
    with tarfile.open(source) as tar, tarfile.open(target, "w") as out:
        for member in tar:
            data = change(member.name, tar.extractfile(member).read())
            if data is None:
                continue
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))
    return target


def newer_schema(name: str, data: bytes) -> bytes:
    if name != MANIFEST:
        return data
    manifest = json.loads(data)
    manifest["schema_revision"] = "0099"
    return json.dumps(manifest).encode()


def flip_a_byte_of_the_database(name: str, data: bytes) -> bytes:
    if not name.startswith("database."):
        return data
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1:]


def test_a_damaged_or_newer_archive_is_refused_and_changes_nothing(backup_app, api, photo_dir, tmp_path):
    made = fill(backup_app, api)
    archive = tmp_path / "jintan.tar"
    assert cli(backup_app, "backup", str(archive)).exit_code == 0
    change_everything(backup_app, api, made)
    after_rows, after_files = rows(backup_app), photo_files(photo_dir)
    data = archive.read_bytes()

    truncated = tmp_path / "truncated.tar"
    truncated.write_bytes(data[: len(data) // 2])
    garbage = tmp_path / "garbage.tar"
    garbage.write_bytes(b"not an archive at all" * 100)
    gz_truncated = tmp_path / "truncated.tar.gz"
    packed = tmp_path / "packed.tar.gz"
    assert cli(backup_app, "backup", str(packed)).exit_code == 0
    gz_truncated.write_bytes(packed.read_bytes()[:-200])
    cases = {
        truncated: "not a usable backup",
        garbage: "not a usable backup",
        gz_truncated: "damaged or cut short",
        archive_with(archive, tmp_path / "flipped.tar", flip_a_byte_of_the_database): "checksum differs",
        archive_with(archive, tmp_path / "no-manifest.tar", lambda n, d: None if n == MANIFEST else d): "no manifest",
        archive_with(archive, tmp_path / "newer.tar", newer_schema): "newer than this code knows",
    }
    for path, message in cases.items():
        result = cli(backup_app, "restore", str(path), "--yes")
        assert result.exit_code == 1, (path.name, result.output)
        assert message in result.output and "Nothing was changed" in result.output, (path.name, result.output)
        assert rows(backup_app) == after_rows, path.name
        assert photo_files(photo_dir) == after_files, path.name  # no staging folder left behind either


def test_a_restore_that_fails_half_way_on_postgresql_is_rolled_back_whole(backup_app, api, photo_dir, tmp_path):
    if backup_app.extensions["store"].engine.dialect.name != "postgresql":
        pytest.skip("SQLite copies the checked archive in with one backup step: there is no half way")
    made = fill(backup_app, api)
    archive = tmp_path / "jintan.tar"
    assert cli(backup_app, "backup", str(archive)).exit_code == 0
    change_everything(backup_app, api, made)
    with backup_app.extensions["store"].engine.begin() as connection:
        # A sequence that survives dropping its table: the restore's CREATE SEQUENCE then fails, well into the script.
        connection.execute(text("ALTER SEQUENCE photos_id_seq OWNED BY NONE"))
    after_rows, after_files = rows(backup_app), photo_files(photo_dir)

    result = cli(backup_app, "restore", str(archive), "--yes")
    assert result.exit_code == 1 and "photos_id_seq" in result.output
    assert "rolled back: nothing was changed" in result.output
    assert rows(backup_app) == after_rows
    assert photo_files(photo_dir) == after_files  # the photos put back for it are taken away again


def test_an_older_archive_is_restored_and_migrated(backup_app, api, empty_url, photo_dir, tmp_path):
    report(api, title="旧版本的问题")
    backup_app.extensions["store"].engine.dispose()
    engine = make_engine(empty_url)
    try:
        downgrade(engine, "0004")  # as the app was before update ids (0005)
        old = make_app(DATABASE_URL=empty_url, PHOTO_DIR=str(photo_dir), AUTO_MIGRATE=False)
        archive = tmp_path / "old.tar"
        result = cli(old, "backup", str(archive))
        old.extensions["store"].engine.dispose()
        assert result.exit_code == 0 and "revision 0004" in result.output, result.output

        upgrade(engine)
        report(api, title="新版本的问题")
        result = cli(backup_app, "restore", str(archive), "--yes")
        assert result.exit_code == 0, result.output
        assert f"migrated to {head_revision()}" in result.output
        assert current_revision(engine) == head_revision()
        titles = [feature["properties"]["title"] for feature in api.get(f"{PREFIX}/issues").get_json()["features"]]
        assert titles == ["旧版本的问题"]
    finally:
        engine.dispose()


def test_a_backup_taken_while_issues_are_written_is_one_consistent_instant(backup_app, api, photo_dir, tmp_path):
    import threading

    stop = threading.Event()
    written = []

    def write():
        client = client_as(backup_app, "field_staff", "writer")
        while not stop.is_set():
            issue = report(client, title="备份期间")
            if len(written) % 5 == 0:
                upload(client, issue, (320, 240))
            written.append(issue)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        while len(written) < 3:
            stop.wait(0.05)
        archive = tmp_path / "during.tar"
        result = cli(backup_app, "backup", str(archive))
    finally:
        stop.set()
        writer.join()
    assert result.exit_code == 0, result.output
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile(MANIFEST))
    assert 3 <= manifest["counts"]["issues"] <= len(written)
    assert manifest["counts"]["photo_files"] == 2 * manifest["counts"]["photos"] and not manifest["missing_photo_files"]

    result = cli(backup_app, "restore", str(archive), "--yes")
    assert result.exit_code == 0, result.output
    with backup_app.extensions["store"].engine.connect() as connection:
        issues = connection.execute(text("SELECT count(*) FROM issues")).scalar_one()
        without_created = connection.execute(text(
            "SELECT count(*) FROM issues i WHERE NOT EXISTS (SELECT 1 FROM issue_events e"
            " WHERE e.issue_id = i.id AND e.kind = 'created')")).scalar_one()
        photos = connection.execute(text("SELECT count(*) FROM photos")).scalar_one()
    assert (issues, photos, without_created) == (manifest["counts"]["issues"], manifest["counts"]["photos"], 0)
    assert len(photo_files(photo_dir)) == 2 * photos  # the files of the photos after the instant are gone again
