"""Evidence: ingest, age encryption, packages and their verification."""
