"""Laid-out weights give exactly the classifier's own probabilities, for several classes and for two."""

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import ComplementNB

from bot.nlu.linear import Probabilities

ROWS = csr_matrix(np.array([[1, 0, 2, 0], [0, 3, 0, 1], [1, 1, 0, 0], [0, 0, 1, 2], [2, 0, 0, 1], [0, 2, 1, 0]],
                           dtype=float))


@pytest.mark.parametrize("labels", [["工资", "工伤", "休假"] * 2, ["是", "否"] * 3])
@pytest.mark.parametrize("model", [LogisticRegression(C=10.0), ComplementNB(alpha=0.1)])
def test_probabilities_are_predict_proba(labels, model):
    classifier = model.fit(ROWS, labels)
    probabilities = Probabilities(classifier)
    assert probabilities.classes == list(classifier.classes_)
    assert np.allclose(probabilities(ROWS), classifier.predict_proba(ROWS), atol=1e-12)
    assert np.allclose(probabilities(ROWS).sum(axis=1), 1.0)
