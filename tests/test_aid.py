"""Hardship-aid screening rules and referrals (SQLite and PostgreSQL)."""

import logging

import pytest

from bot.staff.accounts import create_staff
from bot.store import aid
from bot.store.database import session_scope
from bot.store.roles import PermissionDenied
from tests.sample_terms import terms

ALL_NO = {criterion: aid.NO for criterion in aid.CRITERIA}


def names(answers: dict, kb) -> list[tuple[str, str]]:
    return [(m.programme.id, m.verdict) for m in aid.match(answers, kb.local.programmes)]


def test_a_member_with_a_serious_illness(kb):
    found = names({**ALL_NO, "union_member": aid.YES, "serious_illness": aid.YES}, kb)
    assert ("illness-aid", "likely") in found and ("mutual-insurance", "likely") in found
    assert "hardship-aid" not in dict(found)  # income was answered 'no'


def test_unknown_answers_keep_programmes_worth_checking(kb):
    found = dict(names({**ALL_NO, "child_in_school": aid.YES, "income_below_local_standard": aid.UNKNOWN}, kb))
    assert found["autumn-education-aid"] == "check"
    assert found["seasonal-care"] == "check"  # any_of: one unknown, none yes


def test_any_of_needs_one_yes(kb):
    found = dict(names({**ALL_NO, "flexible_employment": aid.YES}, kb))
    assert found == {"seasonal-care": "likely"}


def test_nothing_fits_when_everything_is_no(kb):
    assert names(ALL_NO, kb) == []


def test_referrals_are_stored_once_and_read_by_aid_staff_only(database, caplog):
    with caplog.at_level(logging.INFO, logger="bot.store.aid"), session_scope(database) as session:
        values = dict(conversation_id="w1", channel="rest", answers={**ALL_NO, "lost_job": aid.YES},
                      programmes=["seasonal-care"], worker_name="李秀英", worker_phone="13912345678",
                      terms=terms())
        first = aid.open_referral(session, **values)
        assert aid.open_referral(session, **values) == first
        counselor = create_staff(session, username="c", display_name="c", role="counselor", password="long enough 1")
        legal = create_staff(session, username="l", display_name="l", role="legal", password="long enough 1")
    assert "13912345678" not in caplog.text and "李秀英" not in caplog.text
    with session_scope(database) as session:
        [view] = aid.list_referrals(session, staff=counselor)
        assert (view.worker_name, view.programmes, view.answers["lost_job"]) == ("李秀英", ["seasonal-care"], "yes")
        with pytest.raises(PermissionDenied):
            aid.list_referrals(session, staff=legal)
