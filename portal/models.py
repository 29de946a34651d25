"""Declarative base shared by every domain; naming convention keeps Alembic constraint names stable."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, ClassVar

import sqlalchemy as sa
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base class of every model."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    # Every model maps one Table (none maps a select or a join): core inserts and updates take it as it is.
    __table__: ClassVar[sa.Table]


db = SQLAlchemy(model_class=Base)

# The base of every table class. At run time it is `db.Model` (Base with Flask-SQLAlchemy's session binding);
# type checkers cannot take a class from an attribute (python/mypy#8603), so they are shown what it derives from.
if TYPE_CHECKING:

    class Model(Base):
        __abstract__ = True

else:
    Model = db.Model


def utcnow() -> datetime:
    """Aware UTC now: stored as UTC everywhere, shown in Europe/Paris."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps stored in UTC and always returned aware, on SQLite as on PostgreSQL."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        # SQLite keeps no offset: the value was stored in UTC by process_bind_param.
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class RandomHex(FunctionElement[str]):
    """32 random hexadecimal characters computed by the database for each row (a server default): rows
    inserted by INSERT … SELECT get one each too, which a Python-side default would give once per statement."""

    type = sa.String(32)
    inherit_cache = True


@compiles(RandomHex, "sqlite")
def _random_hex_sqlite(element: RandomHex, compiler: SQLCompiler, **kw: object) -> str:
    return "lower(hex(randomblob(16)))"


@compiles(RandomHex, "postgresql")
def _random_hex_postgresql(element: RandomHex, compiler: SQLCompiler, **kw: object) -> str:
    return "replace(gen_random_uuid()::text, '-', '')"


class TimestampMixin:
    """Creation time of a row."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
