"""Folium elements of our own, each rendered from a template like Folium's."""
from __future__ import annotations

import json

from branca.element import MacroElement
from jinja2 import Template
from markupsafe import escape


class PageBinding(MacroElement):
    """Hands the map, its layer groups and the search index to static/js/basemap.js."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        JintanMap.attach({{ this._parent.get_name() }}, {
            groups: { {%- for name, layer in this.groups.items() %}
                {{ name|tojson }}: {{ layer.get_name() }},{% endfor %} },
            search: {{ this.search|tojson }},
            messages: {{ this.messages|tojson }}
        });
        {% endmacro %}
        """
    )

    def __init__(self, groups: dict, search: list[dict], messages: dict):
        super().__init__()
        self._name = "PageBinding"
        self.groups = groups
        self.search = search
        self.messages = messages


class AppBinding(MacroElement):
    """Hands the map, some of its layers and settings to a page's script: `app.attach(map, layers, config)`."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this.app }}.attach({{ this._parent.get_name() }}, {
            {%- for name, layer in this.layers.items() %}
            {{ name|tojson }}: {{ layer.get_name() }},{% endfor %} },
            {{ this.config|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, app: str, layers: dict, config: dict):
        super().__init__()
        if not app.isidentifier():
            raise ValueError(f"not a script name: {app!r}")
        self._name = "AppBinding"
        self.app = app
        self.layers = layers
        self.config = config


class Legend(MacroElement):
    """A collapsible legend in the map's corner. Entries are (swatch kind, colour, label).

    Top left by default, under the zoom buttons: the J-shaped neighbourhood leaves that corner empty when the map
    is fitted to it, where the bottom left holds the west end of its hook.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var legend = L.control({position: {{ this.position|tojson }}});
            legend.onAdd = function () {
                var div = L.DomUtil.create("div", "jt-legend");
                div.innerHTML = {{ this.html|tojson }};
                // Open by default only where it leaves the map room to breathe.
                div.querySelector("details").open = window.innerHeight > 900;
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            legend.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, title: str, sections: list[tuple[str, list[tuple[str, str, str]]]], position: str = "topleft"):
        super().__init__()
        self._name = "Legend"
        self.position = position
        self.html = self._html(title, sections)

    @staticmethod
    def _html(title, sections) -> str:
        parts = [f'<details><summary>{escape(title)}</summary>']
        for heading, entries in sections:
            parts.append(f"<h4>{escape(heading)}</h4><ul>")
            for swatch, colour, label in entries:
                if swatch.startswith("fa-"):
                    mark = f'<i class="fa-solid {escape(swatch)}" style="color:{escape(colour)}"></i>'
                else:
                    mark = f'<span class="jt-swatch jt-{escape(swatch)}" style="--c:{escape(colour)}"></span>'
                parts.append(f"<li>{mark}{escape(label)}</li>")
            parts.append("</ul>")
        parts.append("</details>")
        return "".join(parts)


def json_for_script(value) -> str:
    """JSON safe to place inside a <script> element."""
    return json.dumps(value, ensure_ascii=False).replace("</", "<\\/")
