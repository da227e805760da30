"""Rendering the court report: HTML from a Jinja2 template, then PDF with WeasyPrint.

The template and its stylesheet live in ``templates/`` beside this module. The
report is in one of the six UN languages (Arabic from right to left), with the UI's
messages (:func:`hanoi.i18n.catalogues.translations`) and locale formats. Fonts are the
system's Noto families, named in the stylesheet, so every script renders. WeasyPrint
fetches nothing from the network: its only URL fetcher serves files of ``templates/``
and refuses anything else.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from jinja2 import Environment

from hanoi import __version__
from hanoi.convention import Catalogue, Language
from hanoi.i18n.catalogues import translations
from hanoi.i18n.formatting import LocaleFormat
from hanoi.i18n.templates import translated_environment
from hanoi.reports.court import CourtReport
from hanoi.reports.view import template_values

TEMPLATES_DIR = Path(__file__).parent / "templates"
TEMPLATE = "court.html"
STYLESHEET = "court.css"
CONTENT_TYPES = {".css": "text/css; charset=utf-8"}


@functools.cache
def environment() -> Environment:
    """The report's templates, translated as the UI's pages are (autoescaping, strict,
    gettext from the context, ``|bdi``)."""
    return translated_environment(TEMPLATES_DIR)


def render_html(report: CourtReport, language: Language, *, catalogue: Catalogue) -> str:
    fmt = LocaleFormat(language)
    context: dict[str, Any] = {
        "translations": translations(language),
        "fmt": fmt,
        "language": language,
        "stylesheet": STYLESHEET,
        "version": __version__,
        **template_values(report, fmt, catalogue),
    }
    return environment().get_template(TEMPLATE).render(context)


def _template_file(url: str) -> Path:
    """The file of ``templates/`` a ``file:`` URL names; ValueError for anything else."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        raise ValueError(f"the court report fetches no {parts.scheme or 'relative'} URL")
    path = Path(url2pathname(parts.path)).resolve()
    if not path.is_relative_to(TEMPLATES_DIR.resolve()) or not path.is_file():
        raise ValueError("the court report reads only its own template files")
    return path


def render_pdf(report: CourtReport, language: Language, *, catalogue: Catalogue) -> bytes:
    """The report as PDF bytes (A4, tagged, fonts embedded and subset)."""
    from weasyprint import HTML  # type: ignore[import-untyped]  # slow to import: only here
    from weasyprint.urls import (  # type: ignore[import-untyped]
        URLFetcher,
        URLFetcherResponse,
    )

    class TemplatesOnly(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            path = _template_file(url)
            kind = CONTENT_TYPES.get(path.suffix, "application/octet-stream")
            return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": kind})

    html = render_html(report, language, catalogue=catalogue)
    document = HTML(string=html, base_url=TEMPLATES_DIR.as_uri() + "/", url_fetcher=TemplatesOnly())
    pdf: bytes = document.write_pdf(pdf_tags=True)
    return pdf
