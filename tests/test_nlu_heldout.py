"""NLU on phrasings it never saw in training (tests/nlu/heldout.yml), against a threshold."""

from rasa.shared.nlu.training_data.loading import load_data

from bot.settings import ROOT

THRESHOLD = 0.85


def test_heldout_intent_accuracy(offline_bot, capsys):
    examples = load_data(str(ROOT / "tests" / "nlu" / "heldout.yml")).intent_examples
    wrong = []
    for example in examples:
        predicted = offline_bot.parse(example.get("text"))["intent"]["name"]
        if predicted != example.get("intent"):
            wrong.append((example.get("text"), example.get("intent"), predicted))
    accuracy = 1 - len(wrong) / len(examples)
    with capsys.disabled():
        print(f"\nheld-out NLU: {len(examples)} examples, intent accuracy {accuracy:.3f} (threshold {THRESHOLD})")
        for text, expected, predicted in wrong:
            print(f"  miss: {text} -> {predicted} (expected {expected})")
    assert accuracy >= THRESHOLD
