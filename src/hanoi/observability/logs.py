"""Logs as one JSON object a line (``log_format = "json"``), each with the id of the HTTP
request it was written for, and never a secret.

The request id is the client's ``X-Request-ID`` when it is well formed (a proxy or a
load balancer sets one), else a new one; it is echoed in the response, so an officer who
reports an error can quote it. Every record written while a request is handled carries
it (a context variable, which threads started for the request do not inherit).

What must never reach a log: passwords, API tokens, session cookies, keys, evidence
content. The web layer logs route templates, never paths or query strings (a package's
path is its fetch capability), and uvicorn's access log is replaced by ours. As a second
line, :class:`Redact` masks anything that looks like a bearer token, one of our API
tokens or a ``password=`` pair in any record, whoever wrote it.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

REQUEST_ID_HEADER = "x-request-id"
_WELL_FORMED = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")
request_id: ContextVar[str | None] = ContextVar("hanoi_request_id", default=None)

MASK = "[redacted]"
_SECRETS = (
    re.compile(r"(?i)\bbearer\s+[^\s\"',;]+"),
    re.compile(r"\bhanoi_[0-9]+_[A-Za-z0-9_-]{20,}"),
    re.compile(r"(?i)\b(password|passphrase|secret|token)=[^\s&\"',;]+"),
)


def accepted_request_id(value: str | None) -> str:
    """The client's request id if well formed (1-128 letters, digits, ``._:-``), else a new one."""
    if value is not None and _WELL_FORMED.match(value):
        return value
    return uuid.uuid4().hex


def redact(text: str) -> str:
    for pattern in _SECRETS:
        text = pattern.sub(MASK, text)
    return text


class Redact(logging.Filter):
    """Masks what looks like a secret in a record's message, and adds its request id."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message", "request_id", ...}`` on one line; the
    extra fields a record was given (``logger.info(..., extra={...})``) that are plain
    values come after."""

    _STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
        "message",
        "asctime",
        "request_id",
        "color_message",
    }

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": redact(record.getMessage()),
            "request_id": getattr(record, "request_id", None) or request_id.get(),
        }
        for key, value in vars(record).items():
            if key not in self._STANDARD and isinstance(value, str | int | float | bool):
                entry[key] = redact(value) if isinstance(value, str) else value
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def json_logging_config(*, level: str) -> dict[str, Any]:
    """The ``logging.config.dictConfig`` of a server process with ``log_format = "json"``
    (given to uvicorn, which applies it in each worker): every logger, uvicorn's too,
    through one handler on standard error, as JSON lines, with :class:`Redact`. uvicorn's
    access log (raw paths, query strings) is off; ``hanoi.access`` logs each request by
    its route template instead."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact": {"()": "hanoi.observability.logs.Redact"}},
        "formatters": {"json": {"()": "hanoi.observability.logs.JsonFormatter"}},
        "handlers": {
            "main": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "filters": ["redact"],
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["main"], "level": level.upper()},
        "loggers": {
            "uvicorn": {"handlers": [], "level": level.upper(), "propagate": True},
            "uvicorn.error": {"handlers": [], "level": level.upper(), "propagate": True},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        },
    }
