"""The crisis detector: phrases that never miss, benign uses that never alarm, a classifier for the rest."""

import json

import pytest
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.kb.knowledge import CrisisExamples
from bot.nlu.crisis import CrisisModel
from bot.nlu.crisis_detector import CrisisDetector
from bot.settings import ROOT
from bot.text import normalize
from bot.tools.evaluation import CRISIS_PAIRS

# Regression bounds for each written pair (eval/): (recall floor, false-alarm ceiling), a little
# beyond what `make eval` measured (recall 0.983 ours, 0.992 blind, 1.000 third, 0.961 fourth, 0.968 fifth;
# false alarms 1.4%, 1.2%, 3.4%, 10.6%, 4.8%) and reports against the targets (1.00 and 0.01).
BOUNDS = {"crisis": (0.96, 0.03), "crisis_blind": (0.97, 0.03), "crisis_third": (0.97, 0.06),
          "crisis_fourth": (0.93, 0.13), "crisis_fifth": (0.94, 0.08), "crisis_sixth": (0.95, 0.06)}


def small_model() -> CrisisModel:
    examples = CrisisExamples(
        crisis=("我不想活了", "活着没意思", "想从楼上跳下去", "把药都吃了", "跟老板同归于尽"),
        possible=("最近好累好崩溃", "不知道怎么办了"),
        ordinary=("工资没发怎么办", "工伤怎么认定", "累死了不想干了", "我要辞职", "加班费怎么算"),
    )
    return CrisisModel(phrases=("不想活", "死了…算了"), benign=("累死", "死活"), examples=examples, ordinary=[])


def test_a_listed_phrase_is_a_crisis_and_names_itself():
    risk = small_model().assess("工资要不回来，我不想活了")
    assert risk.level == "crisis"
    assert risk.phrase == "不想活"


def test_death_words_used_as_hyperbole_are_masked_before_matching():
    model = small_model()
    assert model.mask("累死了算了") == "。了算了"
    assert model.assess("天天加班累死了算了").phrase is None
    assert model.assess("老板死活不给钱").phrase is None


def test_a_masked_word_does_not_hide_a_phrase_later_in_the_message():
    risk = small_model().assess("累死了，真的不想活了")
    assert risk.level == "crisis" and risk.phrase == "不想活"


def test_a_long_phrase_typed_with_the_wrong_characters_is_heard_but_a_short_one_is_not():
    examples = CrisisExamples(crisis=("活着没意思",), possible=("好累",), ordinary=("工资没发怎么办",))
    model = CrisisModel(phrases=("不想活了", "划…手腕"), benign=(), examples=examples, ordinary=[])
    assert model.assess("窝不像活了 好累").phrase == "不想活了"
    # three characters by sound: slipping on a wet floor is not cutting one's wrist
    assert model.assess("在湿地板上滑倒摔断了手腕").phrase is None


def test_despair_in_the_last_clause_of_a_long_question_is_heard():
    # Read whole, the message is four labor questions (crisis 0.007); its last clause is not.
    risk = small_model().assess("工资没发怎么办，工伤怎么认定，加班费怎么算，我要辞职，活着没意思")
    assert risk.level == "crisis" and risk.phrase is None


def test_the_model_survives_pickling_with_its_patterns():
    import pickle

    restored = pickle.loads(pickle.dumps(small_model()))  # noqa: S301 - our own object
    assert restored.assess("我不想活了").phrase == "不想活"


def _rows(name: str) -> list[dict]:
    path = ROOT / "eval" / name
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("name, crisis_set, ordinary_set", CRISIS_PAIRS)
def test_recall_on_the_crisis_set_and_false_alarms_on_ordinary_labor_messages(offline_bot, capsys, name, crisis_set,
                                                                            ordinary_set):
    def level(text: str) -> str:
        parse = offline_bot.parse(text)
        return "crisis" if parse["intent"]["name"] == "crisis" else parse["risk"]["level"]

    crisis = _rows(crisis_set)
    ordinary = _rows(ordinary_set)
    missed = [row["text"] for row in crisis if level(row["text"]) != "crisis"]
    alarms = [row["text"] for row in ordinary if level(row["text"]) == "crisis"]
    recall = 1 - len(missed) / len(crisis)
    false_alarm = len(alarms) / len(ordinary)
    with capsys.disabled():
        print(f"\n{crisis_set}: recall {recall:.3f} of {len(crisis)}; {ordinary_set}: false alarms "
              f"{false_alarm:.3f} of {len(ordinary)}")
    recall_floor, false_alarm_ceiling = BOUNDS[name]
    assert recall >= recall_floor, missed
    assert false_alarm <= false_alarm_ceiling, alarms


def test_no_line_of_a_crisis_set_is_a_training_example(kb):
    trained = {normalize(text) for text in (*kb.crisis.crisis, *kb.crisis.possible, *kb.crisis.ordinary)}
    for path in (ROOT / "data" / "nlu").glob("*.yml"):
        trained |= {normalize(line.strip()[2:]) for line in path.read_text("utf-8").splitlines()
                    if line.strip().startswith("- ")}
    for _, *files in CRISIS_PAIRS:
        for name in files:
            assert [row["text"] for row in _rows(name) if normalize(row["text"]) in trained] == [], name


# How workers end a conversation, written for this test and never trained on. Farewells in crisis.yml
# thank people too ("最后谢谢你一次，再见了"); a plain thank-you that alarmed would send a counselor
# to most finished conversations, so not one may.
CLOSERS = ["好的 多谢你了", "谢谢你们了", "那谢谢你了", "好的谢谢啦", "谢谢您了", "太感谢您了",
           "感谢你的解答", "多谢指教", "明白啦 多谢", "好的 我知道了 谢谢你", "谢谢你们 辛苦了",
           "谢谢 拜拜", "嗯嗯好的 谢谢", "谢谢了哈", "万分感谢", "谢谢您的耐心解答", "好 我去问问 谢谢你了"]


def test_a_thank_you_or_goodbye_never_alarms(offline_bot):
    alarms = [text for text in CLOSERS if offline_bot.parse(text)["intent"]["name"] == "crisis"]
    assert alarms == []


def test_crisis_inside_a_labor_question_gets_the_person_first_then_the_answer(offline_bot):
    report = offline_bot.ask("老板欠了我三个月工资不给，我真的不想活了", sender="t-crisis-wage")
    assert report["intent"]["name"] == "crisis" and report["handoff"] is True
    assert report["answer"].index("12356") < report["answer"].index("依据：")
    assert report["topic"] == "wage.arrears"


def test_a_work_death_question_is_answered_without_an_alarm(offline_bot):
    report = offline_bot.ask("我哥在工地上出事故死亡了，工亡补助金和丧葬费能拿多少", sender="t-work-death")
    assert report["handoff"] is False and report["risk"] != "crisis"
    assert report["topic"].startswith("injury.")


def test_diets_crisis_guess_stands_only_where_the_detector_sees_distress():
    detector = CrisisDetector({}, None, None, small_model())
    said = {text: Message(data={TEXT: text, INTENT: {INTENT_NAME_KEY: "crisis", PREDICTED_CONFIDENCE_KEY: 0.8}})
            for text in ("加班费怎么算", "最近好累好崩溃", "工资没发我不想活了")}
    detector.process(list(said.values()))
    assert {text: m.get(INTENT)[INTENT_NAME_KEY] for text, m in said.items()} == {
        "加班费怎么算": "ask_knowledge", "最近好累好崩溃": "crisis", "工资没发我不想活了": "crisis"}
    assert said["最近好累好崩溃"].get("risk")["level"] == "possible"
