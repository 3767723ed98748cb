"""Refresh the message catalogues from the code: extract, merge into each .po, compile.

    .venv/bin/python scripts/update_translations.py

New messages arrive untranslated (tests/webmap/test_translations.py then
names them); translate them in webmap/translations/<lang>/LC_MESSAGES/messages.po
and run this again.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "webmap" / "translations"
BIN = Path(sys.executable).parent


def run(*args: str) -> None:
    subprocess.run([str(BIN / "pybabel"), "-q", *args], cwd=ROOT, check=True)


def main() -> None:
    pot = TRANSLATIONS / "messages.pot"
    run("extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "-k", "plural_forms:1,2", "--no-location",
        "--sort-output", "-o", str(pot), ".")
    run("update", "-i", str(pot), "-d", str(TRANSLATIONS), "--no-fuzzy-matching")
    run("compile", "-d", str(TRANSLATIONS))


if __name__ == "__main__":
    main()
