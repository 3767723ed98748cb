"""Which text encoding a vector file's attributes are stored in.

GeoPackage and GeoJSON are UTF-8 by specification. A Shapefile's DBF can be
in any code page, and without a .cpg GDAL silently falls back to Latin-1 and
returns mojibake for Chinese text, so we decide the encoding ourselves:
.cpg first, then the DBF header's language driver id, then the bytes.
"""
from __future__ import annotations

import codecs
import re
from pathlib import Path
from typing import NamedTuple

UTF8_FORMATS = (".gpkg", ".geojson", ".json")

_CPG_ALIASES = {
    "UTF8": "UTF-8",
    "65001": "UTF-8",
    "GBK": "GBK",
    "936": "GBK",
    "CP936": "GBK",
    "MS936": "GBK",
    # GBK is a superset of GB2312 and files labelled GB2312 often hold GBK-only characters.
    "GB2312": "GBK",
    "EUCCN": "GBK",
    "GB18030": "GB18030",
    "54936": "GB18030",
    "BIG5": "BIG5",
    "950": "BIG5",
    "LATIN1": "ISO-8859-1",
    "ISO88591": "ISO-8859-1",
    "88591": "ISO-8859-1",
    "28591": "ISO-8859-1",
}

# DBF header byte 29 ("language driver id") -> Windows/DOS code page.
_LDID_CODE_PAGES = {
    0x01: 437, 0x02: 850, 0x03: 1252, 0x08: 865, 0x0A: 850, 0x0B: 437,
    0x0D: 437, 0x0E: 850, 0x0F: 437, 0x10: 850, 0x11: 437, 0x12: 850,
    0x13: 932, 0x14: 850, 0x15: 437, 0x16: 850, 0x17: 865, 0x18: 437,
    0x19: 437, 0x1A: 850, 0x1B: 437, 0x1C: 863, 0x1D: 850, 0x1F: 852,
    0x22: 852, 0x23: 852, 0x24: 860, 0x25: 850, 0x26: 866, 0x37: 850,
    0x40: 852, 0x4D: 936, 0x4E: 949, 0x4F: 950, 0x50: 874, 0x58: 1252,
    0x59: 1252, 0x64: 852, 0x65: 866, 0x66: 865, 0x67: 861, 0x6A: 737,
    0x6B: 857, 0x6C: 863, 0x78: 950, 0x79: 949, 0x7A: 936, 0x7B: 932,
    0x7C: 874, 0x86: 737, 0x87: 852, 0x88: 857, 0xC8: 1250, 0xC9: 1251,
    0xCA: 1254, 0xCB: 1253, 0xCC: 1257,
}  # 0x00 and 0x57 ("ANSI") name no code page.

_CJK = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


class EncodingError(ValueError):
    """The attribute text cannot be decoded, or a named encoding is unknown."""


class EncodingChoice(NamedTuple):
    encoding: str
    source: str  # "cpg", "ldid", "detected", "caller" or "format"


def decide_encoding(path: str | Path, *, encoding: str | None = None) -> EncodingChoice:
    """The encoding of the attribute text of `path` (.shp, .dbf, .gpkg, .geojson)."""
    path = Path(path)
    if encoding:
        return EncodingChoice(normalise_encoding(encoding), "caller")
    if path.suffix.lower() in UTF8_FORMATS:
        return EncodingChoice("UTF-8", "format")
    dbf = _sidecar(path, ".dbf")
    if dbf is None:
        raise EncodingError(f"{path.name}: no .dbf next to it, so its text cannot be read")
    cpg = _sidecar(path, ".cpg")
    cpg_text = cpg.read_text(encoding="utf-8-sig", errors="replace") if cpg else None
    return dbf_encoding(dbf.read_bytes(), cpg_text, name=dbf.name)


def dbf_encoding(dbf: bytes, cpg: str | None = None, *, name: str = "DBF") -> EncodingChoice:
    """Decide from a .cpg's text, else the DBF header, else the DBF records themselves."""
    if cpg and cpg.strip():
        return EncodingChoice(normalise_encoding(cpg), "cpg")
    if len(dbf) < 32:
        raise EncodingError(f"{name} is not a DBF file (shorter than its 32-byte header)")
    code_page = _LDID_CODE_PAGES.get(dbf[29])
    if code_page:
        return EncodingChoice(normalise_encoding(str(code_page)), "ldid")
    return EncodingChoice(_detect(_record_bytes(dbf), name), "detected")


def normalise_encoding(name: str) -> str:
    """A spelling both Python and GDAL understand, e.g. 'utf8' -> 'UTF-8', '936' -> 'GBK'."""
    key = re.sub(r"[\s_\-]", "", name.strip()).upper()
    if key in _CPG_ALIASES:
        return _CPG_ALIASES[key]
    if key.isdigit():
        key = f"CP{key}"
    elif key.startswith("8859"):
        key = f"ISO-8859-{key[4:]}"
    elif key.startswith("ISO8859"):
        key = f"ISO-8859-{key[7:]}"
    for candidate in (key, name.strip()):
        try:
            codecs.lookup(candidate)
            return candidate
        except LookupError:
            pass
    raise EncodingError(f"unknown text encoding {name.strip()!r}")


def _sidecar(path: Path, suffix: str) -> Path | None:
    for candidate in (path.with_suffix(suffix), path.with_suffix(suffix.upper())):
        if candidate.is_file():
            return candidate
    return None


def _record_bytes(dbf: bytes) -> bytes:
    count = int.from_bytes(dbf[4:8], "little")
    header_length = int.from_bytes(dbf[8:10], "little")
    record_length = int.from_bytes(dbf[10:12], "little")
    return dbf[header_length : header_length + count * record_length]


def _detect(raw: bytes, name: str) -> str:
    try:
        raw.decode("utf-8")
        return "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        if _CJK.search(raw.decode("gb18030")):
            return "GB18030"
    except UnicodeDecodeError:
        pass
    raise EncodingError(
        f"the text in {name} cannot be decoded (it is neither UTF-8 nor GB18030 "
        "and there is no .cpg); name the encoding, e.g. encoding='GBK'"
    )
