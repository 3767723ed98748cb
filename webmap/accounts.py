"""Who is signed in: Flask-Login sessions for browsers, `Authorization: Bearer <token>` for API clients.

The current user is an `Account`, a plain snapshot of the stored user taken
when the request began, so templates and views never touch a closed
database session.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask import Flask, g, request
from flask_login import AnonymousUserMixin, LoginManager, current_user

from store.models import User
from store.user_vocabulary import ROLE_CAN, ROLE_NAMES, Permission, Role
from store.users import can, user_for_token
from webmap.database import session, store

BEARER = "bearer"
ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    display_name: str
    role: str
    language: str
    session_version: str

    is_authenticated = True
    is_active = True
    is_anonymous = False

    @classmethod
    def of(cls, user: User) -> Account:
        return cls(user.id, user.username, user.display_name, user.role, user.language, _session_version(user))

    def get_id(self) -> str:
        # A changed password ends the sessions signed in with the old one.
        return f"{self.id}.{self.session_version}"

    def can(self, permission: Permission | str) -> bool:
        return Permission(permission) in ROLE_CAN.get(Role(self.role), frozenset())

    @property
    def permissions(self) -> list[str]:
        return sorted(ROLE_CAN.get(Role(self.role), frozenset()))

    def role_name(self, language: str) -> str:
        return ROLE_NAMES[Role(self.role)][language]


class Anonymous(AnonymousUserMixin):
    username = ANONYMOUS
    display_name = ""
    role = None
    language = None
    permissions: list[str] = []

    def can(self, permission: Permission | str) -> bool:
        Permission(permission)
        return False


def _session_version(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def load_from_session(user_id: str) -> Account | None:
    number, _, version = user_id.partition(".")
    if not number.isdigit():
        return None
    user = session().get(User, int(number))
    if user is None or not user.active or _session_version(user) != version:
        return None
    return Account.of(user)


def bearer_token() -> str | None:
    """The token of an `Authorization: Bearer …` header, if the request has one."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == BEARER and token.strip() else None


def load_from_token(_request) -> Account | None:
    token = bearer_token()
    if token is None:
        return None
    with store().sessions() as s:  # a session of its own: noting the token's use commits nothing else
        user = user_for_token(s, token)
        account = Account.of(user) if user is not None and can(user, Permission.VIEW) else None
        s.commit()
    g.bearer_refused = account is None
    return account


def current_actor() -> str:
    """The username every write records: the signed-in user's."""
    return current_user.username if current_user.is_authenticated else ANONYMOUS


def init_app(app: Flask) -> None:
    app.config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
    app.config.setdefault("REMEMBER_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("REMEMBER_COOKIE_SECURE", app.config.get("SESSION_COOKIE_SECURE", False))
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"  # Flask leaves it unset
    manager = LoginManager(app)
    manager.anonymous_user = Anonymous
    manager.user_loader(load_from_session)
    manager.request_loader(load_from_token)
    manager.login_view = "sign_in.sign_in"
    manager.session_protection = "basic"
    app.before_request(_identify)


def _identify() -> None:
    """Settle who is asking before any view opens a transaction, so loading the user never runs inside one."""
    current_user._get_current_object()
