"""Hanoi's dependency audit: uv.lock against OSV advisories, offline (scripts/audit-deps).

osv, lockfile, snapshot and audit are pure; sources and cli do the I/O.
"""
