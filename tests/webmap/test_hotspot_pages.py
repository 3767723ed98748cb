"""/hotspots: the ranked list says how many issues a cell has and how many the cells around it have (Gi* counts
them), in Chinese and in English with its plural forms."""
from __future__ import annotations

import json


def binding(html: str) -> dict:
    """The settings the page hands to static/js/hotspots.js."""
    call = html[html.index("JintanHotspots.attach("):]
    config = call[call.index("}") + 1:]
    return json.JSONDecoder().raw_decode(config[config.index("{"):])[0]


def test_the_ranking_explains_cells_ranked_for_their_neighbours(client):
    zh = client.get("/hotspots?lang=zh").get_data(as_text=True)
    messages = binding(zh)["messages"]
    assert messages["cellIssues"] == {"one": "本格 {n} 条问题", "other": "本格 {n} 条问题"}
    assert messages["aroundIssues"]["other"] == "周围 8 格共 {n} 条"
    assert messages["onlyAroundIssues"]["other"] == "本格没有问题，排在前面是因为周围 8 格共有 {n} 条"
    assert "按 Gi* z 值排序" in zh

    en = binding(client.get("/hotspots?lang=en").get_data(as_text=True))["messages"]
    assert en["cellIssues"] == {"one": "{n} issue in this cell", "other": "{n} issues in this cell"}
    assert en["aroundIssues"] == {"one": "{n} issue in the 8 cells around", "other": "{n} issues in the 8 cells around"}
    assert "No issue in this cell" in en["onlyAroundIssues"]["one"]


def test_the_script_counts_the_eight_cells_around_and_says_so_for_a_cell_without_issues(client):
    script = client.get("/static/js/hotspots.js").get_data(as_text=True)
    assert "function aroundCounts(features)" in script
    assert "own ? m.aroundIssues : m.onlyAroundIssues" in script
