from bot.kb.statutes import article_label, chinese_number, load_statutes
from bot.settings import ROOT

SHARED_LAWS = ROOT.parent / "shared" / "knowledge-sources" / "laws"


def test_chinese_numerals_read_and_write_every_article_number():
    for number in range(1, 200):
        assert chinese_number(article_label(number)[1:-1]) == number
    assert chinese_number("一百零七") == 107
    assert chinese_number("十") == 10


def test_every_statute_splits_into_its_articles():
    statutes = load_statutes(ROOT / "knowledge" / "laws")
    # article counts as given in knowledge/laws/MANIFEST.md
    expected = {"labor-law": 107, "labor-contract-law": 98, "work-injury-insurance-regulations": 67,
                "social-insurance-law": 98, "paid-annual-leave-regulations": 10, "working-hours-provisions": 9}
    for stem, count in expected.items():
        assert sorted(statutes[stem].articles) == list(range(1, count + 1))
    assert statutes["labor-contract-law"].title == "中华人民共和国劳动合同法"


def test_multi_paragraph_article_keeps_every_paragraph():
    text = load_statutes(ROOT / "knowledge" / "laws")["labor-contract-law"].article_text(47)
    assert text.startswith("经济补偿按劳动者在本单位工作的年限")
    assert text.endswith("本条所称月工资是指劳动者在劳动合同解除或者终止前十二个月的平均工资。")
    assert text.count("\n") == 2


def test_project_copies_are_the_shared_statute_texts():
    for path in (ROOT / "knowledge" / "laws").glob("*.md"):
        shared = SHARED_LAWS / path.name
        if shared.exists():
            assert path.read_bytes() == shared.read_bytes(), path.name
