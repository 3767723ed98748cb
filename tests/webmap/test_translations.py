"""The English catalogue covers every message in the code, and its compiled .mo is current."""
from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "webmap" / "translations" / "en" / "LC_MESSAGES"
KEYWORDS = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None}


def messages_in_code() -> set[str]:
    found = set()
    for method, pattern in (("python", "**.py"), ("jinja2", "**.html")):
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT / "webmap"), method_map=[(pattern, method)], keywords=KEYWORDS
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_message_has_an_english_translation():
    with open(CATALOGUE / "messages.po", "rb") as f:
        catalogue = read_po(f)
    untranslated = sorted(m for m in messages_in_code() if not (catalogue.get(m) and catalogue.get(m).string))
    assert untranslated == [], "add these to messages.po, then `make translations`"


def _plain(value):
    """A plural message's forms as a tuple (the .mo reader gives lists, the .po reader tuples)."""
    return tuple(value) if isinstance(value, (list, tuple)) else value


def test_compiled_catalogue_matches_the_source():
    with open(CATALOGUE / "messages.po", "rb") as f:
        source = {_plain(m.id): _plain(m.string) for m in read_po(f) if m.id}
    with open(CATALOGUE / "messages.mo", "rb") as f:
        compiled = {_plain(m.id): _plain(m.string) for m in read_mo(f) if m.id}
    assert compiled == source, "run `make translations`"
