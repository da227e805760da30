"""Entry point for each worker process of a multi-worker ``hanoi serve``."""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI

from hanoi.settings import load_settings
from hanoi.web.app import create_app
from hanoi.wiring import open_node


def from_environment() -> FastAPI:
    """Build the app from ``HANOI_NODE_DIR`` (set by ``hanoi serve --workers N``)."""
    return create_app(open_node(load_settings(Path(os.environ["HANOI_NODE_DIR"]))))
