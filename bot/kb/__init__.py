"""The curated knowledge base: loading and checking knowledge/, statutes, replies, local data, answering.

Imports only the shared modules (bot.text, bot.consent, bot.workdays, ...): the NLU, the actions
and the tools build on it, never the other way round.
"""
