"""Persistence: SQLModel tables, the engine from DATABASE_URL, Alembic migrations and small
repository functions. SQLite by default, PostgreSQL at scale; one contract suite covers both.
"""
