"""A Jinja2 environment that speaks the reader's language, for any folder of templates.

The UI's pages (:mod:`hanoi.web.ui.site`) and the court report
(:mod:`hanoi.reports.render`) each build one on their own templates. The catalogue is not
bound to the environment: each render passes ``translations``
(:func:`hanoi.i18n.catalogues.translations`) in its context, so one environment serves
all six languages.
"""

from __future__ import annotations

from pathlib import Path

from babel.support import Translations
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import Context
from markupsafe import Markup


@pass_context
def _gettext(context: Context, message: str) -> str:
    catalogue: Translations = context["translations"]
    return catalogue.gettext(message)


@pass_context
def _ngettext(context: Context, singular: str, plural: str, count: int) -> str:
    catalogue: Translations = context["translations"]
    return catalogue.ngettext(singular, plural, count)


def isolate(value: object) -> Markup:
    """``value`` in a ``<bdi>``: a code, an id, a digest or a Latin name inside a sentence of
    another direction keeps its own order and leaves the sentence's alone (``|bdi`` in
    templates, also inside ``{% trans %}`` values, which are escaped otherwise)."""
    return Markup("<bdi>{}</bdi>").format(value)


def translated_environment(folder: Path) -> Environment:
    """The templates of ``folder`` with autoescaping, strict undefined names,
    ``jinja2.ext.i18n`` with new-style gettext (trimmed), and the ``bdi`` filter."""
    environment = Environment(
        loader=FileSystemLoader(folder),
        autoescape=True,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.policies["ext.i18n.trimmed"] = True
    environment.filters["bdi"] = isolate
    environment.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=_gettext, ngettext=_ngettext, newstyle=True
    )
    return environment
