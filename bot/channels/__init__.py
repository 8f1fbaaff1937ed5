"""Rasa input channels of our own (WeChat Official Account)."""
