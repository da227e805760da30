"""What a package's verification found, in the page's language.

The verifier (:mod:`hanoi.evidence.verify`) words each check that held, and each thing it
could not check, in English, with the values in the sentence; a node keeps them so (the
package's kept report, and the receiving State's report in its outcome, ADR 0023). This
module recognises each wording, gives it a stable key and a catalogue message marked with
``N_()`` whose placeholders take the values, and renders it: numbers in the locale's
digits, States by name, times in the locale's format, custody events by their label, and
paths, digests, key ids and log names isolated left to right (``<code dir="ltr">``) so
that they read the same inside Arabic text. A wording it does not know (a newer or older
verifier) is shown as it came, marked as English.

The conditions that travel with a package are shown by their key in the Convention
catalogue (``condition.<kind>``): the Convention's own, whose text this node generates
(:func:`hanoi.evidence.package_conditions.convention_terms`), with the catalogue's text in
the page's language; a condition the States set on the request with its terms as entered,
isolated (``dir="auto"``).
"""

from __future__ import annotations

import ast
import contextlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from markupsafe import Markup, escape

from hanoi.custody.events import CustodyAction
from hanoi.evidence.package_conditions import FIELD_OF, convention_terms
from hanoi.federation.package_reports import KeptTerm
from hanoi.i18n.catalogues import translations
from hanoi.i18n.formatting import LocaleFormat
from hanoi.i18n.labels import CUSTODY_LABELS
from hanoi.i18n.messages import N_, Message

CHECK_AREA_LABELS: dict[str, Message] = {
    "bag": N_("BagIt bag"),
    "statement": N_("Signed statement"),
    "custody": N_("Custody proofs"),
    "description": N_("CASE/UCO description"),
    "payload": N_("Files"),
    "origin": N_("Package of another State"),
}
CONDITION_LABELS: dict[str, Message] = {
    "use-limitation": N_("Use limitation"),
    "confidentiality": N_("Confidentiality"),
    "personal-data-protection": N_("Retention of personal data"),
    "onward-transfer-authorization": N_("Transfer to a third State"),
    "extraordinary-costs": N_("Costs of execution"),
}
"""A condition's name by its kind (the catalogue's key); the four legacy texts of older
packages (``use_limitation``...) by :data:`FIELD_OF`."""
DELETE_AFTER = N_("Delete after %(date)s.")
THIS_NODE = N_("this node")
REQUEST_ID = N_("Request %(id)s")

Values = dict[str, Markup]


@dataclass(frozen=True, slots=True)
class _Render:
    """Values in the page's language."""

    fmt: LocaleFormat
    gettext: Callable[[str], str]

    def say(self, message: Message, values: Mapping[str, Markup]) -> Markup:
        return escape(self.gettext(message)) % dict(values)

    def code(self, text: str) -> Markup:
        return Markup('<code dir="ltr">{}</code>').format(text)

    def name(self, text: str) -> Markup:
        return Markup("<bdi>{}</bdi>").format(text)

    def number(self, text: str) -> Markup:
        return escape(self.fmt.number(int(text)))

    def state(self, code: str) -> Markup:
        """A State by its name in the page's language, its code in the title."""
        return Markup('<span class="state" title="{}">{}</span>').format(
            code, self.fmt.territory(code)
        )

    def state_and_code(self, code: str) -> Markup:
        return Markup('{} (<bdi class="code">{}</bdi>)').format(self.fmt.territory(code), code)

    def article(self, text: str) -> Markup:
        return Markup("<bdi>{}</bdi>").format(self.fmt.citation(text))

    def time(self, text: str) -> Markup:
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return self.code(text)
        shown = self.fmt.moment(moment)
        return Markup('<time datetime="{}">{}</time>').format(moment.isoformat(), shown)

    def day(self, text: str) -> Markup:
        try:
            shown = self.fmt.date(date.fromisoformat(text), "medium")
        except ValueError:
            return self.code(text)
        return Markup('<time datetime="{}">{}</time>').format(text, shown)

    def action(self, text: str) -> Markup:
        try:
            label = CUSTODY_LABELS.get(CustodyAction(text))
        except ValueError:
            label = None
        return escape(self.gettext(label)) if label else self.code(text)

    def signer(self, text: str) -> Markup:
        """``VNM (Central authority of VNM), key K``, ``VNM (this node), key K``, ``the key
        given (K)``: as the verifier and the sender name a signer."""
        found = SIGNER.fullmatch(text)
        if found is not None:
            name = found["name"]
            return self.say(
                SIGNED_BY_STATE,
                {
                    "state": self.state(found["state"]),
                    "name": escape(self.gettext(THIS_NODE))
                    if name == "this node"
                    else self.name(name),
                    "key": self.code(found["key"]),
                },
            )
        given = KEY_GIVEN.fullmatch(text)
        if given is not None:
            return self.say(SIGNED_BY_KEY, {"key": self.code(given["key"])})
        return english(text)


