"""The tables: categories, issues, their photos, renovation projects, the events that record every change, accounts.

The migrations, not these classes, create the schema. The spatial index is
per backend and unmapped: `issues.geom` with a GiST index on PostGIS, the
`issue_rtree` R*Tree on SQLite; `store.spatial` queries them.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Double,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    PrimaryKeyConstraint,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from store.project_vocabulary import ProjectEventKind, ProjectKind, ProjectStatus
from store.timestamps import UTCDateTime, utcnow
from store.user_vocabulary import Language, Role
from store.vocabulary import ACCURACY_FLAG_M, LocationSource, Priority, RejectionReason, Source, Status

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Kept out of the models because they exist on one backend only (see module docstring).
SPATIAL_INDEX_TABLES = frozenset(
    {"issue_rtree", "issue_rtree_node", "issue_rtree_parent", "issue_rtree_rowid", "spatial_ref_sys"}
)
SPATIAL_INDEX_COLUMNS = frozenset({("issues", "geom")})
SPATIAL_INDEX_INDEXES = frozenset({"ix_issues_geom"})


def one_of(column: str, values: type[StrEnum]) -> CheckConstraint:
    allowed = ", ".join(f"'{v.value}'" for v in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=f"{column}_allowed")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Category(Base):
    __tablename__ = "categories"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # a slug: "sanitation"
    name_zh: Mapped[str] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(60))
    colour: Mapped[str] = mapped_column(String(7))  # "#rrggbb"
    icon: Mapped[str] = mapped_column(String(40))  # a Font Awesome 6 free solid icon name
    sort_order: Mapped[int] = mapped_column(Integer)

    def __repr__(self) -> str:
        return f"<Category {self.id}>"


class Issue(Base):
    __tablename__ = "issues"
    __table_args__ = (
        one_of("source", Source),
        one_of("status", Status),
        one_of("priority", Priority),
        one_of("rejection_reason", RejectionReason),
        one_of("location_source", LocationSource),
        CheckConstraint("lon >= -180 AND lon <= 180 AND lat >= -90 AND lat <= 90", name="lon_lat_range"),
        CheckConstraint(
            "(status = 'rejected' AND rejection_reason IS NOT NULL)"
            " OR (status <> 'rejected' AND rejection_reason IS NULL)",
            name="rejection_reason_iff_rejected",
        ),
        CheckConstraint("location_accuracy_m >= 0 AND location_accuracy_m <= 10000", name="location_accuracy_m_range"),
        Index("ix_issues_reported_at_id", "reported_at", "id"),  # the reading order of pages (store.reading_order)
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(36), unique=True)
    category_id: Mapped[str] = mapped_column(ForeignKey("categories.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    lon: Mapped[float] = mapped_column(Double)  # EPSG:4326
    lat: Mapped[float] = mapped_column(Double)
    building_id: Mapped[str | None] = mapped_column(String(64))
    compound_id: Mapped[str | None] = mapped_column(String(64), index=True)
    address: Mapped[str | None] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), index=True, default=Status.REPORTED)
    rejection_reason: Mapped[str | None] = mapped_column(String(20))
    priority: Mapped[str] = mapped_column(String(10), default=Priority.NORMAL)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reporter: Mapped[str | None] = mapped_column(String(100))
    assignee: Mapped[str | None] = mapped_column(String(100))
    due_date: Mapped[date | None] = mapped_column(Date)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_typical_case: Mapped[bool] = mapped_column(Boolean, default=False)
    location_note: Mapped[str | None] = mapped_column(String(500))  # e.g. "placed nearby on purpose"
    location_source: Mapped[str | None] = mapped_column(String(10))
    location_accuracy_m: Mapped[float | None] = mapped_column(Double)  # the radius GPS reported
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    category: Mapped[Category] = relationship(lazy="joined", innerjoin=True)
    events: Mapped[list[IssueEvent]] = relationship(
        back_populates="issue",
        order_by="(IssueEvent.at, IssueEvent.id)",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    photos: Mapped[list[Photo]] = relationship(
        back_populates="issue",
        order_by="(Photo.uploaded_at, Photo.id)",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @property
    def location_flagged(self) -> bool:
        """The position is less accurate than a report needs."""
        return self.location_accuracy_m is not None and self.location_accuracy_m > ACCURACY_FLAG_M

    def __repr__(self) -> str:
        return f"<Issue {self.public_id} {self.category_id} {self.status}>"


class IssueEvent(Base):
    """One change to an issue: its creation, a field going from one value to another, or a comment."""

    __tablename__ = "issue_events"
    __table_args__ = (
        Index("ix_issue_events_issue_id_at", "issue_id", "at"),
        Index("uq_issue_events_client_id", "client_id", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("issues.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    from_value: Mapped[str | None] = mapped_column(String(200))
    to_value: Mapped[str | None] = mapped_column(String(200))
    comment: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    client_id: Mapped[str | None] = mapped_column(String(36))  # the update's UUID from the client, on its first event

    issue: Mapped[Issue] = relationship(back_populates="events")

    def __repr__(self) -> str:
        return f"<IssueEvent {self.kind} {self.from_value!r}->{self.to_value!r} by {self.actor}>"


class Photo(Base):
    """A photo of an issue, re-encoded as a JPEG without metadata; the files live outside the database.

    `public_id` is the client's UUID, so an upload retried over a weak network is stored once.
    """

    __tablename__ = "photos"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(36), unique=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("issues.id", ondelete="CASCADE"), index=True)
    issue_event_id: Mapped[int | None] = mapped_column(ForeignKey("issue_events.id", ondelete="SET NULL"))
    file_name: Mapped[str] = mapped_column(String(64))  # random hex + ".jpg", in the photo folder
    thumbnail_name: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(40))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    bytes: Mapped[int] = mapped_column(Integer)  # of the stored file, not of the upload
    uploaded_by: Mapped[str] = mapped_column(String(100))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    issue: Mapped[Issue] = relationship(back_populates="photos")
    event: Mapped[IssueEvent | None] = relationship()

    def __repr__(self) -> str:
        return f"<Photo {self.public_id} of issue {self.issue_id}>"


def include_in_autogenerate(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic `include_object`: leave the per-backend spatial index alone."""
    if type_ == "table":
        return name not in SPATIAL_INDEX_TABLES
    if type_ == "column":
        return (obj.table.name, name) not in SPATIAL_INDEX_COLUMNS
    if type_ == "index":
        return name not in SPATIAL_INDEX_INDEXES
    return True


