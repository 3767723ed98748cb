"""A photo's bytes: checked to be an image by their content, re-encoded without metadata, written under random names.

Whatever arrives (JPEG, PNG or WebP, from a tablet that should have downscaled
it or from anywhere else) is decoded, turned upright by its EXIF orientation,
shrunk to at most LONG_SIDE_MAX pixels and saved as a new JPEG that carries
nothing but its pixels: no EXIF (place, time, device), ICC profile, XMP or comment.
"""
from __future__ import annotations

import math
import os
import re
import secrets
import struct
import tempfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from store.errors import ValidationError

PHOTO_MAX_BYTES = 10 * 1024 * 1024
PHOTO_MAX_PIXELS = 40_000_000
LONG_SIDE_MAX = 2048
THUMBNAIL_LONG_SIDE = 320
JPEG_QUALITY = 85
CONTENT_TYPE = "image/jpeg"
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
MB = 1024 * 1024
# ISO base media files (HEIC, AVIF) begin with a box of type "ftyp" and a brand.
HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif")
STORED_NAME = re.compile(r"[0-9a-f]{32}(?:\.thumb)?\.jpg")


@dataclass(frozen=True)
class PreparedPhoto:
    """The JPEG to store and its thumbnail, ready to be written."""

    jpeg: bytes
    thumbnail: bytes
    width: int
    height: int
    content_type: str = CONTENT_TYPE


@dataclass(frozen=True)
class StoredFiles:
    file_name: str
    thumbnail_name: str


def _refuse(message: str) -> ValidationError:
    return ValidationError({"photo": message})


def _megabytes(size: int) -> str:
    """To a tenth, rounded up: a size just over the limit never reads as the limit."""
    return f"{math.ceil(size * 10 / MB) / 10:.1f}".removesuffix(".0")


def too_large_message(size: int | None = None) -> str:
    """What a photo of `size` bytes (None: unknown, only that it is over) is told."""
    limit = f"at most {_megabytes(PHOTO_MAX_BYTES)} MB"
    return f"too large: {_megabytes(size)} MB, {limit}" if size else f"too large: {limit}"


def _is_heif(data: bytes) -> bool:
    return data[4:8] == b"ftyp" and data[8:12] in HEIF_BRANDS


def _check_pixels(size: tuple[int, int]) -> None:
    width, height = size
    if width * height > PHOTO_MAX_PIXELS:
        raise _refuse(f"too many pixels: {width}×{height}, at most {PHOTO_MAX_PIXELS // 1_000_000} megapixels")


def _opened(data: bytes) -> Image.Image:
    image = Image.open(BytesIO(data), formats=ACCEPTED_FORMATS)
    _check_pixels(image.size)  # from the header, before a single pixel is decoded
    return image


def _flattened_rgb(image: Image.Image) -> Image.Image:
    """RGB, transparent parts on white (not the black a plain conversion gives)."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _jpeg(image: Image.Image) -> bytes:
    # A new image holds nothing of the upload but its pixels.
    clean = Image.new("RGB", image.size)
    clean.paste(image)
    buffer = BytesIO()
    clean.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return buffer.getvalue()


def prepare_photo(data: bytes) -> PreparedPhoto:
    """The photo re-encoded and its thumbnail; ValidationError({"photo": ...}) if it is not one we take."""
    if not data:
        raise _refuse("empty: the upload has no content")
    if len(data) > PHOTO_MAX_BYTES:
        raise _refuse(too_large_message(len(data)))
    if _is_heif(data):
        raise _refuse("HEIC is not supported: send JPEG, PNG or WebP (the camera's 'most compatible' format)")
    try:
        with _opened(data) as probe:
            probe.verify()
        with _opened(data) as image:
            image.draft("RGB", (LONG_SIDE_MAX, LONG_SIDE_MAX))  # JPEG: decode at 1/2, 1/4 … if still big enough
            picture = _flattened_rgb(ImageOps.exif_transpose(image))
    except UnidentifiedImageError:
        raise _refuse("not an image: the content is not JPEG, PNG or WebP") from None
    except Image.DecompressionBombError:  # Pillow's own limit, far above ours, refused while opening
        raise _refuse(f"too many pixels: at most {PHOTO_MAX_PIXELS // 1_000_000} megapixels") from None
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error):
        raise _refuse("not a readable image: the file is damaged or cut short") from None

    picture.thumbnail((LONG_SIDE_MAX, LONG_SIDE_MAX), Image.Resampling.LANCZOS)
    thumbnail = picture.copy()
    thumbnail.thumbnail((THUMBNAIL_LONG_SIDE, THUMBNAIL_LONG_SIDE), Image.Resampling.LANCZOS)
    return PreparedPhoto(jpeg=_jpeg(picture), thumbnail=_jpeg(thumbnail), width=picture.width, height=picture.height)


def _write_whole(path: Path, content: bytes) -> None:
    """The file appears complete or not at all."""
    descriptor, draft = tempfile.mkstemp(dir=path.parent, prefix=".upload-", suffix=".part")
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(content)
            file.flush()
            os.fsync(file.fileno())
        os.replace(draft, path)
    except BaseException:
        Path(draft).unlink(missing_ok=True)
        raise


def write_photo_files(photo_dir: str | os.PathLike, prepared: PreparedPhoto) -> StoredFiles:
    """Write the photo and its thumbnail under new random names in `photo_dir`."""
    directory = Path(photo_dir)
    directory.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(16)
    stored = StoredFiles(file_name=f"{token}.jpg", thumbnail_name=f"{token}.thumb.jpg")
    _write_whole(directory / stored.file_name, prepared.jpeg)
    try:
        _write_whole(directory / stored.thumbnail_name, prepared.thumbnail)
    except BaseException:
        (directory / stored.file_name).unlink(missing_ok=True)
        raise
    return stored


def stored_path(photo_dir: str | os.PathLike, name: str) -> Path:
    """Where a stored name lives; ValueError for any name this module would not have made."""
    if not isinstance(name, str) or not STORED_NAME.fullmatch(name):
        raise ValueError(f"not a stored photo name: {name!r}")
    directory = Path(photo_dir).resolve()
    path = (directory / name).resolve()
    if path.parent != directory:
        raise ValueError(f"not a stored photo name: {name!r}")
    return path
