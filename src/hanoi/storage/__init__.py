"""Adapters only: database tables, migrations, repositories and blob stores."""
