"""Accounts for any front end: users, their passwords and API tokens, and what each role may do.

Each function works inside the caller's session and leaves committing to it
(store.database.transaction). Bad input raises ValidationError naming each
field; a missing user raises NotFound. Neither a password nor a token's
secret is ever stored: passwords as salted scrypt hashes, tokens as SHA-256.
"""
from __future__ import annotations

import functools
import hashlib
import re
import secrets
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from store.errors import NotFound, ValidationError
from store.models import ApiToken, User
from store.timestamps import utcnow
from store.user_vocabulary import ROLE_CAN, Language, Permission, Role
from store.validation import NAME_MAX, FieldErrors, Invalid, choice, text

__all__ = [
    "ROLE_CAN",
    "authenticate",
    "can",
    "check_new_user",
    "create_user",
    "display_names",
    "get_user",
    "issue_token",
    "list_users",
    "revoke_token",
    "set_active",
    "set_language",
    "set_password",
    "set_role",
    "user_for_token",
]

# ASCII only: SQLite's lower() folds nothing else, and tablets type it without an input method.
USERNAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{2,39}")
USERNAME_RULE = "3–40 characters: letters a–z, digits, '.', '_' or '-', starting with a letter or digit"
PASSWORD_MIN = 10
PASSWORD_MAX = 1024
PASSWORD_METHOD = "scrypt"
TOKEN_PREFIX = "jt_"  # Jintan: tells a leaked token apart in logs and to secret scanners
TOKEN_PATTERN = re.compile(re.escape(TOKEN_PREFIX) + r"[A-Za-z0-9_-]{43}")  # token_urlsafe(32)
TOKEN_LABEL_MAX = 100
# last_used_at is kept to the minute, so a busy client does not write on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)

# Passwords of 10 characters or more from the lists of the most used ones, Chinese sites' included.
COMMON_PASSWORDS = frozenset(
    {
        "0123456789", "1234567890", "12345678910", "0987654321", "9876543210", "1234554321",
        "1122334455", "1111122222", "1234512345", "1357924680", "123456789a", "a123456789",
        "a1234567890", "aa123456789", "abc1234567", "abcd123456", "abcdefghij", "qq123456789",
        "qwe123456789", "qwertyuiop", "qwerty1234", "qwerty123456", "asdfghjkl;", "zxcvbnm123",
        "1qaz2wsx3edc", "1q2w3e4r5t", "1q2w3e4r5t6y", "q1w2e3r4t5", "zaq12wsxcde3", "password12",
        "password123", "password1234", "passw0rd123", "iloveyou123", "iloveyou1314", "woaini1314",
        "woaini520520", "5201314520", "1314520520", "5211314521", "147258369a", "1472583690",
        "admin12345", "admin123456", "administrator", "letmein123", "welcome123", "changeme123",
        "sunshine123", "football123", "princess123", "dragon1234", "monkey12345", "shanghai123",
        "shanghai2024", "jintan1234", "jintanlu123",
    }
)


def _username(value: Any) -> str:
    """The canonical, lower-case form of a username."""
    if value is None:
        raise Invalid("required")
    if not isinstance(value, str):
        raise Invalid("must be text")
    value = value.strip().lower()
    if not value:
        raise Invalid("required")
    if not USERNAME_PATTERN.fullmatch(value):
        raise Invalid(f"not a username: {USERNAME_RULE}")
    return value


