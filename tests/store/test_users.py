"""store.users on both backends: checking, case-insensitive usernames, passwords, API tokens, roles."""
from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from store import users as store_users
from store.database import downgrade, upgrade
from store.errors import NotFound, ValidationError
from store.models import ApiToken, User
from store.user_vocabulary import ROLE_NAMES, Permission, Role
from store.users import (
    TOKEN_PREFIX,
    authenticate,
    can,
    check_new_user,
    create_user,
    get_user,
    issue_token,
    list_users,
    revoke_token,
    set_active,
    set_language,
    set_password,
    set_role,
    user_for_token,
)

PASSWORD = "弄堂口的路灯-7-green"
OTHER_PASSWORD = "tablet-lamp-post-42"


def add_user(session, username="wang.li", role="field_staff", password=PASSWORD, **kwargs) -> User:
    return create_user(session, username, password, role, **kwargs)


def field_errors(call) -> dict[str, str]:
    with pytest.raises(ValidationError) as raised:
        call()
    return raised.value.field_errors


def test_create_user_stores_the_lower_case_username_and_sensible_defaults(session):
    user = add_user(session, "Wang.Li", display_name="  王丽  ")
    session.commit()
    stored = session.get(User, user.id)
    assert stored.username == "wang.li"
    assert stored.display_name == "王丽"
    assert stored.role == "field_staff"
    assert stored.language == "zh"
    assert stored.active is True
    assert stored.created_at.utcoffset() == timedelta(0)
    assert stored.last_sign_in_at is None
    assert add_user(session, "zhang_wei-2", role="viewer").display_name == "zhang_wei-2"


@pytest.mark.parametrize(
    "username",
    ["ab", "a" * 41, "wang li", "王丽", "-wang", ".wang", "wang/li", "wang\x00li", "", "   ", None, 42],
)
def test_a_bad_username_is_named(session, username):
    assert set(field_errors(lambda: add_user(session, username))) == {"username"}


@pytest.mark.parametrize(
    "password, problem",
    [
        ("short-pw", "too short"),
        ("", "required"),
        (None, "required"),
        ("x" * 1025, "too long"),
        ("1234567890", "too common"),
        ("Password123", "too common"),
        ("woaini1314", "too common"),
        ("          ", "too common"),
        ("aaaaaaaaaaaa", "too common"),
        ("my-WANG.LI-pass", "contains the username"),
        ("lone\ud800surrogate", "must be text"),
        (1234567890123, "must be text"),
    ],
)
def test_a_weak_or_unusable_password_is_named(session, password, problem):
    errors = field_errors(lambda: add_user(session, "wang.li", password=password))
    assert set(errors) == {"password"}
    assert problem in errors["password"]


@pytest.mark.parametrize("role", ["boss", "Admin", "", None])
def test_an_unknown_role_is_named_with_the_roles_there_are(session, role):
    errors = field_errors(lambda: add_user(session, role=role))
    assert set(errors) == {"role"}
    if role:
        assert "viewer, field_staff, planner, admin" in errors["role"]


def test_every_problem_is_named_at_once(session):
    errors = field_errors(lambda: create_user(session, "x", "short", "boss", "名" * 101))
    assert set(errors) == {"username", "password", "role", "display_name"}
    assert session.scalar(text("SELECT count(*) FROM users")) == 0


def test_usernames_are_unique_whatever_their_case(session):
    add_user(session, "Wang.Li")
    session.commit()
    for spelling in ("wang.li", "WANG.LI", " wang.LI "):
        errors = field_errors(lambda: add_user(session, spelling, role="admin"))
        assert errors == {"username": "'wang.li' is taken"}
        assert field_errors(lambda: check_new_user(session, spelling, "admin")) == errors
    assert get_user(session, "WANG.li").username == "wang.li"
    assert [u.username for u in list_users(session)] == ["wang.li"]


def test_the_database_refuses_a_duplicate_or_upper_case_username(session):
    add_user(session)
    session.commit()
    insert = "INSERT INTO users (username, display_name, role, password_hash, language, active, created_at)" \
             " VALUES (:username, 'x', 'viewer', 'x', 'zh', :active, CURRENT_TIMESTAMP)"
    for username in ("wang.li", "Zhang.Wei"):
        with pytest.raises(IntegrityError):
            session.execute(text(insert), {"username": username, "active": True})
        session.rollback()