def english(text: str) -> Markup:
    """A text as it came, marked as English and set left to right."""
    return Markup('<span lang="en" dir="ltr">{}</span>').format(text)


SIGNER = re.compile(r"(?P<state>[A-Z]{2,3}) \((?P<name>.+)\), key (?P<key>\S+)")
KEY_GIVEN = re.compile(r"the key given \((?P<key>\S+)\)")
SIGNED_BY_STATE = N_("%(state)s (%(name)s), key %(key)s")
SIGNED_BY_KEY = N_("the key given (%(key)s)")


@dataclass(frozen=True, slots=True)
class Wording:
    """One way the verifier words a check: a stable key, the English pattern it matches
    (the whole text, after an optional ``origins/<id>: `` prefix), the catalogue message,
    and how each named group becomes a value of the message."""

    key: str
    pattern: re.Pattern[str]
    message: Message
    values: Mapping[str, str]
    """Group name to how it is shown: code, name, number, state, article, time, action,
    signer, about, quoted."""


def _wording(key: str, pattern: str, message: Message, **values: str) -> Wording:
    return Wording(key, re.compile(pattern), message, values)


CHECKS: tuple[Wording, ...] = (
    _wording(
        "bag.complete",
        r"BagIt 1\.0; (?P<files>\d+) files, none missing or added; (?P<tags>\d+) tag files "
        r"match (?P<manifest>\S+); Payload-Oxum (?P<oxum>\S+)",
        N_(
            "BagIt 1.0: %(files)s files, none missing or added; %(tags)s tag files match "
            "%(manifest)s; Payload-Oxum %(oxum)s."
        ),
        files="number",
        tags="number",
        manifest="code",
        oxum="code",
    ),
    _wording(
        "statement.signature",
        r"signature \((?P<algorithm>[^)]+)\) by (?P<signer>.+)",
        N_("Signature (%(algorithm)s) by %(signer)s."),
        algorithm="code",
        signer="signer",
    ),
    _wording(
        "statement.describes-bag",
        r"describes this bag: package (?P<package>\S+), (?P<files>\d+) payload file\(s\), "
        r"(?P<tags>\d+) tag files, (?P<info>\S+) agrees",
        N_(
            "The statement describes this bag: package %(package)s; payload files: "
            "%(files)s; tag files: %(tags)s; %(info)s agrees."
        ),
        package="code",
        files="number",
        tags="number",
        info="code",
    ),
    _wording(
        "custody.step",
        r"(?P<about>.+): (?P<action>[a-z-]+) at (?P<time>\S+) by (?P<officer>.+?) "
        r"\((?P<node>[A-Z]{2,3}), (?P<article>.*?)\): entry (?P<index>\d+) of (?P<log>\S+), "
        r"checkpoint size (?P<size>\d+), cosigned by (?P<witnesses>\d+) trusted witness\(es\)",
        N_(
            "%(about)s: %(action)s on %(time)s by %(officer)s (%(node)s, %(article)s); "
            "entry %(index)s of the log %(log)s, checkpoint size %(size)s; trusted "
            "witnesses that cosigned it: %(witnesses)s."
        ),
        about="about",
        action="action",
        time="time",
        officer="name",
        node="state",
        article="article",
        index="number",
        log="code",
        size="number",
        witnesses="number",
    ),
    _wording(
        "origin.signature",
        r"statement signed \((?P<algorithm>[^)]+)\) by (?P<signer>.+)",
        N_("Its statement is signed (%(algorithm)s) by %(signer)s."),
        algorithm="code",
        signer="signer",
    ),
    _wording(
        "origin.files",
        r"holds every file (?P<state>[A-Z]{2,3}) signed, byte for byte",
        N_("It holds every file %(state)s signed, byte for byte."),
        state="state",
    ),
    _wording(
        "description.complete",
        r"(?P<file>\S+) describes every payload file by its SHA-256",
        N_("%(file)s describes every payload file by its SHA-256."),
        file="code",
    ),
    _wording(
        "payload.decrypted",
        r"(?P<path>\S+): decrypted; (?P<name>'.*'|\".*\"), (?P<size>\d+) bytes, "
        r"SHA-256 (?P<sha256>[0-9a-f]{64})",
        N_("%(path)s decrypted: %(name)s, %(size)s bytes, SHA-256 %(sha256)s."),
        path="code",
        name="quoted",
        size="number",
        sha256="code",
    ),
    _wording(
        "payload.all",
        r"(?P<count>\d+) age file\(s\) match (?P<manifest>\S+) and the statement",
        N_("Age files that match %(manifest)s and the statement: %(count)s."),
        count="number",
        manifest="code",
    ),
)
"""Each check that held, as :mod:`hanoi.evidence.verify`, :mod:`hanoi.evidence.report` and
:mod:`hanoi.evidence.origin_check` word it."""

