"""Storage: SQLAlchemy models and the engine set-up, for SQLite and PostgreSQL alike."""
