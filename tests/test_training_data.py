import yaml

from bot.kb import training_data
from bot.settings import ROOT


def test_generated_examples_cover_every_entry_but_leave_handwritten_ones_alone(kb, tmp_path):
    paths = training_data.write(kb, tmp_path, ROOT / "data")
    nlu = yaml.safe_load(paths[1].read_text("utf-8"))["nlu"]
    examples = {line[2:] for line in nlu[0]["examples"].splitlines()}
    assert nlu[0]["intent"] == "ask_knowledge"
    for entry in kb.entries.values():
        assert examples & set(entry.questions), entry.id
    assert "转人工" not in examples  # hand-labelled request_human in data/nlu


def test_local_names_reach_the_tokenizer_dictionary(kb, tmp_path):
    userdict = training_data.write(kb, tmp_path, ROOT / "data")[0].read_text("utf-8").splitlines()
    for street in kb.local.streets:
        assert street.name in userdict
    assert "劳动合同法" in userdict and "金秋助学" in userdict
