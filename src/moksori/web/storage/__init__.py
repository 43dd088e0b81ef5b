"""Persistence: SQLAlchemy models, the database session, migrations and files on disk."""
