"""Consent at every confirm step: a negation is never read as yes, anything unclear is asked again."""

from hypothesis import given
from hypothesis import strategies as st

from bot.consent import read
from bot.kb.knowledge import load
from bot.settings import ROOT

WORDS = load(ROOT / "knowledge").terms.consent
VERBS = ["提交", "确认", "同意", "报名", "申请", "办", "交"]
NEGATIONS = ["不", "别", "先不", "不要", "没", "先别", "暂时不", "还是不", "我不", "不太", "不想"]
OPENERS = ["", "我", "先", "那", "呃", "这个", "嗯，"]
ENDINGS = ["", "了", "吧", "。", "！", "，谢谢", "了吧", "啦", "了，再想想"]
YESES = ["是的", "确认提交", "同意", "可以", "好的", "没问题", "确认", "嗯嗯，提交吧", "对的，没错", "好的，报名"]


@given(st.sampled_from(OPENERS), st.sampled_from(NEGATIONS), st.sampled_from(VERBS), st.sampled_from(ENDINGS))
def test_a_negated_verb_is_never_a_yes(opener, negation, verb, ending):
    assert read(f"{opener}{negation}{verb}{ending}", WORDS) is not True


@given(st.sampled_from(["不是的", "不对", "算了", "等等", "等一下", "不行", "再想想", "取消", "不了"]),
       st.sampled_from(ENDINGS), st.sampled_from(["", "，先别提交", "，确认", "，提交吧", "，同意"]))
def test_no_or_wait_wins_over_any_yes_word_after_it(refusal, ending, tail):
    assert read(f"{refusal}{ending}{tail}", WORDS) is not True


@given(st.sampled_from(OPENERS[:3]), st.sampled_from(YESES), st.sampled_from(["", "。", "！", "~"]))
def test_a_plain_yes_is_a_yes(opener, yes, ending):
    assert read(f"{opener}{yes}{ending}", WORDS) is True


def test_the_phrases_that_opened_cases_are_refusals():
    for text in ("不提交", "不是的，先别提交", "不确认"):
        assert read(text, WORDS) is False


def test_questions_and_other_talk_are_unclear_not_yes():
    for text in ("提交了会怎么样？", "确认以后还能改吗", "对不起", "你好", "嗯？"):
        assert read(text, WORDS) is not True
