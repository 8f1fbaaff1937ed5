"""职工服务助手: the domain services behind the Rasa bot (knowledge, answering, channels, console)."""
