"""Serve Folium pages with no third-party requests.

Folium links its JS/CSS from CDNs (jsDelivr, cdnjs, code.jquery.com, ...).  Those files are
vendored under ``webmap/static/vendor/`` by ``scripts/vendor_assets.py``, which also writes
``manifest.json`` mapping every CDN URL, exactly as folium emits it, to the local copy.

Use::

    html = localize(m.get_root().render())                  # served with static/ at /static
    html = localize(page, allowed_hosts=tiles.hosts)        # opt-in online tile provider

``localize`` rewrites the known CDN URLs to ``/static/vendor/...``, drops the tags of assets the
manifest maps to ``null`` (Bootstrap 3 glyphicons), and then refuses (``ExternalAssetError``) a
page that would still make the browser fetch anything from another host.

Pure functions; no Flask import.
"""
from __future__ import annotations

import html as html_lib
import json
import re
from collections.abc import Iterable
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

__all__ = [
    "STATIC_DIR",
    "MANIFEST_PATH",
    "ExternalAssetError",
    "load_manifest",
    "localize",
    "find_external_urls",
    "host_allowed",
]

STATIC_DIR = Path(__file__).resolve().parent / "static"
MANIFEST_PATH = STATIC_DIR / "vendor" / "manifest.json"


class ExternalAssetError(ValueError):
    """A page still loads something from a host other than ours.  ``.urls`` lists them."""

    def __init__(self, urls: Iterable[str]):
        self.urls = list(urls)
        super().__init__(
            "page would load external asset(s): "
            + ", ".join(self.urls)
            + " (vendor them with scripts/vendor_assets.py, see webmap/static/vendor/README.md,"
            " or pass their host in allowed_hosts)"
        )


@lru_cache(maxsize=None)
def load_manifest(path: str | Path | None = None) -> dict:
    """The parsed ``vendor/manifest.json`` (cached: treat the result as read-only).

    ``{"assets": {cdn_url: "vendor/<pkg>@<ver>/<file>" | None}, "packages": {...}, ...}``;
    asset paths are relative to ``webmap/static/``.
    """
    with open(MANIFEST_PATH if path is None else path, encoding="utf-8") as f:
        return json.load(f)


@lru_cache(maxsize=None)
def _rewrites(path: str | Path | None = None) -> tuple[tuple[str, str | None, re.Pattern | None], ...]:
    """(cdn_url, local path or None, tag pattern for dropped urls); longest urls first."""
    assets = load_manifest(path)["assets"]
    out = []
    for url in sorted(assets, key=lambda u: (-len(u), u)):
        local = assets[url]
        pattern = None
        if local is None:
            q = re.escape(url)
            pattern = re.compile(
                r"[ \t]*<script\b[^>]*?\bsrc\s*=\s*([\"']?)" + q + r"\1[^>]*>\s*</script\s*>[ \t]*\n?"
                r"|[ \t]*<link\b[^>]*?\bhref\s*=\s*([\"']?)" + q + r"\2[^>]*>[ \t]*\n?",
                re.IGNORECASE,
            )
        out.append((url, local, pattern))
    return tuple(out)


def localize(
    html: str,
    static_url_path: str = "/static",
    allowed_hosts: Iterable[str] = (),
    *,
    manifest_path: str | Path | None = None,
) -> str:
    """Point every vendored CDN URL in a rendered Folium page at our static folder.

    Each manifest URL becomes ``static_url_path + "/" + local path``; the ``<script>`` /
    ``<link>`` tags of URLs mapped to ``None`` are removed.  Raises ``ExternalAssetError``
    (naming the URLs) if the result still requests anything absolute (``http(s)://`` or
    ``//``) whose host is not in ``allowed_hosts`` (see ``find_external_urls`` and
    ``host_allowed``).  Plain ``<a href>`` links are fine.
    """
    prefix = static_url_path.rstrip("/")
    for url, local, drop in _rewrites(manifest_path):
        if url not in html:
            continue
        if local is None:
            html = drop.sub("", html)
        else:
            html = html.replace(url, f"{prefix}/{local}")
    allowed = tuple(allowed_hosts)
    left = [u for u in find_external_urls(html) if not host_allowed(u, allowed)]
    if left:
        raise ExternalAssetError(left)
    return html


# --- finding external requests ----------------------------------------------------------------

