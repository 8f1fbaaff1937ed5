"""The NLU pipeline's own components, and the models they learn from knowledge/ (topics, crisis, entities)."""