@pytest.mark.parametrize(
    "statement",
    ["UPDATE users SET role = 'boss'", "UPDATE users SET language = 'fr'", "UPDATE users SET username = 'WANG.LI'"],
)
def test_constraints_refuse_what_the_code_would_never_write(session, statement):
    add_user(session)
    session.commit()
    with pytest.raises(IntegrityError):
        session.execute(text(statement))
    session.rollback()


def test_check_new_user_passes_a_good_user_and_writes_nothing(session):
    check_new_user(session, "Li.Ming", "planner", "李明")
    assert list_users(session) == []


def test_list_users_is_by_username_and_get_user_of_nobody_is_not_found(session):
    for username in ("zhou", "chen", "li.ming"):
        add_user(session, username, password=OTHER_PASSWORD)
    assert [u.username for u in list_users(session)] == ["chen", "li.ming", "zhou"]
    for username in ("nobody", "no one", None):
        with pytest.raises(NotFound):
            get_user(session, username)


def test_authenticate_right_password_any_case_of_username_signs_in(session):
    user = add_user(session)
    session.commit()
    assert authenticate(session, "Wang.Li", PASSWORD) is user
    first = user.last_sign_in_at
    assert first is not None and first.utcoffset() == timedelta(0)
    session.commit()
    assert authenticate(session, "wang.li", PASSWORD) is user
    assert user.last_sign_in_at >= first


@pytest.mark.parametrize("password", [OTHER_PASSWORD, PASSWORD.upper(), PASSWORD + " ", "", None, "\ud800", 7])
def test_authenticate_wrong_password_fails_and_does_not_sign_in(session, password):
    user = add_user(session)
    assert authenticate(session, "wang.li", password) is None
    assert user.last_sign_in_at is None


def test_authenticate_an_inactive_user_fails(session):
    user = add_user(session)
    set_active(session, user, False)
    assert authenticate(session, "wang.li", PASSWORD) is None
    assert user.last_sign_in_at is None
    set_active(session, user, True)
    assert authenticate(session, "wang.li", PASSWORD) is user


@pytest.mark.parametrize("username", ["nobody", "no one", "", None])
def test_authenticate_an_unknown_user_fails_after_checking_a_hash_all_the_same(session, monkeypatch, username):
    add_user(session)
    checked = []
    real_check = store_users.check_password_hash

    def spy(pwhash, password):
        checked.append(pwhash)
        return real_check(pwhash, password)

    monkeypatch.setattr(store_users, "check_password_hash", spy)
    assert authenticate(session, username, PASSWORD) is None
    assert len(checked) == 1 and checked[0].startswith("scrypt:")


def test_hashes_are_scrypt_not_the_password_and_differ_per_user(session):
    first = add_user(session, "wang.li")
    second = add_user(session, "zhang.wei")
    session.commit()
    stored = dict(session.execute(text("SELECT username, password_hash FROM users")).all())
    assert stored["wang.li"] != stored["zhang.wei"]
    for password_hash in stored.values():
        assert password_hash.startswith("scrypt:")
        assert PASSWORD not in password_hash
    assert first.password_hash == stored["wang.li"] and second.password_hash == stored["zhang.wei"]


def test_set_password_replaces_the_old_one_and_is_checked(session):
    user = add_user(session)
    set_password(session, user, OTHER_PASSWORD)
    assert authenticate(session, "wang.li", PASSWORD) is None
    assert authenticate(session, "wang.li", OTHER_PASSWORD) is user
    assert set(field_errors(lambda: set_password(session, user, "qwertyuiop"))) == {"password"}
    assert authenticate(session, "wang.li", OTHER_PASSWORD) is user


def test_set_language_remembers_zh_or_en_only(session):
    user = add_user(session)
    set_language(session, user, "en")
    session.commit()
    assert session.get(User, user.id).language == "en"
    assert set(field_errors(lambda: set_language(session, user, "fr"))) == {"language"}
    assert user.language == "en"


def test_set_role_changes_it_and_names_an_unknown_one(session):
    user = add_user(session)
    set_role(session, user, "planner")
    session.commit()
    assert session.get(User, user.id).role == "planner"
    assert set(field_errors(lambda: set_role(session, user, "boss"))) == {"role"}


def test_the_last_active_admin_can_be_neither_demoted_nor_deactivated(session):
    admin = add_user(session, "admin", role="admin", password=OTHER_PASSWORD)
    assert "last active admin" in field_errors(lambda: set_role(session, admin, "planner"))["role"]
    assert "last active admin" in field_errors(lambda: set_active(session, admin, False))["active"]
    set_role(session, admin, "admin")
    second = add_user(session, "second.admin", role="admin")
    set_role(session, admin, "planner")
    assert admin.role == "planner"
    assert set(field_errors(lambda: set_active(session, second, False))) == {"active"}


