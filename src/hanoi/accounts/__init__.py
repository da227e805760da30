"""People who use a node: users, roles, passwords and API tokens."""
