"""The English catalogue covers every message in the code, and its compiled .mo is current."""
from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "webmap" / "translations" / "en" / "LC_MESSAGES"
KEYWORDS = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None, "ngettext": (1, 2), "plural_forms": (1, 2)}


def messages_in_code() -> set[str]:
    found = set()
    for method, pattern in (("python", "**.py"), ("jinja2", "**.html")):
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT / "webmap"), method_map=[(pattern, method)], keywords=KEYWORDS
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def translated(string) -> bool:
    """A message, or every plural form of one, has its English."""
    return all(string) if isinstance(string, (tuple, list)) else bool(string)


def hashable(value):
    return tuple(value) if isinstance(value, list) else value


def test_every_message_has_an_english_translation():
    with open(CATALOGUE / "messages.po", "rb") as f:
        catalogue = read_po(f)
    untranslated = sorted(m for m in messages_in_code() if not (catalogue.get(m) and translated(catalogue.get(m).string)))
    assert untranslated == [], "add these to messages.po, then `make translations`"


def test_compiled_catalogue_matches_the_source():
    with open(CATALOGUE / "messages.po", "rb") as f:
        source = {hashable(m.id): hashable(m.string) for m in read_po(f) if m.id}
    with open(CATALOGUE / "messages.mo", "rb") as f:
        compiled = {hashable(m.id): hashable(m.string) for m in read_mo(f) if m.id}
    assert compiled == source, "run `make translations`"


def test_counts_take_the_english_plural_form():
    from flask_babel import ngettext

    from tests.conftest import make_app
    from webmap.i18n import plural_forms

    app = make_app()
    with app.test_request_context("/?lang=en"):
        assert plural_forms("{n} 盏", "{n} 盏") == {"one": "{n} lamp", "other": "{n} lamps"}
        assert ngettext("{n} 户", "{n} 户", 1) == "{n} household"
        assert ngettext("{n} 户", "{n} 户", 3) == "{n} households"
    with app.test_request_context("/?lang=zh"):
        assert plural_forms("{n} 盏", "{n} 盏") == {"one": "{n} 盏", "other": "{n} 盏"}
