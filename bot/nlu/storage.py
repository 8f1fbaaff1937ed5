"""Pickle a trained object into Rasa's model storage and back: one helper for every component."""

from __future__ import annotations

import pickle
from typing import Any

from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage

_FILE = "component.pkl"


def save(model_storage: ModelStorage, resource: Resource, value: Any) -> None:
    """Store `value` as the resource's only file."""
    with model_storage.write_to(resource) as directory:
        (directory / _FILE).write_bytes(pickle.dumps(value))


def restore(model_storage: ModelStorage, resource: Resource) -> Any:
    """The value `save` stored; the model archive is ours, written by our own training."""
    with model_storage.read_from(resource) as directory:
        return pickle.loads((directory / _FILE).read_bytes())  # noqa: S301
