"""Signing in and out: CSRF on every form and browser write, safe cookies, rate-limited attempts, language kept per user."""
from __future__ import annotations

import re

import pytest

from tests.accounts import PASSWORD, add_user, client_as
from tests.conftest import make_app
from tests.store.helpers import CENTRE_LAT, CENTRE_LON


@pytest.fixture()
def app():
    """An app of each test's own: attempts counted and languages saved here touch no other test."""
    return make_app(SIGN_IN_RATE_LIMIT="5 per minute")


def csrf_token(client, path: str = "/login") -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def sign_in(client, username: str, password: str = PASSWORD, next_path: str | None = None):
    url = "/login" + (f"?next={next_path}" if next_path else "")
    return client.post(url, data={"username": username, "password": password, "remember": "y",
                                  "csrf_token": csrf_token(client)})


def test_the_sign_in_page_has_labelled_fields_and_a_csrf_token(app):
    html = app.test_client().get("/login").get_data(as_text=True)
    assert '<label for="username">用户名</label>' in html and '<label for="password">密码</label>' in html
    assert 'name="csrf_token" type="hidden"' in html
    assert 'autocomplete="current-password"' in html


def test_signing_in_sets_safe_cookies_and_goes_where_asked(app):
    add_user(app, "field_staff")
    client = app.test_client()
    response = sign_in(client, "Wang.Li", next_path="/issues")
    assert response.status_code == 302 and response.headers["Location"] == "/issues"
    cookies = {c.split("=")[0]: c for c in response.headers.getlist("Set-Cookie")}
    for name in ("session", "remember_token"):
        assert "HttpOnly" in cookies[name] and "SameSite=Lax" in cookies[name], cookies[name]
    page = client.get("/issues").get_data(as_text=True)
    assert "王丽" in page and "退出" in page


def test_next_never_leads_to_another_site(app):
    add_user(app, "field_staff")
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"):
        response = sign_in(app.test_client(), "wang.li", next_path=target)
        assert response.headers["Location"] == "/", target


def test_a_wrong_password_or_unknown_user_is_refused_alike(app):
    add_user(app, "field_staff")
    add_user(app, "viewer", "gone", active=False)
    for username, password in (("wang.li", "wrong-password-1"), ("nobody", PASSWORD), ("gone", PASSWORD)):
        response = sign_in(app.test_client(), username, password)
        assert response.status_code == 401
        assert "用户名或密码不正确" in response.get_data(as_text=True)


def test_failed_attempts_are_rate_limited_per_address(app):
    add_user(app, "field_staff")
    client = app.test_client()
    statuses = [sign_in(client, "wang.li", "wrong-password-1").status_code for _ in range(6)]
    assert statuses == [401] * 5 + [429]
    refused = sign_in(client, "wang.li")  # even the right password waits
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert "登录尝试过多" in refused.get_data(as_text=True)
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "10.0.0.9"
    assert sign_in(elsewhere, "wang.li").status_code == 302


def test_a_form_post_without_its_csrf_token_is_refused(app):
    add_user(app, "field_staff")
    response = app.test_client().post("/login", data={"username": "wang.li", "password": PASSWORD})
    assert response.status_code == 400 and "CSRF" in response.get_data(as_text=True)
    client = app.test_client()
    sign_in(client, "wang.li")
    assert client.post("/logout").status_code == 400  # signing out is a form with a token too
    assert client.post("/logout", data={"csrf_token": csrf_token(client, "/")}).status_code == 302
    assert "退出" not in client.get("/").get_data(as_text=True)


def test_a_signed_in_browser_writes_only_with_the_csrf_header(app):
    add_user(app, "field_staff")
    client = app.test_client()
    sign_in(client, "wang.li")
    issue = {"category": "sanitation", "title": "楼道堆物", "lon": CENTRE_LON, "lat": CENTRE_LAT}
    refused = client.post("/api/v1/issues", json=issue)
    assert refused.status_code == 400 and "CSRF" in refused.get_json()["message"]
    accepted = client.post("/api/v1/issues", json=issue, headers={"X-CSRFToken": csrf_token(client, "/")})
    assert accepted.status_code == 201, accepted.get_json()
    assert accepted.get_json()["properties"]["events"][0]["actor"] == "wang.li"
    me = client.get("/api/v1/me").get_json()
    assert (me["username"], me["role"], me["permissions"]) == ("wang.li", "field_staff", ["report", "view"])
    assert client.post("/api/v1/issues", json=issue, headers={"X-CSRFToken": me["csrf_token"]}).status_code == 201


def test_the_language_is_remembered_with_the_account(app):
    add_user(app, "field_staff")
    tablet = app.test_client()
    sign_in(tablet, "wang.li")
    assert '<html lang="en">' in tablet.get("/?lang=en").get_data(as_text=True)
    another_device = app.test_client()
    sign_in(another_device, "wang.li")
    assert '<html lang="en">' in another_device.get("/").get_data(as_text=True)
    assert '<html lang="zh-CN">' in app.test_client().get("/").get_data(as_text=True)


def test_a_changed_password_ends_other_sessions(app):
    from store.users import get_user, set_password

    add_user(app, "field_staff")
    client = app.test_client()
    sign_in(client, "wang.li")
    client.delete_cookie("remember_token")
    assert client.get("/api/v1/me").status_code == 200
    with app.extensions["store"].sessions() as s:
        set_password(s, get_user(s, "wang.li"), "another-lane-2027")
        s.commit()
    assert client.get("/api/v1/me").status_code == 401


def test_signed_out_visitors_see_nothing_when_anonymous_viewing_is_off():
    app = make_app(ANONYMOUS_VIEW=False)
    visitor = app.test_client()
    for path in ("/", "/issues", "/projects", "/planning/lighting"):
        response = visitor.get(path)
        assert response.status_code == 302 and response.headers["Location"] == f"/login?next={path}", path
    assert visitor.get("/api/v1/issues").status_code == 401
    assert visitor.get("/login").status_code == 200
    assert visitor.get("/static/css/app.css").status_code == 200
    assert client_as(app, "viewer").get("/api/v1/issues").status_code == 200


def test_an_oversized_body_is_refused_before_the_csrf_check_reads_it(app):
    add_user(app, "field_staff")
    client = app.test_client()
    sign_in(client, "wang.li")
    issue = client.post("/api/v1/issues", json={"category": "sanitation", "title": "楼道堆物", "lon": CENTRE_LON,
                                                "lat": CENTRE_LAT}, headers={"X-CSRFToken": csrf_token(client, "/")})
    huge = b"x" * (12 * 1024 * 1024)
    response = client.post(f"/api/v1/issues/{issue.get_json()['id']}/photos", data=huge,
                           content_type="multipart/form-data; boundary=x", headers={"X-CSRFToken": csrf_token(client, "/")})
    assert response.status_code == 413 and response.is_json


def test_ogc_api_clients_get_a_401_and_people_the_sign_in_page_when_viewing_needs_an_account():
    app = make_app(ANONYMOUS_VIEW=False)
    visitor = app.test_client()
    for path in ("/ogcapi/collections", "/ogcapi/collections?f=json", "/ogcapi"):
        assert visitor.get(path, headers={"Accept": "application/geo+json, application/json"}).status_code == 401, path
    assert visitor.get("/ogcapi/collections?f=html").status_code == 302
    assert visitor.get("/ogcapi/collections", headers={"Accept": "text/html,application/xhtml+xml"}).status_code == 302
