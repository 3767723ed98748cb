"""GET /api/v1/categories: the issue categories, in display order."""
from __future__ import annotations

from store.issues import list_categories
from webmap.api import bp
from webmap.api.query import no_parameters
from webmap.api.responses import json_response
from webmap.database import session


@bp.get("/categories")
def categories():
    no_parameters()
    return json_response(
        {
            "categories": [
                {"id": c.id, "name_zh": c.name_zh, "name_en": c.name_en, "colour": c.colour, "icon": c.icon}
                for c in list_categories(session())
            ]
        }
    )
