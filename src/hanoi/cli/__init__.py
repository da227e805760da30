"""Thin command line: one module per command group, no rules and no SQL."""
