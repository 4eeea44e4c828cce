"""Persistence: SQLAlchemy async models, the engine set-up and a repository of plain dataclasses."""