# Elements and attributes whose URL the browser fetches (or, for <base>, resolves others against).
# <a>/<area> links are not requests and are deliberately absent.
_FETCH_ATTRS = {
    "script": ("src",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "frame": ("src",),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "input": ("src",),
    "image": ("href", "xlink:href"),
    "use": ("href", "xlink:href"),
    "base": ("href",),
}

_ABSOLUTE = re.compile(r"^\s*(?:https?:)?//", re.IGNORECASE)
# CSS url(...) (quoted or not) and @import "..." ; applied to the whole text, so it covers
# <style> blocks, style="" attributes, CSS strings built in JS and whole CSS files alike.
_CSS_URL = re.compile(
    r"""(?<![\w$.-])url\(\s*(?:"([^"]*)"|'([^']*)'|([^)\s]*))\s*\)""", re.IGNORECASE
)
_CSS_IMPORT = re.compile(r"""@import\s+(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
# An absolute URL opening a string literal in inline JS: L.tileLayer("https://..."), fetch('//..'),
# or an attribute inside HTML built in a JS string (src=\"https://...\").
_JS_URL = re.compile(r"""\\?["'`]((?:https?:)?//(?:[^"'`\s\\<>]|\\(?!["'`]))+)""", re.IGNORECASE)
_JS_HREF_BEFORE = re.compile(r"\bhref\s*=\s*$", re.IGNORECASE)
_XML_NAMESPACE = re.compile(
    r"^https?://www\.w3\.org/(?:2000/svg|1999/xhtml|1999/xlink|XML/1998/namespace|2000/xmlns/?)$"
)


def _is_absolute(url: str) -> bool:
    return bool(_ABSOLUTE.match(url))


def _js_unescape(url: str) -> str:
    url = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), url)
    return url.replace("\\/", "/")


class _Scanner(HTMLParser):
    def __init__(self, text: str):
        super().__init__(convert_charrefs=False)
        self.found: list[tuple[int, str]] = []
        self._line_starts = [0] + [m.end() for m in re.finditer(r"\n", text)]
        self._in_script = False

    def _offset(self) -> int:
        line, col = self.getpos()
        return self._line_starts[line - 1] + col

    def handle_starttag(self, tag, attrs):
        self._in_script = tag == "script"
        names = _FETCH_ATTRS.get(tag, ())
        for name, value in attrs:
            if name not in names or not value:
                continue
            candidates = [c.split()[0] for c in value.split(",") if c.split()] if name == "srcset" else [value]
            for url in candidates:
                if _is_absolute(url):
                    self.found.append((self._offset(), url.strip()))

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if not self._in_script:
            return
        start = self._offset()
        for m in _JS_URL.finditer(data):
            if _JS_HREF_BEFORE.search(data, max(0, m.start() - 16), m.start()):
                continue  # <a href="..."> inside HTML built in JS: a link, not a request
            url = _js_unescape(m.group(1))
            if _XML_NAMESPACE.match(url):
                continue  # createElementNS("http://www.w3.org/2000/svg", ...): not a request
            self.found.append((start + m.start(), url))


def find_external_urls(text: str) -> list[str]:
    """Absolute (``http(s)://`` or protocol-relative ``//``) URLs that ``text`` makes a browser fetch.

    Looks at ``src``/``href``/``srcset``/``poster``/``data`` of fetching elements (``<script>``,
    ``<link>``, ``<img>``, ``<iframe>``, ``<source>``, media, ``<embed>``, ``<object>``, SVG
    ``<image>``/``<use>``, ``<base>``), at CSS ``url(...)`` and ``@import`` anywhere in the text
    (so it also works on a CSS file), and at string literals in inline ``<script>`` code that
    start with an absolute URL (tile URL templates, ``fetch``/AJAX URLs, ``<img src>`` in popup
    HTML).  ``<a href>`` links (also inside JS strings) and ``data:`` URIs are not requests.
    Unique URLs, in order of first appearance.
    """
    found: list[tuple[int, str]] = []
    if "<" in text:
        scanner = _Scanner(text)
        try:
            scanner.feed(text)
            scanner.close()
        except Exception:  # pragma: no cover - HTMLParser is lenient; never let it hide a URL
            pass
        found.extend(scanner.found)
    for pattern in (_CSS_URL, _CSS_IMPORT):
        for m in pattern.finditer(text):
            raw = next(g for g in m.groups() if g is not None)
            value = html_lib.unescape(raw).strip().strip("\"'").strip()
            if _is_absolute(value):
                found.append((m.start(), value))
    seen: set[str] = set()
    urls = []
    for _pos, url in sorted(found, key=lambda item: item[0]):
        if url not in seen:
            seen.add(url)
            urls.append(url)
    return urls


def host_allowed(url: str, allowed_hosts: Iterable[str]) -> bool:
    """Whether ``url``'s host is one of ``allowed_hosts`` or a subdomain of one.

    Leaflet URL templates are understood: ``https://{s}.tile.openstreetmap.org/...`` matches
    ``tile.openstreetmap.org``, and ``https://webrd0{s}.is.autonavi.com/...`` matches
    ``webrd01.is.autonavi.com`` (a placeholder stands for one DNS label or part of one).
    """
    allowed = [h.strip().lower().rstrip(".") for h in allowed_hosts if h and h.strip()]
    if not allowed:
        return False
    absolute = "https:" + url.strip() if url.strip().startswith("//") else url.strip()
    try:
        host = urlsplit(absolute).hostname or ""
    except ValueError:
        return False
    host = host.rstrip(".")
    template = None
    if "{" in host:
        template = re.compile(
            "".join("[^.]*" if part.startswith("{") else re.escape(part)
                    for part in re.split(r"(\{[^}]*\})", host) if part)
        )
    for h in allowed:
        if host == h or host.endswith("." + h):
            return True
        if template is not None and template.fullmatch(h):
            return True
    return False