UNCHECKED: tuple[Wording, ...] = (
    _wording(
        "unchecked.ontology",
        r"(?P<file>\S+) against the CASE/UCO ontology \(run: (?P<command>.+)\)",
        N_("%(file)s against the CASE/UCO ontology (run: %(command)s)."),
        file="code",
        command="code",
    ),
    _wording(
        "unchecked.plaintext",
        r"payload contents: no --identity \(the age files were checked, not their plaintext\)",
        N_(
            "The contents of the files: no key was given to decrypt them (the encrypted "
            "files were checked, not their contents)."
        ),
    ),
    _wording(
        "unchecked.no-custody",
        r"custody: no custody events \(packed without a node\)",
        N_("Custody: the package has no custody events (it was packed without a node)."),
    ),
    _wording(
        "unchecked.unwitnessed",
        r"witnessing of (?P<log>\S+) at size (?P<size>\d+): no witness in the trust file "
        r"cosigned it",
        N_("Witnessing of %(log)s at size %(size)s: no trusted witness cosigned it."),
        log="code",
        size="number",
    ),
    _wording(
        "unchecked.other-signatures",
        r"(?P<count>\d+) signature\(s\) on the checkpoint of (?P<log>\S+) at size "
        r"(?P<size>\d+), from keys not in the trust file",
        N_(
            "Signatures on the checkpoint of %(log)s at size %(size)s from keys that are "
            "not trusted: %(count)s."
        ),
        count="number",
        log="code",
        size="number",
    ),
    _wording(
        "unchecked.sender",
        r"that the sender is (?P<state>\S+): the key given is not bound to a State "
        r"\(a --trust file binds keys to States\)",
        N_("That the sender is %(state)s: the key given is not bound to a State."),
        state="state",
    ),
)
"""What the verifier could not check, as it words it."""


@dataclass(frozen=True, slots=True)
class Shown:
    key: str | None
    text: Markup


ORIGIN_PREFIX = re.compile(r"(?P<where>origins/[^:\s]+): (?P<rest>.+)", re.DOTALL)


_SHOWN: dict[str, Callable[[_Render, str], Markup]] = {
    "code": _Render.code,
    "name": _Render.name,
    "number": _Render.number,
    "state": _Render.state,
    "article": _Render.article,
    "time": _Render.time,
    "action": _Render.action,
    "signer": _Render.signer,
}


