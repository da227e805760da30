"""Fixtures of the security tests: ``pair`` (two nodes exchanging evidence packages, on
SQLite and PostgreSQL) comes from ``support_transfers``."""

from support_transfers import pair  # noqa: F401 - two nodes exchanging packages, a fixture
