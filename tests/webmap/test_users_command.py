"""`flask --app app users create|list|set-role|token|deactivate`."""
from __future__ import annotations

import re

import pytest

from store.users import TOKEN_PREFIX, authenticate, user_for_token
from tests.conftest import make_app
from webmap.database import transaction

PASSWORD = "lane-lamp-7-green"


@pytest.fixture()
def fresh_app():
    """An app with a database of its own, empty at first."""
    return make_app()


def invoke(app, *args: str, input: str | None = None):
    return app.test_cli_runner().invoke(args=["users", *args], input=input)


def refused(result, *words: str) -> None:
    """Exit code 1 with one line naming the problem, and no traceback."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    for word in words:
        assert word in result.stderr


def test_create_reads_the_password_from_stdin_and_the_user_can_sign_in(fresh_app):
    result = invoke(fresh_app, "create", "Wang.Li", "--role", "field_staff", "--display-name", "王丽",
                    input=f"{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert result.output == "Created wang.li (王丽): field_staff 社区工作者.\n"
    with fresh_app.app_context(), transaction() as session:
        assert authenticate(session, "wang.li", PASSWORD).display_name == "王丽"


def test_list_shows_username_role_active_and_last_sign_in(fresh_app):
    assert invoke(fresh_app, "list").output == (
        "No users yet. Create one: flask --app app users create USERNAME --role admin\n"
    )
    for username, role in (("zhou", "viewer"), ("admin", "admin")):
        assert invoke(fresh_app, "create", username, "--role", role, input=f"{PASSWORD}\n").exit_code == 0
    invoke(fresh_app, "deactivate", "zhou")
    with fresh_app.app_context(), transaction() as session:
        authenticate(session, "admin", PASSWORD)
    header, admin, zhou = invoke(fresh_app, "list").output.splitlines()
    assert header == "username  role    active  last sign-in"
    assert re.fullmatch(r"admin     admin   yes     \d{4}-\d\d-\d\d \d\d:\d\d", admin)
    assert zhou == "zhou      viewer  no      never"


def test_set_role_says_what_changed(fresh_app):
    invoke(fresh_app, "create", "wang.li", "--role", "field_staff", input=f"{PASSWORD}\n")
    result = invoke(fresh_app, "set-role", "WANG.LI", "planner")
    assert result.exit_code == 0, result.output
    assert result.output == "wang.li: field_staff → planner 规划人员\n"
    assert "wang.li   planner" in invoke(fresh_app, "list").output


def test_token_prints_the_secret_once_and_it_signs_the_user_in(fresh_app):
    invoke(fresh_app, "create", "wang.li", "--role", "field_staff", input=f"{PASSWORD}\n")
    result = invoke(fresh_app, "token", "wang.li", "--label", "tablet 3")
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip()
    assert result.stdout == f"{secret}\n" and secret.startswith(TOKEN_PREFIX)
    assert secret not in result.stderr and "cannot be shown again" in result.stderr
    assert secret not in invoke(fresh_app, "list").output
    with fresh_app.app_context(), transaction() as session:
        user = user_for_token(session, secret)
        assert user.username == "wang.li"
        assert [token.label for token in user.tokens] == ["tablet 3"]
    assert invoke(fresh_app, "token", "wang.li").stdout.strip() != secret


def test_deactivate_stops_sign_in_and_tokens(fresh_app):
    invoke(fresh_app, "create", "wang.li", "--role", "field_staff", input=f"{PASSWORD}\n")
    secret = invoke(fresh_app, "token", "wang.li").stdout.strip()
    result = invoke(fresh_app, "deactivate", "wang.li")
    assert result.exit_code == 0, result.output
    assert "wang.li deactivated" in result.output
    with fresh_app.app_context(), transaction() as session:
        assert authenticate(session, "wang.li", PASSWORD) is None
        assert user_for_token(session, secret) is None
    refused(invoke(fresh_app, "token", "wang.li"), "wang.li is deactivated")


def test_a_bad_role_exits_1_naming_it_and_creates_nobody(fresh_app):
    refused(invoke(fresh_app, "create", "wang.li", "--role", "boss", input=f"{PASSWORD}\n"),
            "role", "'boss'", "viewer, field_staff, planner, admin")
    invoke(fresh_app, "create", "wang.li", "--role", "viewer", input=f"{PASSWORD}\n")
    refused(invoke(fresh_app, "set-role", "wang.li", "boss"), "role", "'boss'")
    assert "wang.li   viewer" in invoke(fresh_app, "list").output


@pytest.mark.parametrize(
    "args, input, words",
    [
        (["create", "wang li", "--role", "viewer"], PASSWORD, ["username", "letters"]),
        (["create", "taken", "--role", "viewer"], PASSWORD, ["username", "'taken' is taken"]),
        (["create", "li.ming", "--role", "viewer"], "short", ["password", "too short"]),
        (["create", "li.ming", "--role", "viewer"], "1234567890", ["password", "too common"]),
        (["create", "li.ming", "--role", "viewer"], "", ["password", "required"]),
        (["set-role", "nobody", "planner"], None, ["no user 'nobody'"]),
        (["token", "nobody"], None, ["no user 'nobody'"]),
        (["deactivate", "nobody"], None, ["no user 'nobody'"]),
        (["deactivate", "admin"], None, ["last active admin"]),
        (["set-role", "admin", "viewer"], None, ["last active admin"]),
    ],
)
def test_bad_input_exits_1_naming_the_problem(fresh_app, args, input, words):
    for username, role in (("taken", "viewer"), ("admin", "admin")):
        invoke(fresh_app, "create", username, "--role", role, input=f"{PASSWORD}\n")
    refused(invoke(fresh_app, *args, input=None if input is None else f"{input}\n"), *words)


def test_a_missing_role_is_a_usage_error(fresh_app):
    result = invoke(fresh_app, "create", "wang.li", input=f"{PASSWORD}\n")
    assert result.exit_code == 2
    assert "--role" in result.output
