"""SQLAlchemy tables of a photosort library (one SQLite file per library)."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from photosort.catalog.paths import PathText

# Bumped with every Alembic revision (catalog/migrations/versions/): older photosorts, which
# know nothing of Alembic, refuse a library whose schema_version is above their own.
SCHEMA_VERSION = 3


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class Meta(Base):
    """Key/value facts about the library itself, e.g. the schema version."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String, primary_key=True)
    value: Mapped[str] = mapped_column(String)


class Photo(Base):
    __tablename__ = "photos"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    path: Mapped[str] = mapped_column(PathText, unique=True)
    content_hash: Mapped[str] = mapped_column(String, index=True)
    size: Mapped[int] = mapped_column(Integer)
    mtime: Mapped[float] = mapped_column(Float)
    taken_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    width: Mapped[int | None] = mapped_column(Integer, nullable=True)
    height: Mapped[int | None] = mapped_column(Integer, nullable=True)
    added_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Category(Base):
    __tablename__ = "categories"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String, unique=True)
    folder: Mapped[str] = mapped_column(PathText)
    threshold: Mapped[float] = mapped_column(Float, default=0.5)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    person: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # scored from faces
    faces: Mapped[str] = mapped_column(String, default="keep", server_default="keep")  # keep | blur | pixelate
    starter: Mapped[str | None] = mapped_column(String, nullable=True)  # adopted starter kind, if any


class Label(Base):
    """A photo is an example of a category (positive) or explicitly not (negative)."""

    __tablename__ = "labels"
    photo_id: Mapped[int] = mapped_column(
        ForeignKey("photos.id", ondelete="CASCADE"), primary_key=True
    )
    category_id: Mapped[int] = mapped_column(
        ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    positive: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    face: Mapped[int | None] = mapped_column(Integer, nullable=True)  # a person's example: the clicked face


class Embedding(Base):
    """A backbone's embedding of one view of a photo's content (shared by duplicate files)."""

    __tablename__ = "embeddings"
    content_hash: Mapped[str] = mapped_column(String, primary_key=True)
    backbone: Mapped[str] = mapped_column(String, primary_key=True)
    view: Mapped[int] = mapped_column(Integer, primary_key=True)
    dim: Mapped[int] = mapped_column(Integer)
    vector: Mapped[bytes] = mapped_column(LargeBinary)  # float32, little-endian


class FaceSet(Base):
    """The faces detected in one photo's content (shared by duplicate files), by detector: boxes,
    landmarks, scores and embeddings as photosort.faces.PhotoFaces.to_bytes()."""

    __tablename__ = "faces"
    content_hash: Mapped[str] = mapped_column(String, primary_key=True)
    detector: Mapped[str] = mapped_column(String, primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class ModelVersion(Base):
    __tablename__ = "model_versions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    backbone: Mapped[str] = mapped_column(String)
    fine_tuned: Mapped[bool] = mapped_column(Boolean, default=False)
    categories: Mapped[list] = mapped_column(JSON)  # output order of the sigmoid head (names at training)
    category_ids: Mapped[list | None] = mapped_column(JSON, nullable=True)  # the same, as ids (None: older)
    thresholds: Mapped[dict] = mapped_column(JSON)  # best-F1 threshold per category
    metrics: Mapped[dict] = mapped_column(JSON)
    file: Mapped[str] = mapped_column(String)  # relative to the library's models/ dir


class Prediction(Base):
    __tablename__ = "predictions"
    photo_id: Mapped[int] = mapped_column(
        ForeignKey("photos.id", ondelete="CASCADE"), primary_key=True
    )
    model_version_id: Mapped[int] = mapped_column(
        ForeignKey("model_versions.id", ondelete="CASCADE"), primary_key=True
    )
    category_id: Mapped[int] = mapped_column(
        ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True
    )
    score: Mapped[float] = mapped_column(Float)
    predicted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    # "this category's photos, best first" must stay fast with 100,000 photos: a covering index
    __table_args__ = (
        Index("ix_predictions_category", "category_id", "model_version_id", "score", "photo_id"),
    )


class Run(Base):
    """One sort (or other batch of file operations), for history, resume and undo."""

    __tablename__ = "runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String, default="sort")
    source: Mapped[str] = mapped_column(PathText, default="")
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    status: Mapped[str] = mapped_column(String, default="running")
    model_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("model_versions.id", ondelete="SET NULL"), nullable=True
    )
    options: Mapped[dict] = mapped_column(JSON, default=dict)
    summary: Mapped[dict] = mapped_column(JSON, default=dict)


class FileOp(Base):
    """The journal: one file operation, written before it starts and updated after."""

    __tablename__ = "file_ops"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    op: Mapped[str] = mapped_column(String)  # "copy", "move", "remove", ...
    # indexed (revision 0002): forgetting a photo or removing a category sets these to NULL
    photo_id: Mapped[int | None] = mapped_column(
        ForeignKey("photos.id", ondelete="SET NULL"), nullable=True, index=True
    )
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("categories.id", ondelete="SET NULL"), nullable=True, index=True
    )
    src: Mapped[str] = mapped_column(PathText)
    dest: Mapped[str] = mapped_column(PathText, default="")
    tmp: Mapped[str] = mapped_column(PathText, default="")
    content_hash: Mapped[str] = mapped_column(String, default="", index=True)  # "already sorted?" looks here
    size: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String, default="pending")  # pending/done/failed/undone
    error: Mapped[str] = mapped_column(PathText, default="")  # may quote a path
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (Index("ix_file_ops_op_state", "op", "state"),)
