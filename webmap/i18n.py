"""Language: Chinese first, English on request (`?lang=en`), remembered with the account (or a cookie).

Message ids are the Chinese texts, so a missing English translation still shows
the working language; `webmap/translations/en` holds the English catalogue.
"""
from __future__ import annotations

from flask import Flask, Response, request
from flask_babel import Babel, get_locale, lazy_gettext as _l, ngettext
from flask_login import current_user

from store.users import get_user, set_language
from webmap.database import store
from webmap.settings import ROOT

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
COOKIE = "lang"
HTML_LANG = {"zh": "zh-CN", "en": "en"}


def select_language() -> str:
    for asked in (request.args.get("lang"), _account_language(), request.cookies.get(COOKIE)):
        if asked in LANGUAGES:
            return asked
    return DEFAULT_LANGUAGE


def _account_language() -> str | None:
    return current_user.language if current_user.is_authenticated else None


def plural_forms(singular: str, plural: str) -> dict[str, str]:
    """A count message for a page's script in each plural form it picks from with Intl.PluralRules
    (static/js/pagekit.js): {"one": "{n} lamp", "other": "{n} lamps"}; Chinese has one form for both."""
    return {"one": ngettext(singular, plural, 1), "other": ngettext(singular, plural, 2)}


def current_language() -> str:
    return str(get_locale() or DEFAULT_LANGUAGE)


def remember_language(response: Response) -> Response:
    asked = request.args.get("lang")
    if asked not in LANGUAGES:
        return response
    if request.cookies.get(COOKIE) != asked:
        response.set_cookie(COOKIE, asked, max_age=365 * 24 * 3600, samesite="Lax")
    if _account_language() not in (None, asked) and not request.headers.get("Authorization"):
        _save_account_language(asked)  # a person's choice in the browser, not a program's per-request one
    return response


def _save_account_language(language: str) -> None:
    with store().sessions() as s:  # its own session: the request's work is committed or rolled back already
        set_language(s, get_user(s, current_user.username), language)
        s.commit()


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault(
        "BABEL_TRANSLATION_DIRECTORIES", str(ROOT / "webmap" / "translations")
    )
    Babel(app, locale_selector=select_language)
    app.after_request(remember_language)
    app.jinja_env.globals.update(current_language=current_language, HTML_LANG=HTML_LANG)


# Labels of coded values, shown in popups, legends and lists.
VALUE_LABELS = {
    "kind": {
        "旧里": _l("旧里"),
        "售后公房": _l("售后公房"),
        "商品房": _l("商品房"),
        "历史保护": _l("历史保护"),
        "商住楼": _l("商住楼"),
        "公建": _l("公建"),
        "committee_office": _l("居委会"),
        "pocket_park": _l("口袋公园"),
        "service_station": _l("党群服务站"),
        "activity_room": _l("活动室"),
        "garbage_room": _l("垃圾箱房"),
        "parking": _l("停车点"),
    },
    "luminaire": {
        "cut-off": _l("截光型"),
        "semi-cut-off": _l("半截光型"),
        "non-cut-off": _l("非截光型"),
    },
    "status": {"working": _l("正常"), "broken": _l("损坏")},
    "protected": {True: _l("是"), False: _l("否")},
}
VALUE_LABELS["type"] = VALUE_LABELS["kind"]


def value_label(field: str, value) -> str:
    labels = VALUE_LABELS.get(field, {})
    return str(labels[value]) if value in labels else str(value)
