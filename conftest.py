"""Doctest collection over the packages: Alembic's env.py migrates when imported, so skip it."""

collect_ignore = ["bot/store/migrations"]
