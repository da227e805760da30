"""Signed letters in tests: a letter made with WeasyPrint, its signed byte ranges, and
poppler's ``pdfsig`` (a missing pdfsig fails the test, under CI or not)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import weasyprint

SIGNED_AT = datetime(2026, 12, 7, 9, 30, 15, tzinfo=UTC)
CHECKED_AT = SIGNED_AT + timedelta(days=1)
_BYTE_RANGE = re.compile(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]")


def pdfsig(pdf: bytes, folder: Path) -> list[str]:
    """pdfsig's report on ``pdf``, one stripped line each. pdfsig must be installed
    (scripts/system-deps, Debian's poppler-utils): without it the test fails."""
    tool = shutil.which("pdfsig")
    if tool is None:
        pytest.fail(
            "pdfsig is not installed; run scripts/system-deps (Debian package poppler-utils)",
            pytrace=False,
        )
    path = folder / "letter-for-pdfsig.pdf"
    path.write_bytes(pdf)
    # -nocert: the signature and the byte ranges, not NSS's trust store (ADR 0027).
    result = subprocess.run(
        [tool, "-nocert", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "TZ": "UTC"},
    )
    return [line.strip().lstrip("- ") for line in (result.stdout + result.stderr).splitlines()]


def signed_ranges(pdf: bytes) -> tuple[range, range]:
    """The two byte ranges the (last) signature covers, from its /ByteRange."""
    found = _BYTE_RANGE.findall(pdf)
    assert found, "no /ByteRange in the PDF"
    start1, length1, start2, length2 = (int(n) for n in found[-1])
    return range(start1, start1 + length1), range(start2, start2 + length2)


def letter_pdf(text: str = "Request for the preservation of stored computer data") -> bytes:
    html = (
        "<html lang='en'><body><h1>Letter of request</h1>"
        f"<p>Article 40(14) of the Convention: requests in writing.</p><p>{text}</p>"
        "</body></html>"
    )
    pdf = weasyprint.HTML(string=html).write_pdf()
    assert pdf is not None
    return pdf
