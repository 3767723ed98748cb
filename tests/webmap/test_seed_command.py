"""`flask --app app seed [--if-empty] [--today YYYY-MM-DD]`."""
from __future__ import annotations

import pytest

from store.filters import IssueFilters
from store.issues import list_issues
from tests.conftest import make_app
from webmap.database import session

TODAY = "2021-03-31"  # the survey and nine months after it: quick to seed


@pytest.fixture(scope="module")
def fresh_app():
    """An app with a database of its own, empty at first."""
    return make_app()


def stored_issues(app) -> int:
    with app.app_context():
        return list_issues(session(), limit=1)[1]


def test_seed_stores_the_demo_and_prints_a_summary_then_if_empty_adds_nothing(fresh_app):
    runner = fresh_app.test_cli_runner()
    result = runner.invoke(args=["seed", "--if-empty", "--today", TODAY])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(f"Demo issues as of {TODAY}: ")
    total = int(lines[0].rsplit(" ", 1)[1])
    assert "98 from the 2018–2020 survey, 3 of them typical cases" in result.output
    assert f"{total - 98} newer, reported since 2020-07" in result.output
    assert "still open" in result.output
    assert f"Stored {total} new issues; 0 were already there." in result.output
    assert stored_issues(fresh_app) == total
    assert "5 open issues assigned to wang.li" in result.output
    accounts = dict(line.split()[:3:2] for line in lines[lines.index(next(l for l in lines if l.startswith("Demo accounts"))) + 1:])
    assert sorted(accounts) == ["admin", "planner", "viewer", "wang.li", "zhang.wei"]
    assert len(set(accounts.values())) == 5  # fresh random passwords, none written in the code
    with fresh_app.test_request_context():
        from store.users import authenticate
        from webmap.database import transaction

        with transaction() as s:
            assert authenticate(s, "wang.li", accounts["wang.li"]).role == "field_staff"
        mine = list_issues(session(), filters=IssueFilters(assignee="wang.li"), limit=10)[1]
        assert mine == 5

    result = runner.invoke(args=["seed", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert result.output == f"The database already holds {total} issues; seeded no issues or projects.\n"
    assert stored_issues(fresh_app) == total

    result = runner.invoke(args=["seed", "--today", TODAY])
    assert result.exit_code == 0, result.output
    assert f"Stored 0 new issues; {total} were already there." in result.output
    assert stored_issues(fresh_app) == total


@pytest.mark.parametrize("day", ["2020-06-30", "2999-01-01", "31.03.2021"])
def test_a_day_during_the_survey_or_in_the_future_is_refused(fresh_app, day):
    result = fresh_app.test_cli_runner().invoke(args=["seed", "--today", day])
    assert result.exit_code == 2
    assert "--today" in result.output