def _is_text(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        value.encode("utf-8")  # a lone surrogate from JSON cannot be hashed
    except UnicodeEncodeError:
        return False
    return True


def _password(value: Any, username: str | None) -> str:
    if value is None or value == "":
        raise Invalid("required")
    if not _is_text(value):
        raise Invalid("must be text")
    if len(value) < PASSWORD_MIN:
        raise Invalid(f"too short: {len(value)} characters, at least {PASSWORD_MIN}")
    if len(value) > PASSWORD_MAX:
        raise Invalid(f"too long: {len(value)} characters, at most {PASSWORD_MAX}")
    if value.lower() in COMMON_PASSWORDS or len(set(value)) == 1:
        raise Invalid("too common: it is among the first that are tried; choose another")
    if username and username in value.lower():
        raise Invalid("too easy to guess: it contains the username")
    return value


def _hash_password(password: str) -> str:
    """Werkzeug's scrypt: salted and memory-hard, maintained with Flask and already installed; no home-made hashing."""
    return generate_password_hash(password, method=PASSWORD_METHOD)


@functools.cache
def _dummy_hash() -> str:
    return _hash_password(secrets.token_urlsafe(16))


def _by_username(username: str):
    return select(User).where(User.username == username)


def _taken(username: str) -> str:
    return f"{username!r} is taken"


def _check_new_user(session: Session, username: Any, role: Any, display_name: Any) -> tuple[FieldErrors, dict]:
    errors = FieldErrors()
    values = {
        "username": errors.check("username", _username, username),
        "role": errors.check("role", choice, role, Role),
        "display_name": errors.check("display_name", text, display_name, max_length=NAME_MAX),
    }
    if values["username"] is not None and session.scalar(_by_username(values["username"])) is not None:
        errors.add("username", _taken(values["username"]))
    return errors, values


def check_new_user(session: Session, username: Any, role: Any, display_name: Any = None) -> None:
    """Everything create_user checks but the password, so a form or prompt can ask for it last."""
    errors, _ = _check_new_user(session, username, role, display_name)
    errors.raise_if_any()


def create_user(session: Session, username: Any, password: Any, role: Any, display_name: Any = None) -> User:
    """A new active user working in Chinese; the display name defaults to the username.

    The username is stored in lower case: `Wang.Li` and `wang.li` are the same user.
    """
    errors, values = _check_new_user(session, username, role, display_name)
    errors.check("password", _password, password, values["username"])
    errors.raise_if_any()
    user = User(
        username=values["username"],
        display_name=values["display_name"] or values["username"],
        role=values["role"],
        password_hash=_hash_password(password),
        language=Language.ZH.value,
        active=True,
        created_at=utcnow(),
    )
    try:
        with session.begin_nested():
            session.add(user)
    except IntegrityError:
        # Someone created the same username since we looked; the unique constraint decided.
        if session.scalar(_by_username(values["username"])) is None:
            raise
        raise ValidationError({"username": _taken(values["username"])}) from None
    return user


def get_user(session: Session, username: Any) -> User:
    try:
        canonical = _username(username)
    except Invalid:
        raise NotFound("user", username) from None
    user = session.scalar(_by_username(canonical))
    if user is None:
        raise NotFound("user", username)
    return user


def display_names(session: Session, usernames: Iterable[str]) -> dict[str, str]:
    """The display name of each of these usernames that is an account's (histories also hold names of people and offices)."""
    wanted = {name for name in usernames if name}
    if not wanted:
        return {}
    return dict(session.execute(select(User.username, User.display_name).where(User.username.in_(wanted))).all())


def list_users(session: Session) -> list[User]:
    """Every user, active or not, by username."""
    return list(session.scalars(select(User).order_by(User.username)))


def authenticate(session: Session, username: Any, password: Any) -> User | None:
    """The active user with this username and password, now marked signed in; otherwise None.

    A password is hashed whether or not the user exists, so the time taken
    does not tell an attacker which usernames do.
    """
    try:
        user = session.scalar(_by_username(_username(username)))
    except Invalid:
        user = None
    password = password if _is_text(password) else ""
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    user.last_sign_in_at = utcnow()
    session.flush()
    return user


def _refuse_losing_the_last_admin(session: Session, user: User, field: str) -> None:
    if user.role != Role.ADMIN or not user.active:
        return
    # Locks the other admins' rows on PostgreSQL, so two admins cannot demote each other at once.
    other_admins = select(User.id).where(User.role == Role.ADMIN.value, User.active.is_(True), User.id != user.id)
    if session.scalars(other_admins.with_for_update()).first() is None:
        raise ValidationError({field: f"{user.username} is the last active admin: make another user admin first"})


def set_role(session: Session, user: User, role: Any) -> None:
    try:
        role = choice(role, Role)
    except Invalid as problem:
        raise ValidationError({"role": str(problem)}) from None
    if role != Role.ADMIN:
        _refuse_losing_the_last_admin(session, user, "role")
    user.role = role
    session.flush()


def set_active(session: Session, user: User, active: bool) -> None:
    """Deactivated users cannot sign in, and their API tokens stop working; nothing is deleted."""
    if not isinstance(active, bool):
        raise ValidationError({"active": "must be true or false"})
    if not active:
        _refuse_losing_the_last_admin(session, user, "active")
    user.active = active
    session.flush()


def set_password(session: Session, user: User, password: Any) -> None:
    """A new password; the user's API tokens keep working (revoke them with revoke_token)."""
    try:
        _password(password, user.username)
    except Invalid as problem:
        raise ValidationError({"password": str(problem)}) from None
    user.password_hash = _hash_password(password)
    session.flush()


def set_language(session: Session, user: User, language: Any) -> None:
    try:
        user.language = choice(language, Language)
    except Invalid as problem:
        raise ValidationError({"language": str(problem)}) from None
    session.flush()


def _token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def issue_token(session: Session, user: User, label: Any = None) -> tuple[ApiToken, str]:
    """A new API token for an active user and its secret: show the secret once, it is not kept."""
    errors = FieldErrors()
    label = errors.check("label", text, label, max_length=TOKEN_LABEL_MAX)
    if not user.active:
        errors.add("user", f"{user.username} is deactivated")
    errors.raise_if_any()
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, token_hash=_token_hash(secret), label=label, created_at=utcnow())
    session.add(token)
    session.flush()
    return token, secret


def user_for_token(session: Session, secret: Any) -> User | None:
    """The active user whose unrevoked token this is, noting the token's use; otherwise None."""
    if not isinstance(secret, str) or not TOKEN_PATTERN.fullmatch(secret):
        return None
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(secret)))
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        token.last_used_at = now
        session.flush()
    return token.user


def revoke_token(session: Session, token: ApiToken) -> None:
    """The token stops working for good; revoking it again changes nothing."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.flush()


def can(user: User | None, permission: Permission | str) -> bool:
    """Whether this user, if any and active, has a role that allows `permission`.

    An unknown permission raises ValueError: a misspelt check is a bug, not a refusal.
    """
    permission = Permission(permission)
    if user is None or not user.active:
        return False
    return permission in ROLE_CAN.get(user.role, frozenset())
