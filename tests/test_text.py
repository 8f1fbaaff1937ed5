from bot.text import clauses, clip, normalize


def test_traditional_and_full_width_text_is_folded():
    assert normalize("公司說合同只簽一份，這樣可以嗎？") == "公司说合同只签一份,这样可以吗?"
    assert normalize("工資１２３４元　ＡＢＣ") == "工资1234元 ABC"


def test_emoji_survive_and_spaces_collapse():
    assert normalize("  老板跑了😭😭  怎么办  ") == "老板跑了😭😭 怎么办"


def test_huge_messages_are_clipped():
    assert len(clip("欠" * 50_000)) == 2000


def test_a_sentence_splits_into_its_clauses_and_drops_scraps():
    said = normalize("老板跑了，工资没给、押金也没退 我该怎么办，唉")
    assert clauses(said) == ["老板跑了", "工资没给", "押金也没退", "我该怎么办"]
