"""The demo service's accounts: one per role, with passwords made fresh and shown once, never written in code.

A field worker gets some open demo issues assigned, so the tablet's "my work" has something in it.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from store.issues import update_issue
from store.models import Issue, User
from store.user_vocabulary import Role
from store.users import create_user
from store.vocabulary import OPEN_STATUSES


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    role: Role


DEMO_USERS = (
    DemoUser("admin", "居委会管理员", Role.ADMIN),
    DemoUser("planner", "街道规划员", Role.PLANNER),
    DemoUser("wang.li", "王丽", Role.FIELD_STAFF),
    DemoUser("zhang.wei", "张伟", Role.FIELD_STAFF),
    DemoUser("viewer", "来访查看", Role.VIEWER),
)
ASSIGNED_TO_FIELD_WORKER = 5


@dataclass(frozen=True)
class CreatedUser:
    user: DemoUser
    password: str


def store_demo_users(session: Session) -> list[CreatedUser]:
    """The demo accounts, if the database has no account at all; each with a new random password."""
    if session.scalar(select(User.id).limit(1)) is not None:
        return []
    created = []
    for demo in DEMO_USERS:
        password = secrets.token_urlsafe(12)
        create_user(session, demo.username, password, demo.role, demo.display_name)
        created.append(CreatedUser(demo, password))
    return created


def assign_demo_work(session: Session, worker: str = "wang.li", planner: str = "planner") -> int:
    """Give the field worker open issues until ASSIGNED_TO_FIELD_WORKER are theirs; how many were given.

    The oldest unassigned ones first, then, if too few are unassigned (how many are depends on the day the demo
    stands at), the oldest of those handed to others, so the tablet's "my work" holds the same number any day.
    """
    still_open = Issue.status.in_([s.value for s in OPEN_STATUSES])
    theirs = session.scalar(select(func.count()).where(still_open, Issue.assignee == worker))
    others = (
        select(Issue.public_id)
        .where(still_open, or_(Issue.assignee.is_(None), Issue.assignee != worker))
        .order_by(Issue.assignee.is_not(None), Issue.reported_at, Issue.id)
        .limit(max(0, ASSIGNED_TO_FIELD_WORKER - theirs))
    )
    ids = list(session.scalars(others))
    for public_id in ids:
        update_issue(session, public_id, {"assignee": worker}, planner, "请上门核实处理")
    return len(ids)
