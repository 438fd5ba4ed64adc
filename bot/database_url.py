"""DATABASE_URL's grammar, checked when settings are read: the two forms ctr-bot can use.

Pure apart from SQLAlchemy's URL parser: nothing is connected to here.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

ACCEPTED = (
    "write sqlite:///path/to/state.sqlite3 (one replica) or "
    "postgresql+psycopg://user:password@host:5432/database (several)"
)
DRIVERS = {"sqlite": "pysqlite", "postgresql": "psycopg"}


def problem(text: str) -> str | None:
    """What's wrong with ``text`` as DATABASE_URL, or None.

    >>> problem("sqlite:///state.sqlite3") is None
    True
    >>> print(problem("foo"))  # doctest: +ELLIPSIS
    DATABASE_URL 'foo' is not a database URL; write sqlite:///path/to/state.sqlite3 ...
    >>> print(problem("postgresql://ctr@db/ctr"))  # doctest: +ELLIPSIS
    DATABASE_URL postgresql://ctr@db/ctr names no driver (that means psycopg2, ...
    """
    try:
        url = make_url(text)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        return f"DATABASE_URL {describe(text)} is not a database URL; {ACCEPTED}."
    # Split by hand: SQLAlchemy's get_driver_name() imports the dialect, which may not exist.
    backend, _, driver = url.drivername.partition("+")
    shown, usable = describe(text), DRIVERS.get(backend, "")
    rules = [
        (backend == "postgres", f"{shown} starts postgres://: write postgresql+psycopg://..."),
        (not usable, f"{shown}: ctr-bot keeps its state in SQLite or PostgreSQL; {ACCEPTED}"),
        (
            backend == "postgresql" and not driver,
            f"{shown} names no driver (that means psycopg2, which isn't installed): write "
            "postgresql+psycopg://... instead",
        ),
        (
            driver not in ("", usable),
            f"{shown} asks for the {driver} driver, which isn't installed: write "
            f"{backend}+{usable}://... instead",
        ),
        (backend == "postgresql" and not url.database, f"{shown} names no database: add /NAME"),
        (
            backend == "sqlite" and bool(url.host or url.username),
            f"{shown}: a SQLite URL has no host; write sqlite:///relative/path or "
            "sqlite:////absolute/path",
        ),
    ]
    return next((f"DATABASE_URL {message}." for broken, message in rules if broken), None)


def sqlite_file_problem(text: str) -> str | None:
    """A local check before start-up goes further: can a SQLite file be made and written there?"""
    url = make_url(text)
    if (
        url.drivername.partition("+")[0] != "sqlite"
        or not url.database
        or url.database == ":memory:"
    ):
        return None
    path, shown = Path(url.database), describe(text)
    folder = path.parent
    rules = [
        (path.is_dir(), f"{shown} names a folder: add a file name after it"),
        (
            path.is_file() and not os.access(path, os.R_OK | os.W_OK),
            f"{shown}: this user can't write {path}",
        ),
        (
            not path.exists() and not folder.is_dir(),
            f"{shown}: no folder {folder}; create it or choose another",
        ),
        (
            not path.exists() and folder.is_dir() and not os.access(folder, os.W_OK | os.X_OK),
            f"{shown}: this user can't create files in {folder}",
        ),
    ]
    return next((f"DATABASE_URL {message}." for broken, message in rules if broken), None)


def describe(text: str) -> str:
    """The URL as it may be shown: the password hidden, a non-URL cut short.

    >>> describe("postgresql+psycopg://ctr:s3cret@db:5432/ctr")
    'postgresql+psycopg://ctr:***@db:5432/ctr'
    >>> describe("foo")
    "'foo'"
    """
    try:
        url: URL = make_url(text)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        # Not a URL, so no password field to hide: show it only if it can't hold one.
        return repr(text[:40]) if "@" not in text else repr(text.split(":", 1)[0] + ":...")
    return url.render_as_string(hide_password=True)
