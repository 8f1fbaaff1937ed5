"""The answer decision on hand-made parse results (no model needed)."""

import pytest

from bot.kb import answering
from bot.kb.answering import Context, decide
from tests.conftest import make_parse as parse


def test_a_clear_question_gets_the_topic_overview(kb):
    decision = decide(parse(kb, "ask_knowledge", [("wage.arrears", 0.8), ("wage.migrant", 0.1)]), Context(), kb)
    assert decision.kind == "answer"
    assert decision.entry.topic == "wage.arrears"
    assert decision.candidates[0].topic == "wage.arrears"


def test_two_close_topics_ask_which_one(kb):
    p = parse(kb, "ask_knowledge", [("wage.arrears", 0.33), ("contract.resign", 0.31), ("time.holidays", 0.1)])
    decision = decide(p, Context(), kb)
    assert decision.kind == "clarify"
    assert [c.topic for c in decision.candidates] == ["wage.arrears", "contract.resign"]
    buttons = answering.clarify_buttons(decision, kb)
    assert buttons[0]["title"] == kb.topics["wage.arrears"].title
    assert '"topic": "wage.arrears"' in buttons[0]["payload"]


def test_a_clarification_button_answers_the_chosen_entry(kb):
    entry = kb.entries_for("contract.resign")[0]
    p = parse(kb, "ask_knowledge", [], entities=[{"entity": "topic", "value": "contract.resign"},
                                                  {"entity": "entry", "value": entry.id}])
    assert decide(p, Context(), kb).entry == entry


def test_nothing_close_is_admitted_not_guessed(kb):
    decision = decide(parse(kb, "ask_knowledge", [("time.holidays", 0.05), ("wage.minimum", 0.04)]), Context(), kb)
    assert decision.kind == "unknown"
    assert decision.topic is None


def test_a_follow_up_stays_in_the_conversation_topic_and_picks_the_aspect(kb):
    p = parse(kb, "follow_up", [("time.holidays", 0.2)], text="那要多久")
    decision = decide(p, Context(topic="injury.recognition"), kb)
    assert decision.entry.topic == "injury.recognition"
    assert "deadline" in decision.entry.aspects


def test_a_follow_up_without_a_topic_asks_what_it_is_about(kb):
    decision = decide(parse(kb, "follow_up", [("time.holidays", 0.2)], text="需要什么材料"), Context(), kb)
    assert decision.kind == "ask_topic_first"


def test_a_named_programme_pulls_its_topic_up(kb):
    programme = next(p for p in kb.local.programmes if p.topic == "union.education_aid")
    p = parse(kb, "ask_knowledge", [("union.hardship_aid", 0.4), ("union.education_aid", 0.35)],
              entities=[{"entity": "programme", "value": programme.id}])
    assert decide(p, Context(), kb).entry.topic == "union.education_aid"


def test_citation_line_names_statute_and_article(kb):
    entry = next(e for e in kb.entries.values() if any(c.law == "labor-contract-law" and c.article == 47
                                                         for c in e.citations))
    assert "《中华人民共和国劳动合同法》第四十七条" in answering.citation_line(entry, kb)


def test_every_answer_offers_a_person(kb):
    for entry in kb.entries.values():
        assert {"title": "转人工", "payload": "/request_human"} in answering.buttons(entry, kb)


def test_a_new_question_about_an_amount_gets_the_amount_entry(kb):
    decision = decide(parse(kb, "ask_knowledge", [("contract.severance", 0.9)], text="干了三年能拿多少"), Context(), kb)
    assert "amount" in decision.entry.aspects


def test_a_message_outside_every_topic_is_declined(kb):
    decision = decide(parse(kb, "ask_knowledge", [("none", 0.6), ("wage.deduction", 0.2)]), Context(), kb)
    assert decision.kind == "decline"
    assert decision.topic is None
    assert [c.topic for c in decision.candidates] == ["wage.deduction"]


