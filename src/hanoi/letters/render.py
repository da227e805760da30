"""Rendering a letter: HTML from a Jinja2 template, then PDF with WeasyPrint.

A letter of request is ``letter.html`` (values: :mod:`hanoi.letters.view`); the requested
State's answer is ``answer.html`` (values: :mod:`hanoi.letters.answer_view`); both share
``letter.css``.

As :mod:`hanoi.reports.render` does it: the template and its stylesheet live in
``templates/`` beside this module; fonts are the system's Noto families, named in the
stylesheet, so Arabic (right to left), Chinese, Cyrillic and Latin all render and are
embedded; WeasyPrint fetches nothing from the network, its only URL fetcher serving
files of ``templates/``. Unlike the report, the letter's words are not the UI's messages
but :mod:`hanoi.letters.wording`'s, so the environment is the letter's own (autoescaping,
strict undefined), without gettext.

The PDF is not signed here: :mod:`hanoi.letters.issued` signs it (PAdES) and logs it.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from hanoi import __version__
from hanoi.convention import Catalogue
from hanoi.letters.answer_view import answer_values
from hanoi.letters.letter import Letter, Purpose
from hanoi.letters.view import template_values

TEMPLATES_DIR = Path(__file__).parent / "templates"
TEMPLATE = "letter.html"
TEMPLATES = {Purpose.REQUEST: TEMPLATE, Purpose.ANSWER: "answer.html"}
STYLESHEET = "letter.css"
CONTENT_TYPES = {".css": "text/css; charset=utf-8"}


@functools.cache
def environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
    )


def render_html(letter: Letter, *, catalogue: Catalogue) -> str:
    values = (
        answer_values(letter, catalogue=catalogue)
        if letter.purpose is Purpose.ANSWER
        else template_values(letter, catalogue=catalogue)
    )
    context: dict[str, Any] = {"stylesheet": STYLESHEET, "version": __version__, **values}
    return environment().get_template(TEMPLATES[letter.purpose]).render(context)


def template_file(url: str) -> Path:
    """The file of ``templates/`` a ``file:`` URL names; ValueError for anything else."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        raise ValueError(f"a letter fetches no {parts.scheme or 'relative'} URL")
    path = Path(url2pathname(parts.path)).resolve()
    if not path.is_relative_to(TEMPLATES_DIR.resolve()) or not path.is_file():
        raise ValueError("a letter reads only its own template files")
    return path


def render_pdf(letter: Letter, *, catalogue: Catalogue) -> bytes:
    """The letter as PDF bytes (A4, tagged, fonts embedded and subset), not yet signed."""
    from weasyprint import HTML  # type: ignore[import-untyped]  # slow to import: only here
    from weasyprint.urls import (  # type: ignore[import-untyped]
        URLFetcher,
        URLFetcherResponse,
    )

    class TemplatesOnly(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            path = template_file(url)
            kind = CONTENT_TYPES.get(path.suffix, "application/octet-stream")
            return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": kind})

    html = render_html(letter, catalogue=catalogue)
    document = HTML(string=html, base_url=TEMPLATES_DIR.as_uri() + "/", url_fetcher=TemplatesOnly())
    pdf: bytes = document.write_pdf(pdf_tags=True)
    return pdf
