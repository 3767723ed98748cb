"""Every page on a phone (360×740 and 390×844, touch, Chinese and English): no sideways scrolling, every control at
least 44×44 px (or inside a label of that size), none cut off by the screen's edge or covered by another, the
navigation behind a menu button whose labels stay on one line, and the map's layer list folded until asked for.
Screenshots go to test-artifacts/phone-*.png."""
from __future__ import annotations

import re

import pytest

from tests.accounts import client_as
from tests.browser.conftest import ARTIFACTS, sign_in

PHONES = {"360x740": {"width": 360, "height": 740}, "390x844": {"width": 390, "height": 844}}
PAGES = [
    "/", "/issues", "/issues/{issue}", "/hotspots", "/planning/lighting", "/planning/lighting/print?area=hjl55",
    "/projects", "/projects/new", "/projects/{project}", "/login", "/field/",
    "/ogcapi/?f=html", "/ogcapi/collections?f=html", "/ogcapi/collections/facilities?f=html",
    "/ogcapi/collections/facilities/items?f=html&limit=5",
]
# What the page has to show before it is judged: the map's controls, or the document itself.
READY = {"/field/": ".jt-field-actions button", "/api/v1/docs": ".swagger-ui .info"}
TOUCH = 44

# Runs in the page: the problems of every visible control, as text.
CONTROL_PROBLEMS = r"""
(selector) => {
  const W = window.innerWidth, H = window.innerHeight, TOUCH = 44, SLACK = 0.5;
  const scrolls = document.scrollingElement.scrollHeight > H + 1;
  const problems = [];
  const name = (el) => {
    const text = (el.getAttribute("aria-label") || el.title || el.textContent || el.value || el.name || "").trim();
    return el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className && typeof el.className === "string" ?
      "." + el.className.trim().split(/\s+/).join(".") : "") + (text ? ` "${text.slice(0, 20)}"` : "");
  };
  // A link inside a sentence is exempt from the size rule (WCAG 2.5.5/2.5.8's inline exception).
  const inSentence = (el) => el.tagName === "A" && getComputedStyle(el).display === "inline" &&
    el.parentElement && el.parentElement.textContent.trim().length > el.textContent.trim().length + 12;
  // A small check box or radio button is hit through its label, which must be the size then.
  const target = (el) => {
    const r = el.getBoundingClientRect();
    if ((r.width < TOUCH - SLACK || r.height < TOUCH - SLACK) && el.labels && el.labels.length) return el.labels[0];
    return el;
  };
  const onTop = (el, box) => {
    const x = box.left + box.width / 2, y = box.top + box.height / 2;
    const hit = document.elementFromPoint(x, y);
    return hit && (hit === el || el.contains(hit) || (el.control && (hit === el.control)));
  };
  // Inside a box that scrolls (a wide table, a long panel), a control is reached by scrolling that box.
  const inScrollingBox = (el) => {
    for (let box = el.parentElement; box && box !== document.body; box = box.parentElement) {
      const style = getComputedStyle(box);
      if (/(auto|scroll)/.test(style.overflowX + style.overflowY) &&
          (box.scrollWidth > box.clientWidth + 1 || box.scrollHeight > box.clientHeight + 1)) return true;
    }
    return false;
  };
  for (const control of document.querySelectorAll(selector)) {
    if (!control.checkVisibility({visibilityProperty: true, opacityProperty: false})) continue;
    const own = control.getBoundingClientRect();
    if (own.width === 0 && own.height === 0) continue;
    const el = target(control);
    if (inScrollingBox(el)) el.scrollIntoView({block: "nearest", inline: "nearest"});
    let box = el.getBoundingClientRect();
    if (box.left < -SLACK || box.right > W + SLACK) problems.push(`${name(control)} cut off at the side (${Math.round(box.left)}..${Math.round(box.right)} of ${W})`);
    if (!scrolls && (box.top < -SLACK || box.bottom > H + SLACK)) problems.push(`${name(control)} cut off at the top or bottom (${Math.round(box.top)}..${Math.round(box.bottom)} of ${H})`);
    if ((box.width < TOUCH - SLACK || box.height < TOUCH - SLACK) && !inSentence(control))
      problems.push(`${name(control)} is ${Math.round(box.width)}×${Math.round(box.height)} px`);
    if (!onTop(el, box)) {
      el.scrollIntoView({block: "center", inline: "nearest"});  // below the fold or scrolled away in a panel
      box = el.getBoundingClientRect();
      if (!onTop(el, box)) {
        const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
        problems.push(`${name(control)} is covered by ${hit ? name(hit) : "nothing (off screen)"}`);
      }
    }
  }
  window.scrollTo(0, 0);
  return problems;
}
"""
CONTROLS = ("a[href], button, input:not([type=hidden]), select, textarea, summary, "
            ".leaflet-control a, .leaflet-control-layers-toggle")