def test_a_token_is_issued_once_and_found_by_its_secret(session):
    user = add_user(session)
    token, secret = issue_token(session, user, "  tablet 3 ")
    session.commit()
    assert secret.startswith(TOKEN_PREFIX) and len(secret) == len(TOKEN_PREFIX) + 43
    assert token.label == "tablet 3" and token.user is user
    assert token.last_used_at is None and token.revoked_at is None
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert user_for_token(session, secret) is user
    assert token.last_used_at is not None
    assert issue_token(session, user, None)[1] != secret


def test_the_secret_is_in_no_table(session):
    user = add_user(session)
    _, secret = issue_token(session, user, "tablet")
    session.commit()
    random_part = secret.removeprefix(TOKEN_PREFIX)
    for table in inspect(session.get_bind()).get_table_names():
        if table.startswith("issue_rtree"):
            continue
        for row in session.execute(text(f"SELECT * FROM {table}")):
            assert not any(isinstance(value, str) and random_part in value for value in row), table


def test_last_used_at_is_noted_to_the_minute(session):
    user = add_user(session)
    token, secret = issue_token(session, user, "tablet")
    user_for_token(session, secret)
    first = token.last_used_at
    user_for_token(session, secret)
    assert token.last_used_at == first
    token.last_used_at = first - timedelta(minutes=2)
    session.commit()
    user_for_token(session, secret)
    session.commit()
    assert session.get(ApiToken, token.id).last_used_at >= first


def test_a_revoked_token_or_an_inactive_users_token_fails(session):
    user = add_user(session)
    kept, kept_secret = issue_token(session, user, "kept")
    revoked, revoked_secret = issue_token(session, user, "lost tablet")
    revoke_token(session, revoked)
    when = revoked.revoked_at
    revoke_token(session, revoked)
    assert revoked.revoked_at == when
    session.commit()
    assert user_for_token(session, revoked_secret) is None
    assert user_for_token(session, kept_secret) is user
    set_active(session, user, False)
    assert user_for_token(session, kept_secret) is None
    assert field_errors(lambda: issue_token(session, user, "new")) == {"user": "wang.li is deactivated"}


@pytest.mark.parametrize(
    "secret", [None, "", "jt_", "jt_" + "A" * 43, "JT_" + "A" * 43, "jt_" + "A" * 44, "jt_\ud800" + "A" * 42, 42]
)
def test_an_unknown_or_malformed_secret_finds_nobody(session, secret):
    user = add_user(session)
    issue_token(session, user, "tablet")
    assert user_for_token(session, secret) is None


def test_a_token_label_is_checked(session):
    user = add_user(session)
    assert set(field_errors(lambda: issue_token(session, user, "x" * 101))) == {"label"}


MAY = {
    "viewer": {"view"},
    "field_staff": {"view", "report"},
    "planner": {"view", "report", "plan"},
    "admin": {"view", "report", "plan", "admin"},
}


@pytest.mark.parametrize("role", list(MAY))
@pytest.mark.parametrize("permission", ["view", "report", "plan", "admin"])
def test_can_follows_the_role(role, permission):
    user = User(username="u.ser", role=role, active=True)
    assert can(user, permission) is (permission in MAY[role])
    assert can(user, Permission(permission)) is (permission in MAY[role])
    user.active = False
    assert can(user, permission) is False


def test_can_refuses_nobody_and_a_misspelt_permission_is_a_bug():
    assert can(None, "view") is False
    with pytest.raises(ValueError):
        can(User(username="u.ser", role="admin", active=True), "delete_everything")


def test_every_role_has_chinese_and_english_names():
    assert [ROLE_NAMES[role]["zh"] for role in Role] == ["查看者", "社区工作者", "规划人员", "管理员"]
    assert all(ROLE_NAMES[role]["en"] for role in Role)


def test_migration_0003_goes_down_to_0002_and_up_again(engine, factory):
    with factory.begin() as session:
        add_user(session)
    downgrade(engine, "0002")
    assert not {"users", "api_tokens"} & set(inspect(engine).get_table_names())
    assert "projects" in inspect(engine).get_table_names()
    upgrade(engine)
    assert {"users", "api_tokens"} <= set(inspect(engine).get_table_names())
