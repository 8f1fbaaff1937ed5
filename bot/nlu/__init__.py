"""Rasa graph components that bring the knowledge base into the NLU pipeline."""
