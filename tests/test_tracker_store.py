"""Our SQL tracker store keeps exactly the events Rasa's own would, on a real SQLite file."""

import asyncio
import sqlite3

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.settings import ROOT
from bot.store import tracker_events
from bot.store.database import session_scope
from bot.store.tracker_store import ThreadedSQLTrackerStore

DOMAIN = Domain.load(str(ROOT / "domain.yml"))


def _turn(tracker: DialogueStateTracker, text: str) -> None:
    tracker.update(UserUttered(text, {"name": "ask_knowledge", "confidence": 1.0}))
    tracker.update(ActionExecuted("action_answer"))
    tracker.update(SlotSet("topic", "wage.arrears"))
    tracker.update(ActionExecuted("action_listen"))


def _stored(path) -> list[tuple[str, str]]:  # noqa: ANN001 - a pytest tmp path
    with sqlite3.connect(path) as db:
        return db.execute("SELECT sender_id, type_name FROM events ORDER BY id").fetchall()


def test_turns_saved_by_our_store_read_back_as_rasa_would_and_nothing_twice(tmp_path):
    path = tmp_path / "tracker.db"
    ours = ThreadedSQLTrackerStore(DOMAIN, dialect="sqlite", db=str(path))

    async def conversation() -> DialogueStateTracker:
        tracker = await ours.create_tracker("w1")  # counted once: this store never saw it
        for text in ("老板欠我三个月工资", "那我去哪里投诉", "谢谢"):
            loaded = await ours.retrieve("w1")  # each turn loads, changes and saves, as Rasa's processor does
            _turn(loaded, text)
            await ours.save(loaded)
            await ours.save(loaded)  # a second save of the same turn adds nothing
        return tracker

    asyncio.run(conversation())
    rasa_own = SQLTrackerStore(DOMAIN, dialect="sqlite", db=str(path))
    again = asyncio.run(rasa_own.retrieve("w1"))
    said = [e.text for e in again.events if isinstance(e, UserUttered)]
    assert said == ["老板欠我三个月工资", "那我去哪里投诉", "谢谢"]
    assert again.get_slot("topic") == "wage.arrears"
    assert len(_stored(path)) == len(again.events) == 1 + 3 * 4  # action_listen, then four events a turn
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_tracker_the_store_did_not_load_is_counted_first_as_rasa_counts_it(tmp_path):
    events = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]
    rows = []
    for name, store in (("ours", ThreadedSQLTrackerStore), ("rasa", SQLTrackerStore)):
        path = tmp_path / f"{name}.db"
        saving = store(DOMAIN, dialect="sqlite", db=str(path))
        asyncio.run(saving.save(DialogueStateTracker.from_events("w2", events, DOMAIN.slots)))
        built = DialogueStateTracker.from_events("w2", events[1:], DOMAIN.slots)  # the session, built elsewhere
        _turn(built, "我被辞退了")
        asyncio.run(saving.save(built))
        rows.append(_stored(path))
    assert rows[0] == rows[1]
    assert [kind for _, kind in rows[0]] == ["action", "session_started", "action", "user", "action", "slot", "action"]


def test_what_a_page_missed_is_read_newest_last_and_never_beyond_the_newest_few(tmp_path, monkeypatch):
    path = tmp_path / "tracker.db"
    store = ThreadedSQLTrackerStore(DOMAIN, dialect="sqlite", db=str(path))
    for conversation, first in (("w3", 1000.0), ("w4", 1000.5)):
        said = [BotUttered(f"{conversation} 第{n}条", metadata={"staff": "小李"} if n == 5 else {},
                           timestamp=first + n) for n in range(1, 6)]
        asyncio.run(store.save(DialogueStateTracker.from_events(conversation, said, DOMAIN.slots)))
    monkeypatch.setattr(tracker_events, "READ_AT_MOST", 3)
    with session_scope(f"sqlite:///{path}", read_only=True) as session:
        everything = tracker_events.bot_said_after(session, "w3", 0.0)
        after_three = tracker_events.bot_said_after(session, "w3", 1003.0)
    assert [m["text"] for m in everything] == ["w3 第3条", "w3 第4条", "w3 第5条"]  # the newest, oldest first
    assert [m["text"] for m in after_three] == ["w3 第4条", "w3 第5条"]
    assert everything[-1]["metadata"] == {"staff": "小李"} and everything[-1]["timestamp"] == 1005.0
