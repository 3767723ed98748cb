"""Users and API tokens for tests: made directly in the store, with one password hash computed once."""
from __future__ import annotations

import functools

from werkzeug.security import generate_password_hash

PASSWORD = "lane-walker-2026"
DEFAULT_NAMES = {"viewer": "viewer", "field_staff": "wang.li", "planner": "planner", "admin": "admin"}
DISPLAY_NAMES = {"wang.li": "王丽"}


@functools.cache
def _password_hash() -> str:
    return generate_password_hash(PASSWORD, method="scrypt")


def add_user(app, role: str, username: str | None = None, *, active: bool = True) -> str:
    """A user with PASSWORD (created unless the username exists); returns the username."""
    from store.models import User

    username = username or DEFAULT_NAMES[role]
    with app.extensions["store"].sessions() as s:
        if s.query(User).filter_by(username=username).one_or_none() is None:
            s.add(User(username=username, display_name=DISPLAY_NAMES.get(username, username), role=role,
                       password_hash=_password_hash(), language="zh", active=active))
            s.commit()
    return username


def token(app, role: str, username: str | None = None) -> str:
    """A new API token of the user (created if need be) with this role."""
    from store.users import get_user, issue_token

    username = add_user(app, role, username)
    with app.extensions["store"].sessions() as s:
        _, secret = issue_token(s, get_user(s, username), "tests")
        s.commit()
    return secret


def bearer(app, role: str, username: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(app, role, username)}"}


def as_user(client, username: str, role: str = "planner") -> dict[str, str]:
    """Headers that make one request of `client` come from `username` (created with `role` if new)."""
    return bearer(client.application, role, username)


def client_as(app, role: str, username: str | None = None):
    """A test client that sends the user's API token with every request."""
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = bearer(app, role, username)["Authorization"]
    return client
