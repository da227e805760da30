"""Thin HTTP layer: FastAPI routes that call services, and problem+json errors."""