def test_a_question_from_another_area_of_law_is_referred_not_answered(kb):
    decision = decide(parse(kb, "ask_knowledge", [("law:family", 0.7), ("contract.written", 0.1)],
                            text="离婚了孩子归谁"), Context(), kb)
    assert decision.kind == "refer"
    assert decision.area.id == "family"
    assert decision.entry is None and decision.also is None
    assert decision.topic is None


def test_a_question_split_between_labor_and_another_area_gets_not_sure_not_a_labor_answer(kb):
    split = decide(parse(kb, "ask_knowledge", [("wage.arrears", 0.5), ("law:debt", 0.3)], text="老板借了我的钱"),
                   Context(), kb)
    mostly_labor = decide(parse(kb, "ask_knowledge", [("wage.arrears", 0.6), ("law:debt", 0.2)]), Context(), kb)
    mostly_debt = decide(parse(kb, "ask_knowledge", [("wage.arrears", 0.4), ("law:debt", 0.4)]), Context(), kb)
    assert split.kind == "unknown" and split.topic is None and split.area is None
    assert mostly_labor.kind == "answer" and mostly_labor.topic == "wage.arrears"
    assert mostly_debt.kind == "refer" and mostly_debt.area.id == "debt"


def test_an_accident_on_the_way_to_work_is_referred_with_the_labor_entry_as_well(kb):
    ranking = [("law:traffic", 0.6), ("injury.commute", 0.3)]
    plain = decide(parse(kb, "ask_knowledge", ranking, text="被车撞了对方全责不给医药费"), Context(), kb)
    commute = decide(parse(kb, "ask_knowledge", ranking, text="下班路上被车撞了对方全责不给医药费"), Context(), kb)
    assert plain.kind == commute.kind == "refer"
    assert plain.also is None
    assert commute.also.topic == "injury.commute"


def test_a_second_problem_of_another_group_is_offered_beside_the_answer(kb):
    two = decide(parse(kb, "ask_knowledge", [("injury.recognition", 0.6), ("wage.arrears", 0.3)]), Context(), kb)
    same_group = decide(parse(kb, "ask_knowledge", [("injury.recognition", 0.6), ("injury.benefits", 0.3)]),
                        Context(), kb)
    faint = decide(parse(kb, "ask_knowledge", [("injury.recognition", 0.8), ("wage.arrears", 0.1)]), Context(), kb)
    assert two.kind == "answer" and two.entry.topic == "injury.recognition"
    assert two.also.topic == "wage.arrears"
    assert same_group.also is None and faint.also is None


def test_small_talk_marked_out_of_scope_is_declined_unless_the_topic_is_clear(kb):
    vague = decide(parse(kb, "out_of_scope", [("time.holidays", 0.2)]), Context(), kb)
    clear = decide(parse(kb, "out_of_scope", [("wage.arrears", 0.8)]), Context(), kb)
    assert vague.kind == "decline"
    assert clear.kind == "answer" and clear.entry.topic == "wage.arrears"


@pytest.mark.parametrize("text", ["<b></b>", "[link](http://x.y)", "help me please", "???"])
def test_a_message_with_no_chinese_is_asked_again_not_referred_on_the_models_guess(kb, text):
    referral = decide(parse(kb, "ask_knowledge", [("law:consumer", 0.6), ("wage.arrears", 0.1)], text=text),
                      Context(), kb)
    faint = decide(parse(kb, "ask_knowledge", [("time.holidays", 0.05)], text=text), Context(), kb)
    assert referral.kind == faint.kind == "ask_rephrase"
    assert referral.topic is None and referral.area is None


def test_a_clear_topic_without_chinese_words_is_still_answered(kb):
    decision = decide(parse(kb, "ask_knowledge", [("contract.severance", 0.8)], text="N+1"), Context(), kb)
    assert decision.kind == "answer" and decision.entry.topic == "contract.severance"
