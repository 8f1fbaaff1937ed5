"""Custom actions: each reads the conversation, calls one bot/ service and returns events."""
