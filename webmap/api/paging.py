"""Links between the pages of a list (OGC API style: self, next, prev), keeping its filters."""
from __future__ import annotations

from flask import url_for


def paging_links(
    endpoint: str, args: dict[str, str], limit: int, offset: int, more: bool, next_after: str | None = None
) -> list[dict[str, str]]:
    """`more`: issues follow this page. `next_after`: the position of its last issue (a list in reading order):
    the next link goes on from there, so issues added meanwhile neither shift nor repeat what comes next;
    without it, the next link counts an offset. `prev` steps back by offset from the position asked, if any."""
    kept = {name: value for name, value in args.items() if name not in ("limit", "offset", "after")}
    after = {"after": args["after"]} if args.get("after") else {}

    def link(rel: str, **at: object) -> dict[str, str]:
        return {"rel": rel, "type": "application/geo+json", "href": url_for(endpoint, **kept, limit=limit, **at)}

    links = [link("self", **after, offset=offset)]
    if more:
        links.append(link("next", after=next_after) if next_after else link("next", **after, offset=offset + limit))
    if offset > 0:
        links.append(link("prev", **after, offset=max(0, offset - limit)))
    return links