def _value(render: _Render, how: str, text: str) -> Markup:
    if how == "about":
        if text.startswith("request "):
            return render.say(REQUEST_ID, {"id": render.code(text.removeprefix("request "))})
        return render.code(text)
    if how == "quoted":
        with contextlib.suppress(ValueError, SyntaxError):  # the verifier's repr() of a name
            text = str(ast.literal_eval(text))
        return render.name(text)
    return _SHOWN[how](render, text)


def _worded(render: _Render, wordings: Sequence[Wording], text: str) -> Shown:
    prefix = Markup()
    found = ORIGIN_PREFIX.fullmatch(text)
    if found is not None:  # a check of a package of another State that this one carries
        prefix = Markup("{}: ").format(render.code(found["where"]))
        text = found["rest"]
    for wording in wordings:
        match = wording.pattern.fullmatch(text)
        if match is not None:
            values = {
                name: _value(render, how, match[name]) for name, how in wording.values.items()
            }
            return Shown(wording.key, prefix + render.say(wording.message, values))
    return Shown(None, prefix + english(text))


@dataclass(frozen=True, slots=True)
class ShownCheck:
    """A check that held: its area's name, its wording's key (None: a wording this module
    does not know, shown in English) and its text in the page's language."""

    area: Message
    key: str | None
    text: Markup


@dataclass(frozen=True, slots=True)
class ShownCondition:
    kind: str
    label: str
    imposed_by: Markup
    article: Markup
    text: Markup


class PackageWords:
    """Checks, things not checked, signers and conditions in one language."""

    def __init__(self, fmt: LocaleFormat) -> None:
        self._render = _Render(fmt, translations(fmt.language).gettext)

    def check(self, area: str, detail: str) -> ShownCheck:
        label = CHECK_AREA_LABELS.get(area, Message(area))
        shown = _worded(self._render, CHECKS, detail)
        return ShownCheck(label, shown.key, shown.text)

    def unchecked(self, text: str) -> Shown:
        return _worded(self._render, UNCHECKED, text)

    def signer(self, text: str) -> Markup:
        return self._render.signer(text)

    def terms(self, terms: Sequence[KeptTerm], *, request_id: str) -> list[ShownCondition]:
        """Each condition by its catalogue key: the Convention's own in the page's language,
        one the States set with its terms as entered."""
        return [self._term(term, request_id) for term in terms]

    def legacy(self, conditions: Sequence[tuple[str, str]]) -> list[ShownCondition]:
        """The four texts of a package from before ``terms``: named, the texts as signed."""
        kinds = {field: kind for kind, field in FIELD_OF.items()}
        render = self._render
        return [
            ShownCondition(
                kind=kinds.get(name, name),
                label=render.gettext(CONDITION_LABELS.get(kinds.get(name, name), Message(name))),
                imposed_by=Markup(),
                article=Markup(),
                text=english(text),
            )
            for name, text in conditions
        ]

    def _term(self, term: KeptTerm, request_id: str) -> ShownCondition:
        render = self._render
        label = CONDITION_LABELS.get(term.kind)
        return ShownCondition(
            kind=term.kind,
            label=render.gettext(label) if label else term.kind,
            imposed_by=render.state_and_code(term.imposed_by),
            article=render.article(term.article) if term.article else Markup(),
            text=self._term_text(term, request_id),
        )

    def _term_text(self, term: KeptTerm, request_id: str) -> Markup:
        render = self._render
        own = {
            t.kind: t.text
            for t in convention_terms(giving_state=term.imposed_by, request=request_id)
        }
        if own.get(term.kind) == term.text:
            return escape(render.fmt.label(f"condition.{term.kind}"))
        found = DELETE_AFTER_TEXT.fullmatch(term.text)
        if found is None:
            return Markup('<span dir="auto">{}</span>').format(term.text)
        deleted = render.say(DELETE_AFTER, {"date": render.day(found["date"])})
        return Markup('<span dir="auto">{}</span> {}').format(found["terms"], deleted)


DELETE_AFTER_TEXT = re.compile(
    r"(?P<terms>.*) Delete after (?P<date>\d{4}-\d{2}-\d{2})\.", re.DOTALL
)
"""What :func:`hanoi.evidence.package_conditions.request_terms` adds to the terms of a
condition with a day after which the data are deleted."""
