"""store.demo_users.assign_demo_work: the field worker's "my work" holds five open demo issues, whatever day the
demo stands at."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from geo.dataset import load_dataset
from geo.locate import Locator
from store.database import transaction
from store.demo_issues import plan_demo_issues, store_demo_issues
from store.demo_users import ASSIGNED_TO_FIELD_WORKER, assign_demo_work, store_demo_users
from store.models import Issue
from store.vocabulary import OPEN_STATUSES
from tests.conftest import DATA_DIR


@pytest.fixture(scope="module")
def layers():
    return load_dataset(DATA_DIR).layers


def open_issues_of(session, worker: str) -> int:
    return session.scalar(
        select(func.count()).where(Issue.assignee == worker, Issue.status.in_([s.value for s in OPEN_STATUSES]))
    )


# The day after the survey; a winter with few unassigned open issues; mid-2024; the day the README was checked.
@pytest.mark.parametrize("today", [date(2020, 7, 1), date(2021, 3, 1), date(2024, 6, 30), date(2026, 12, 8)])
def test_wang_li_gets_five_open_issues_whatever_the_day(factory, layers, today):
    locator = Locator(layers["boundary"], layers["buildings"], layers["compounds"])
    with transaction(factory) as session:
        store_demo_issues(session, plan_demo_issues(layers, today), locator)
        store_demo_users(session)
        assert assign_demo_work(session) == ASSIGNED_TO_FIELD_WORKER == 5
    with factory() as session:
        assert open_issues_of(session, "wang.li") == 5
    with transaction(factory) as session:
        assert assign_demo_work(session) == 0  # already five
    with factory() as session:
        assert open_issues_of(session, "wang.li") == 5