@pytest.fixture(scope="module")
def places(seeded_server):
    project = client_as(seeded_server.app, "planner").post(
        "/api/v1/projects", json={"name": "黄家路55弄美丽家园", "kind": "beautiful_home", "compounds": ["hjl55"]}
    ).get_json()["id"]
    return {"issue": seeded_server.seeded.cluster_ids[0], "project": project}


@pytest.fixture(scope="module", params=[(size, lang) for size in PHONES for lang in ("zh", "en")],
                ids=lambda p: f"{p[0]}-{p[1]}")
def phone(request, browser, seeded_server):
    """A touch phone signed in as a planner (who may see every page), in one language."""
    size, lang = request.param
    context = browser.new_context(viewport=PHONES[size], has_touch=True, is_mobile=True, device_scale_factor=2,
                                  locale="zh-CN" if lang == "zh" else "en-GB")
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    sign_in(page, seeded_server, "planner")
    page.goto(f"{seeded_server.url}/login?lang={lang}")  # the language is remembered from here on
    page.size, page.lang = size, lang
    yield page
    context.close()


def open_page(page, server, path: str) -> None:
    page.goto(server.url + path)
    ready = READY.get(path.split("?")[0], ".leaflet-container" if page.locator(".folium-map").count() else "body")
    page.wait_for_selector(ready)
    page.evaluate("document.fonts.ready")


def slug(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.split("?")[0].lower()).strip("-") or "index"


@pytest.mark.parametrize("template", PAGES)
def test_every_page_fits_a_phone(phone, seeded_server, places, template):
    path = template.format(**places)
    phone.errors.clear()
    open_page(phone, seeded_server, path)
    assert phone.evaluate("document.scrollingElement.scrollWidth") <= phone.viewport_size["width"], "sideways scrolling"
    problems = phone.evaluate(CONTROL_PROBLEMS, CONTROLS)
    assert not problems, "\n".join(problems)
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / f"phone-{phone.size}-{phone.lang}-{slug(template)}.png"))

    # The navigation, behind the menu button: a disclosure that opens, fits, and closes again by keyboard.
    toggle = phone.locator("#jt-menu-toggle")
    assert toggle.get_attribute("aria-expanded") == "false" and phone.locator(".jt-nav").is_hidden()
    toggle.tap()
    assert toggle.get_attribute("aria-expanded") == "true"
    problems = phone.evaluate(CONTROL_PROBLEMS, "#jt-menu a[href], #jt-menu button, #jt-menu-toggle")
    assert not problems, "\n".join(problems)
    heights = phone.evaluate("""() => [...document.querySelectorAll('.jt-nav a')].map(a => {
        const style = getComputedStyle(a), line = parseFloat(style.lineHeight) || 1.2 * parseFloat(style.fontSize);
        const text = document.createRange(); text.selectNodeContents(a);
        return [a.textContent.trim(), text.getBoundingClientRect().height / line]; })""")
    assert heights and all(lines <= 1.5 for _label, lines in heights), heights
    if template == "/":
        phone.screenshot(path=str(ARTIFACTS / f"phone-{phone.size}-{phone.lang}-menu.png"))
    phone.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false" and phone.locator(".jt-nav").is_hidden()
    assert phone.evaluate("document.activeElement.id") == "jt-menu-toggle"
    assert phone.errors == []


