"""Units of work on SQLite: a read-only unit neither takes nor waits for the write lock."""

import sqlite3

from sqlalchemy import text

from bot.store.database import session_scope


def test_a_read_only_unit_reads_while_another_holds_the_write_lock(tmp_path):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    with session_scope(url) as session:
        session.execute(text("CREATE TABLE queue (id INTEGER)"))
        session.execute(text("INSERT INTO queue VALUES (1)"))
    writer = sqlite3.connect(tmp_path / "app.db", isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # a long write elsewhere (the busy timeout is 15 s)
    writer.execute("INSERT INTO queue VALUES (2)")
    try:
        with session_scope(url, read_only=True) as session:
            assert session.execute(text("SELECT count(*) FROM queue")).scalar_one() == 1  # the committed state
    finally:
        writer.execute("COMMIT")
        writer.close()
