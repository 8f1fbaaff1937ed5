"""The change log live pages follow (SQLite and PostgreSQL), and the watcher that fans it out in a web process."""

import asyncio
import datetime as dt
import json
import sqlite3

import pytest

from bot.settings import load_settings
from bot.store import handoff, live
from bot.store.database import session_scope
from bot.store.models import LiveChange
from bot.web.live import SAID, Hub, Watcher
from tests.sample_terms import terms
from tests.test_handoff import ask, staff


def kinds(url: str, after: int = 0) -> list[tuple[str, str | None, str | None]]:
    with session_scope(url, read_only=True) as session:
        return [(c.kind, c.conversation_id, c.skill) for c in live.since(session, after)]


def test_every_handoff_change_is_logged_with_the_skills_whose_staff_see_it(database):
    ticket = ask(database, "w1", skill="legal")
    ask(database, "w1", skill="legal")  # the same worker's second tap changes nothing
    assert kinds(database) == [("request", "w1", "legal")]
    legal, admin = staff(database, "legal"), staff(database, "admin")
    with session_scope(database) as session:
        handoff.take(session, staff=legal, handoff_id=ticket.handoff_id)
    with session_scope(database) as session:
        before = handoff.snapshot(session, handoff_id=ticket.handoff_id)
        moved = handoff.transfer(session, staff=legal, handoff_id=ticket.handoff_id, skill="psych")
    with session_scope(database) as session:
        assert handoff.undo(session, before=before, after=moved)
    with session_scope(database) as session:
        handoff.close(session, staff=admin, handoff_id=ticket.handoff_id)
    assert kinds(database)[1:] == [("take", "w1", "legal"), ("transfer", "w1", "legal"), ("transfer", "w1", "psych"),
                                   ("undo", "w1", "legal"), ("undo", "w1", "psych"), ("close", "w1", "legal")]


def test_a_crisis_and_an_idle_close_are_logged_and_a_change_rolled_back_is_not(database):
    ask(database, "w1", skill="general")
    ask(database, "w1", skill="psych", reason="crisis")  # the worker in line turns out to be in crisis
    assert kinds(database)[1:] == [("request", "w1", "general"), ("request", "w1", "psych")]
    counselor = staff(database, "counselor")
    with session_scope(database) as session:
        [item] = handoff.queue(session, staff=counselor)
        handoff.take(session, staff=counselor, handoff_id=item.id)
    seen = len(kinds(database))
    with pytest.raises(RuntimeError), session_scope(database) as session:
        handoff.close(session, staff=counselor, handoff_id=item.id)
        raise RuntimeError("the worker could not be told")
    assert len(kinds(database)) == seen
    with session_scope(database) as session:
        assert len(handoff.close_idle(session, idle_for=dt.timedelta(0))) == 1
    assert kinds(database)[-1] == ("idle_close", "w1", "psych")


def test_changes_are_read_past_an_id_and_old_ones_pruned(database):
    for n in range(3):
        ask(database, f"w{n}")
    with session_scope(database, read_only=True) as session:
        first, *rest = live.since(session, 0)
        assert [c.conversation_id for c in live.since(session, first.id)] == ["w1", "w2"]
        assert live.latest(session) == rest[-1].id and live.since(session, live.latest(session)) == []
    with session_scope(database) as session:
        session.get(LiveChange, first.id).at -= dt.timedelta(hours=2)
    with session_scope(database) as session:
        assert live.prune(session) == 1
    assert [c for _, c, _ in kinds(database)] == ["w1", "w2"]


def test_the_board_gives_places_per_skill_owners_and_topics(database):
    counselor = staff(database, "counselor", "小李")
    with session_scope(database) as session:
        for conversation, skill, reason in [("a", "psych", "asked"), ("b", "general", "asked"), ("c", "psych", "asked"),
                                            ("d", "psych", "crisis")]:
            handoff.request(session, conversation_id=conversation, channel="socketio", skill=skill, reason=reason,
                            minutes_per_conversation=8, terms=terms(),
                            topic="wage.arrears" if skill == "psych" else None)
    with session_scope(database) as session:
        first = handoff.board(session, staff=counselor)[1].item
        handoff.take(session, staff=counselor, handoff_id=first.id)
    with session_scope(database, read_only=True) as session:
        rows = handoff.board(session, staff=counselor)
        assert [(r.item.conversation_id, r.position, r.staff_name, r.taken_at is not None, r.topic) for r in rows] == [
            ("d", 1, None, False, "wage.arrears"), ("a", None, "小李", True, "wage.arrears"),
            ("b", 1, None, False, None), ("c", 2, None, False, "wage.arrears")]


def test_a_workers_place_moves_up_when_one_ahead_is_taken_and_names_who_joined(database):
    ask(database, "w1", skill="psych")
    ask(database, "w2", skill="psych")
    counselor = staff(database, "counselor", "小李")
    with session_scope(database, read_only=True) as session:
        assert handoff.place(session, conversation_id="w2") == handoff.Place("waiting", "asked", "psych", 2, None)
        assert handoff.place(session, conversation_id="nobody") is None
    with session_scope(database) as session:
        handoff.take(session, staff=counselor, handoff_id=handoff.queue(session, staff=counselor)[0].id)
    with session_scope(database, read_only=True) as session:
        assert handoff.place(session, conversation_id="w1") == handoff.Place("active", "asked", "psych", 0, "小李")
        assert handoff.place(session, conversation_id="w2").position == 1


def tracker_store(path) -> sqlite3.Connection:
    """A tracker store with Rasa's `events` table (the columns read here)."""
    store = sqlite3.connect(path, isolation_level=None)
    store.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, "
                  "type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), "
                  "action_name VARCHAR(255), data TEXT)")
    return store


def say(store: sqlite3.Connection, sender: str, kind: str, text: str = "") -> None:
    store.execute("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, ?, ?, ?)",
                  (sender, kind, 1.0, json.dumps({"text": text})))


def test_the_watcher_passes_on_every_change_and_message_after_it_started(use_database, tmp_path, monkeypatch):
    monkeypatch.setenv("ZGFW_TRACKER_DB", str(tmp_path / "tracker.db"))
    hub = Hub()
    watcher = Watcher(load_settings(), hub)

    async def both() -> None:
        await watcher.read_changes()
        await watcher.read_said()

    async def run() -> list[list[live.Change]]:
        ask(use_database, "before")  # before the watcher started: in every page's snapshot, not news
        await both()  # the tracker store does not exist yet: the queue goes on without it
        store = tracker_store(tmp_path / "tracker.db")
        say(store, "early", "user", "before the store could be read")
        await both()
        ask(use_database, "w1")  # written by another process as far as the watcher knows
        page: asyncio.Queue = asyncio.Queue()
        hub.queues.add(page)  # a page that took its snapshot just before: the next read must not skip w1
        say(store, "w1", "user", "我想找人聊聊")
        say(store, "w1", "action", "action_listen")
        await both()
        await both()
        hub.close()
        batches = []
        while (batch := page.get_nowait()) is not None:
            batches.append(batch)
        return batches

    assert [[(c.kind, c.conversation_id) for c in batch] for batch in asyncio.run(run())] == [
        [("request", "w1")], [(SAID, "w1")]]
