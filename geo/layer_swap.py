"""Replacing a layer's files in the data folder: one import at a time (a lock file), the old files moved to
.backup/<time>/, and everything put back if any step fails."""
from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from geo.schema import LAYER_NAMES

LOCK_FILE = ".import.lock"
BACKUP_DIR = ".backup"
STAGING_PREFIX = ".import-"
# Every file that is (part of) a layer: the formats geo.dataset reads and a shapefile's sidecars.
LAYER_SUFFIXES = (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".shp.xml", ".qmd",
                  ".gpkg", ".geojson", ".zip")


class ImportBusy(Exception):
    """Another import holds the data folder's lock."""


@contextmanager
def import_lock(data_dir: Path) -> Iterator[None]:
    """Held for the whole write; the kernel lets go of it if the process dies, so it never goes stale."""
    path = Path(data_dir) / LOCK_FILE
    with open(path, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ImportBusy(f"another import is replacing a layer in {data_dir} (it holds {path}); "
                             "try again when it has finished") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def layer_paths(data_dir: Path, name: str) -> list[Path]:
    """The files of layer `name` in data_dir, whatever their case."""
    wanted = {name + suffix for suffix in LAYER_SUFFIXES}
    return sorted(p for p in Path(data_dir).iterdir() if p.is_file() and p.name.lower() in wanted)


def fingerprint(data_dir: Path) -> dict[str, tuple[int, int]]:
    """Name -> (size, modification time) of every layer file: a change between a report and its import shows."""
    return {
        p.name: (p.stat().st_size, p.stat().st_mtime_ns)
        for name in LAYER_NAMES
        for p in layer_paths(data_dir, name)
    }


@dataclass
class Swap:
    backup: Path
    moved_out: list[tuple[Path, Path]] = field(default_factory=list)  # (where it was, where it is kept)
    moved_in: list[Path] = field(default_factory=list)

    def undo(self) -> None:
        """Take the new files out and put the old ones back where they were."""
        for path in self.moved_in:
            path.unlink(missing_ok=True)
        for original, kept in reversed(self.moved_out):
            _put_back(kept, original)
        _remove_if_empty(self.backup)
        _remove_if_empty(self.backup.parent)


def _put_back(kept: Path, original: Path) -> None:
    try:
        os.replace(kept, original)
    except OSError:  # whatever stopped the swap may stop a rename too: copy the bytes back instead
        shutil.copy2(kept, original)
        kept.unlink()


def _remove_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass


def _new_backup(data_dir: Path) -> Path:
    root = Path(data_dir) / BACKUP_DIR
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    for n in range(1, 1000):
        folder = root / (stamp if n == 1 else f"{stamp}-{n}")
        try:
            folder.mkdir(parents=True)
            return folder
        except FileExistsError:
            continue
    raise FileExistsError(f"no free backup folder under {root}")


def swap_in(data_dir: Path, name: str, new_files: list[Path]) -> Swap:
    """Move layer `name`'s files to a new .backup/<time>/ folder and `new_files` (from a staging folder in
    data_dir, so every move is a rename) into data_dir. If a move fails, what was done is undone and the
    error raised."""
    swap = Swap(_new_backup(data_dir))
    try:
        for old in layer_paths(data_dir, name):
            kept = swap.backup / old.name
            os.replace(old, kept)
            swap.moved_out.append((old, kept))
        for new in new_files:
            target = Path(data_dir) / new.name
            os.replace(new, target)
            swap.moved_in.append(target)
    except BaseException:
        swap.undo()
        raise
    return swap
