"""职工服务助手: the knowledge base, NLU, app database, channels and web behind the Rasa bot."""