def test_the_api_docs_do_not_scroll_sideways(phone, seeded_server):
    open_page(phone, seeded_server, "/api/v1/docs")
    assert phone.evaluate("document.scrollingElement.scrollWidth") <= phone.viewport_size["width"]


PLACEHOLDER_ROOM = """() => {
        const input = document.getElementById("jt-search-input"), style = getComputedStyle(input);
        const placeholder = getComputedStyle(input, "::placeholder");
        const context = document.createElement("canvas").getContext("2d");
        context.font = `${placeholder.fontSize} ${placeholder.fontFamily}`;
        const clear = 24;  // a search box keeps room at its end for its clear button
        return [input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - clear,
                context.measureText(input.placeholder).width];
    }"""


def test_the_search_box_shows_its_whole_placeholder(phone, seeded_server):
    open_page(phone, seeded_server, "/")
    room, text = phone.evaluate(PLACEHOLDER_ROOM)
    assert text <= room, f"the placeholder needs {text:.0f} px, the box has {room:.0f}"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_search_box_shows_its_whole_placeholder_on_the_tablet(tablet, seeded_server, lang):
    sign_in(tablet, seeded_server, "planner")  # the longest top bar: every link, and the account
    open_page(tablet, seeded_server, f"/?lang={lang}")
    room, text = tablet.evaluate(PLACEHOLDER_ROOM)
    assert text <= room, f"the placeholder needs {text:.0f} px, the box has {room:.0f}"


def test_the_layer_list_is_folded_until_asked_for(phone, seeded_server):
    open_page(phone, seeded_server, "/")
    layers = phone.locator(".leaflet-control-layers")
    assert "leaflet-control-layers-expanded" not in layers.get_attribute("class")
    assert phone.locator(".jt-legend details").get_attribute("open") is None
    phone.locator(".leaflet-control-layers-toggle").tap()
    assert "leaflet-control-layers-expanded" in layers.get_attribute("class")
    assert phone.locator(".leaflet-control-layers-overlays label").count() == 7
    assert phone.evaluate(CONTROL_PROBLEMS, ".leaflet-control-layers label") == []
    phone.locator(".jt-legend summary").tap()
    assert phone.locator(".jt-legend details").get_attribute("open") is not None


@pytest.mark.parametrize("view", ["#jt-report-here", "#jt-my-work", "#jt-outbox-toggle"])
def test_the_apps_sheets_fit_a_phone(phone, seeded_server, view):
    """Report, my work and the outbox open as a sheet under the map: its controls and the actions above it all usable."""
    open_page(phone, seeded_server, "/field/")
    phone.locator(view).tap()
    phone.wait_for_selector("#jt-sheet:not([hidden]) .jt-view:not([hidden])")
    if view == "#jt-report-here":
        phone.wait_for_selector("#jt-category-chips .jt-chip")
    assert phone.evaluate("document.scrollingElement.scrollWidth") <= phone.viewport_size["width"]
    sheet = ", ".join(f"#jt-sheet {selector}" for selector in CONTROLS.split(", "))
    problems = phone.evaluate(CONTROL_PROBLEMS, sheet + ", .jt-field-actions button, .leaflet-control a")
    assert not problems, "\n".join(problems)
    phone.screenshot(path=str(ARTIFACTS / f"phone-{phone.size}-{phone.lang}-field-{view.split('-')[-1]}.png"))


@pytest.mark.parametrize("path", ["/", "/field/"])
def test_the_phone_layout_passes_axe_with_the_menu_open(phone, seeded_server, path):
    from tests.browser.test_accessibility import AXE, EXCLUDE, OPTIONS

    open_page(phone, seeded_server, path)
    phone.locator("#jt-menu-toggle").tap()
    phone.wait_for_selector(".jt-nav a")
    found = AXE.run(phone, context=EXCLUDE, options=OPTIONS).response["violations"]
    assert [f"{v['id']}: {v['help']} ({v['nodes'][0]['target'][0]})" for v in found] == []