class Project(Base):
    """A renovation project: what, where (GeoJSON in EPSG:4326 and its bounding box), when, for how much."""

    __tablename__ = "projects"
    __table_args__ = (
        one_of("kind", ProjectKind),
        one_of("status", ProjectStatus),
        CheckConstraint("min_lon <= max_lon AND min_lat <= max_lat", name="bbox_ordered"),
        CheckConstraint(
            "planned_start IS NULL OR planned_end IS NULL OR planned_start <= planned_end", name="planned_in_order"
        ),
        CheckConstraint(
            "actual_start IS NULL OR actual_end IS NULL OR actual_start <= actual_end", name="actual_in_order"
        ),
        CheckConstraint("budget >= 0", name="budget_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(36), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True, default=ProjectStatus.PROPOSED)
    planned_start: Mapped[date | None] = mapped_column(Date)
    planned_end: Mapped[date | None] = mapped_column(Date)
    actual_start: Mapped[date | None] = mapped_column(Date)
    actual_end: Mapped[date | None] = mapped_column(Date)
    budget: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))  # yuan
    contractor: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    geometry: Mapped[str] = mapped_column(Text)  # GeoJSON geometry, EPSG:4326
    min_lon: Mapped[float] = mapped_column(Double)
    min_lat: Mapped[float] = mapped_column(Double)
    max_lon: Mapped[float] = mapped_column(Double)
    max_lat: Mapped[float] = mapped_column(Double)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    events: Mapped[list[ProjectEvent]] = relationship(
        back_populates="project",
        order_by="(ProjectEvent.at, ProjectEvent.id)",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    issue_links: Mapped[list[ProjectIssue]] = relationship(
        back_populates="project",
        order_by="(ProjectIssue.linked_at, ProjectIssue.issue_id)",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    def __repr__(self) -> str:
        return f"<Project {self.public_id} {self.kind} {self.status}>"


class ProjectEvent(Base):
    """One change to a project: its creation, a field going from one value to another, a link, or a comment."""

    __tablename__ = "project_events"
    __table_args__ = (one_of("kind", ProjectEventKind), Index("ix_project_events_project_id_at", "project_id", "at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    from_value: Mapped[str | None] = mapped_column(Text)  # Text: a geometry change keeps the whole old GeoJSON
    to_value: Mapped[str | None] = mapped_column(Text)
    comment: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    project: Mapped[Project] = relationship(back_populates="events")

    def __repr__(self) -> str:
        return f"<ProjectEvent {self.kind} by {self.actor}>"


class ProjectIssue(Base):
    """An issue a project addresses; who linked it, and when."""

    __tablename__ = "project_issues"
    __table_args__ = (PrimaryKeyConstraint("project_id", "issue_id"),)

    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    issue_id: Mapped[int] = mapped_column(ForeignKey("issues.id", ondelete="CASCADE"), index=True)
    linked_by: Mapped[str] = mapped_column(String(100))
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    project: Mapped[Project] = relationship(back_populates="issue_links")
    issue: Mapped[Issue] = relationship(lazy="joined", innerjoin=True)

    def __repr__(self) -> str:
        return f"<ProjectIssue {self.project_id}->{self.issue_id}>"


class User(Base):
    """Someone who signs in: a community worker, planner, administrator or viewer.

    `username` is kept in lower case, so it is unique whatever the case it is typed in.
    """

    __tablename__ = "users"
    __table_args__ = (
        one_of("role", Role),
        one_of("language", Language),
        CheckConstraint("username = lower(username)", name="username_lower_case"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))  # Werkzeug's "scrypt:N:r:p$salt$hash"
    language: Mapped[str] = mapped_column(String(2), default=Language.ZH)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="user",
        order_by="(ApiToken.created_at, ApiToken.id)",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}{'' if self.active else ' inactive'}>"


class ApiToken(Base):
    """A secret a program signs in with as a user; only its SHA-256 is stored, so it is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # hex
    label: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="tokens", lazy="joined", innerjoin=True)

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} of user {self.user_id}{' revoked' if self.revoked_at else ''}>"
