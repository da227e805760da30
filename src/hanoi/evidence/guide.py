"""The verification guide a package carries for a reader without Hanoi: ``VERIFY.<lang>.txt``.

A State without a node receives evidence on a USB stick or by diplomatic bag, and its
court must check it offline. The guide tells, in one of the six official languages of
the United Nations, what to run and what each check proves:

1. ``bagit.py --validate``: the files are those that were packed;
2. ``age -d`` (with the passphrase, or the recipient's identity file) and ``sha256sum``:
   each file's contents, against the digests the guide lists;
3. ``hanoi evidence verify``: the exporting node's signature, the custody events, the
   witnesses' cosignatures, the originating States' statements.

It is a tag file at the root of the bag, bound by the signed statement like every other
tag file, so ``bagit.py`` validates it and ``hanoi evidence verify`` detects any change
to it. The texts are in ``verify_guide.json`` beside this module (written, not
machine-translated); the commands are added here, the same in every language.

Pure: facts in, UTF-8 text out.
"""

from __future__ import annotations

import functools
import json
import shlex
import string
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib.resources import files
from types import MappingProxyType

from hanoi.errors import InvalidInput
from hanoi.evidence.fields import utc_text
from hanoi.evidence.layout import AGE_SUFFIX, DATA_DIR, guide_path
from hanoi.evidence.passphrase import Scheme
from hanoi.evidence.statement import PayloadEntry

GUIDE_TEXTS = "verify_guide.json"
LANGUAGES = ("ar", "zh", "en", "fr", "ru", "es")
"""The six official languages of the United Nations, as ``hanoi.convention.Language``."""
MAX_LISTED = 100
"""Files listed one by one (with their commands); ``hanoi evidence verify`` lists them all."""
WIDTH = 78
TRUST_FILE = "trust.json"
IDENTITY_FILE = "identity.txt"
_UNSPACED = frozenset({"zh"})  # no spaces between words: lines are left to the reader's editor


@functools.cache
def guide_texts() -> Mapping[str, Mapping[str, str]]:
    """Each language's texts, checked to have the same members and placeholders as English."""
    where = f"hanoi/evidence/{GUIDE_TEXTS}"
    try:
        document = json.loads(files("hanoi.evidence").joinpath(GUIDE_TEXTS).read_text("utf-8"))
        languages = document["languages"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise RuntimeError(f"{where}: cannot be read: {exc}") from exc
    if not isinstance(languages, dict) or set(languages) != set(LANGUAGES):
        raise RuntimeError(f"{where}: needs exactly the languages {', '.join(LANGUAGES)}")
    english = languages["en"]
    for code, texts in languages.items():
        if not isinstance(texts, dict) or set(texts) != set(english):
            raise RuntimeError(f"{where}: {code} has other members than en")
        for key, text in texts.items():
            if not isinstance(text, str) or placeholders(text) != placeholders(english[key]):
                raise RuntimeError(f"{where}: {code}.{key} has other placeholders than en")
    return MappingProxyType({c: MappingProxyType(dict(t)) for c, t in languages.items()})


def placeholders(text: str) -> frozenset[str]:
    return frozenset(name for _, name, _, _ in string.Formatter().parse(text) if name)


def check_language(value: str) -> str:
    if value not in LANGUAGES:
        raise InvalidInput(f"the guide's language {value[:16]!r} is one of {', '.join(LANGUAGES)}")
    return value


@dataclass(frozen=True, slots=True)
class GuideFacts:
    """What the guide says about one package."""

    folder: str
    """The bag's folder: the package folder, or the one folder its ``.tar`` holds."""
    package_id: str
    created: datetime
    sending_state: str
    request: str | None
    scheme: Scheme
    payload: Sequence[PayloadEntry]


@dataclass(frozen=True, slots=True)
class Guide:
    """The guide in ``language``, as a tag file of the bag."""

    language: str = "en"

    def __post_init__(self) -> None:
        check_language(self.language)

    @property
    def path(self) -> str:
        return guide_path(self.language)

    def render(self, facts: GuideFacts) -> bytes:
        return render_guide(self.language, facts)


def _decrypted_name(entry: PayloadEntry) -> str:
    """Where ``age -d`` writes the file: its name in ``data/`` without ``.age`` (already
    ASCII letters, digits, ``.``, ``_`` and ``-``, safe in any shell)."""
    return entry.path.removeprefix(f"{DATA_DIR}/").removesuffix(AGE_SUFFIX)


def commands(facts: GuideFacts) -> list[str]:
    """The command lines of the guide, in order (the same in every language)."""
    folder = shlex.quote(facts.folder)
    lines = [f"bagit.py --validate {folder}"]
    key = "" if facts.scheme == "scrypt" else f"-i {IDENTITY_FILE} "
    for entry in list(facts.payload)[:MAX_LISTED]:
        name = _decrypted_name(entry)
        lines += [f"age -d {key}-o {name} {folder}/{entry.path}", f"sha256sum {name}"]
    secret = "--passphrase-stdin" if facts.scheme == "scrypt" else f"--identity {IDENTITY_FILE}"
    lines.append(f"hanoi evidence verify {folder} --trust {TRUST_FILE} {secret}")
    return lines


def render_guide(language: str, facts: GuideFacts) -> bytes:
    """The guide for ``facts`` in ``language``, UTF-8, LF line ends."""
    t = guide_texts()[check_language(language)]

    def para(text: str, *, bullet: bool = False) -> list[str]:
        lead = "- " if bullet else ""
        if language in _UNSPACED:
            return [lead + text]
        return textwrap.wrap(
            text,
            width=WIDTH,
            initial_indent=lead,
            subsequent_indent=" " * len(lead),
            break_long_words=False,
            break_on_hyphens=False,
        )

    def code(*lines: str) -> list[str]:
        return ["", *(f"    {line}" for line in lines), ""]

    folder = shlex.quote(facts.folder)
    listed = list(facts.payload)[:MAX_LISTED]
    run = commands(facts)
    bag, decrypt, verify = run[0], run[1:-1], run[-1]
    out = [t["title"], ""]
    out += para(
        t["intro"].format(
            package_id=facts.package_id,
            sending_state=facts.sending_state,
            created=utc_text(facts.created),
        )
    )
    if facts.request is not None:
        out += para(t["request"].format(request=facts.request))
    out += ["", *para(t["files"].format(count=len(facts.payload)))]
    for entry in listed:
        out += [
            "",
            f"    {entry.path}",
            f"        {t['original_name']}: {entry.name}",
            f"        SHA-256: {entry.sha256}",
            f"        {t['size_bytes']}: {entry.size}",
        ]
    if len(facts.payload) > len(listed):
        out += ["", *para(t["more_files"].format(more=len(facts.payload) - len(listed)))]
    out += ["", *para(t["run_from"].format(folder=folder)), ""]
    out += [t["bag_title"], *code(bag), *para(t["bag_text"]), ""]
    out += [t["decrypt_title"], "", *para(t[f"decrypt_{facts.scheme}"])]
    out += [*code(*decrypt), *para(t["decrypt_after"]), ""]
    out += [t["verify_title"], *code(verify), *para(t["verify_trust"]), ""]
    out += [*para(t[f"verify_secret_{facts.scheme}"]), "", *para(t["verify_checks"])]
    for key in ("check_signature", "check_custody", "check_witnesses", "check_origins"):
        out += para(t[key].format(sending_state=facts.sending_state), bullet=True)
    out += para(t["check_contents"], bullet=True)
    out += ["", *para(t["verify_verdict"]), "", *para(t["conditions"])]
    return ("\n".join(out) + "\n").encode("utf-8")
