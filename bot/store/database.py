"""The app database: one engine per URL, a session per unit of work, schema through Alembic.

SQLite under build/ by default; `DATABASE_URL` selects PostgreSQL (or another SQLite file).
Engines are made on first use, never at import time, so a missing database is reported by the
call that needs it instead of killing the action server.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache, partial
from pathlib import Path
from typing import TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Engine, create_engine
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.pool import QueuePool

from bot.settings import ROOT, load_settings

SQLITE_BUSY_TIMEOUT_MS = 15000
READ_ONLY = "zgfw_read_only"  # execution option of a unit that only reads
T = TypeVar("T")


class StoreUnavailable(RuntimeError):
    """The database cannot be reached or written now; the caller keeps the data and retries."""


def database_url() -> str:
    """`DATABASE_URL`, or the embedded SQLite file (bot.settings)."""
    return load_settings().database_url


def _sqlite_pragmas(connection, _record, *, ours: bool = True) -> None:  # noqa: ANN001 - DB-API objects
    connection.isolation_level = None  # the driver must not start transactions itself: `_begin` does
    cursor = connection.cursor()
    if ours:  # a file opened read only (Rasa's tracker store) is left as its owner set it
        cursor.execute("PRAGMA foreign_keys=ON")
        # WAL: a commit does not block readers outside our units (backups, the sqlite3 shell) and is one
        # append instead of a journal rewrite; our own units still queue on the write lock (`_begin`).
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def _begin(connection) -> None:  # noqa: ANN001 - SQLAlchemy Connection
    """Every SQLite unit of work that may write takes the write lock first (waiting up to the busy timeout).

    A transaction that reads and then writes would otherwise fail at once (not wait) when another
    writer committed in between; and with the driver's own transaction handling off, savepoints work.
    Units of work are short and run off the event loops, so waiting here stops no one else. A unit
    that only reads (the console's queue, polled by every open console) begins deferred: in WAL mode
    it then never waits for a writer nor makes one wait.
    """
    read_only = connection.get_execution_options().get(READ_ONLY, False)
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def added(session: Session, row: object) -> bool:
    """Insert `row` inside a savepoint; False when a unique index refuses it (nothing else is undone).

    A repeated delivery of the same submission may commit first: the caller then reads that row and
    its unit of work carries on with everything it did before.
    """
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return False
    return True


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    """One pooled engine per URL for the life of the process.

    SQLAlchemy 1.4 opens an SQLite file anew for every unit of work unless told to pool; opening,
    setting the pragmas and closing (a WAL checkpoint) took more time than the unit itself. A pooled
    connection is used by one thread at a time, so the driver's same-thread check is off.
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, future=True, poolclass=QueuePool, connect_args={
            "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False})
        event.listen(engine, "connect", partial(_sqlite_pragmas, ours="mode=ro" not in url))
        event.listen(engine, "begin", _begin)
        return engine
    return create_engine(url, future=True, pool_pre_ping=True, pool_size=5,
                         connect_args={"connect_timeout": 5})


@contextmanager
def session_scope(url: str | None = None, *, read_only: bool = False) -> Iterator[Session]:
    """A session for one unit of work: committed at the end, rolled back on error.

    Connection and operational failures surface as StoreUnavailable, so actions can tell
    the worker and keep what they typed without knowing the driver's exceptions. `read_only`
    units must not write (on SQLite they do not take the write lock).
    """
    engine = engine_for(url or database_url())
    bind = engine.execution_options(**{READ_ONLY: True}) if read_only else engine
    session = Session(bind, future=True, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except DBAPIError as error:
        session.rollback()
        if error.connection_invalidated or _is_operational(error):
            raise StoreUnavailable(type(error.orig).__name__) from error
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


async def in_store(work: Callable[[Session], T], url: str | None = None, *, read_only: bool = False) -> T:
    """Run one unit of work on a worker thread and return its result.

    Sanic, rasa_sdk and Rasa serve everyone from one event loop: a query that waits for SQLite's
    write lock (up to the busy timeout) or a slow PostgreSQL must not stop every other worker's
    turn. `work` runs inside `session_scope` and should return plain values, not live rows.
    """
    def unit() -> T:
        with session_scope(url, read_only=read_only) as session:
            return work(session)

    return await asyncio.to_thread(unit)


def _is_operational(error: DBAPIError) -> bool:
    return type(error).__name__ in {"OperationalError", "InterfaceError"}


def alembic_config(url: str):  # noqa: ANN201 - alembic.config.Config, imported only when needed
    """Alembic pointed at migrations/ and at this database."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.attributes["url"] = url
    return config


def migrate(url: str | None = None) -> None:
    """Bring the schema up to the newest Alembic revision (run before the servers start)."""
    from alembic import command

    url = url or database_url()
    if url.startswith("sqlite:///"):
        os.makedirs(os.path.dirname(url.removeprefix("sqlite:///")) or ".", exist_ok=True)
    command.upgrade(alembic_config(url), "head")


def use_scratch_database() -> str:
    """Point this process's app database at a throwaway SQLite file, removed at exit.

    `bot ask` and `make eval` run real actions that queue handoffs and open cases: on the live
    database those rows would show up in the staff console as phantom conversations.
    """
    folder = tempfile.mkdtemp(prefix="zgfw-offline-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    url = f"sqlite:///{Path(folder) / 'app.db'}"
    os.environ["DATABASE_URL"] = url
    return url
