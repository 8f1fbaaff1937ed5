from bot.nlu.phrases import PhraseMatcher


def test_gap_phrases_match_with_words_in_between(kb):
    matcher = PhraseMatcher(kb.terms.guards["crisis"])
    assert matcher.matches("工伤以后成了累赘,活着还有什么意思")
    assert matcher.matches("讨不到工资真不想活了")
    assert matcher.matches("我已经把安眠药攒够了")
    assert matcher.matches("如果哪天我消失了，估计也不会有人在意")
    assert not matcher.matches("公司说我不来了也没人在意考勤")
    assert not matcher.matches("老板拖欠工资三个月了怎么办")
    assert not matcher.matches("活动中心几点开门")


def test_no_phrases_match_nothing():
    assert not PhraseMatcher(()).matches("不想活了")


def test_asking_for_a_person_inside_a_longer_question(kb):
    matcher = PhraseMatcher(kb.terms.guards["request_human"])
    assert matcher.matches("帮我转人工,另外问下公司不交社保能不能辞职")
    assert not matcher.matches("公司不交社保能不能辞职")


def test_a_request_for_a_person_typed_with_the_wrong_characters_for_its_sounds(kb):
    heard = PhraseMatcher(kb.terms.guards["request_human"], by_sound=True)
    assert heard.first("怎么转人公") == "转…人工"
    assert heard.matches("我要找真仁") and heard.matches("帮我砖人工")
    assert not PhraseMatcher(kb.terms.guards["request_human"]).matches("怎么转人公")
    # Sounds never join across punctuation, and two-syllable phrases are matched by their characters only.
    assert not heard.matches("钱是找老乡借的。我们是外地人，工地在城郊")
    assert not heard.matches("他是个火人")
