"""Links between the pages of a list (OGC API style: self, next, prev), keeping its filters."""
from __future__ import annotations

from flask import url_for


def paging_links(
    endpoint: str, args: dict[str, str], limit: int, offset: int, returned: int, matched: int
) -> list[dict[str, str]]:
    def link(rel: str, at: int) -> dict[str, str]:
        href = url_for(endpoint, **{**args, "limit": limit, "offset": at})
        return {"rel": rel, "type": "application/geo+json", "href": href}

    links = [link("self", offset)]
    if offset + returned < matched:
        links.append(link("next", offset + limit))
    if offset > 0:
        links.append(link("prev", max(0, offset - limit)))
    return links
