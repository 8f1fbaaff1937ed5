"""Alembic environment: the URL comes from bot.store.database.migrate (or DATABASE_URL)."""

from alembic import context
from sqlalchemy import create_engine

from bot.store.database import database_url
from bot.store.models import Base

config = context.config
url = config.attributes.get("url") or database_url()

if context.is_offline_mode():
    context.configure(url=url, target_metadata=Base.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = create_engine(url, future=True)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=Base.metadata,
                          render_as_batch=url.startswith("sqlite"))
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
