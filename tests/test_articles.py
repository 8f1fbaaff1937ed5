from bot.kb.articles import article_number, find_article


def test_article_numbers_in_chinese_or_digits():
    assert article_number("劳动合同法第四十七条怎么规定的") == 47
    assert article_number("劳动法第 44 条") == 44
    assert article_number("劳动合同法怎么说") is None


def test_find_article_needs_an_existing_article(kb):
    ref = find_article("第八十二条", ["labor-contract-law"], kb.statutes)
    assert ref.statute.title == "中华人民共和国劳动合同法" and ref.number == 82
    assert find_article("第九百条", ["labor-contract-law"], kb.statutes) is None
    assert find_article("第八十二条", [], kb.statutes) is None
