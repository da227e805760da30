"""Which parties data a node uses: the bundled file, or a newer one in its folder.

Layout (all three written by ``hanoi treaty import``)::

    DIR/treaty/parties.csv          the parties file (hanoi.convention.parties)
    DIR/treaty/parties.about.json   its date and sources (optional)
    DIR/treaty/parties.notes.csv    a note per row (optional)

A node uses its folder's file unless that file is broken (then the bundled data, and
the treaty page says why) or says it is older than the bundled data (after an upgrade
that brought newer data). Treaty data change without a release: the depositary
publishes a new status, an officer saves the page and imports it.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from hanoi.convention.parties import LIMITS, parse_parties
from hanoi.convention.parties_data import (
    ABOUT_FILE,
    ABOUT_LIMIT,
    NOTES_FILE,
    NOTES_LIMIT,
    PartiesAbout,
    PartiesData,
    PartyNote,
    bundled_file_bytes,
    format_about,
    format_notes,
    parse_about,
    parse_notes,
)
from hanoi.convention.treaty_rules import TreatyRules
from hanoi.errors import InvalidInput
from hanoi.files import write_atomically

TREATY_FOLDER = "treaty"
PARTIES_FILE = "parties.csv"
BUNDLED = "bundled"


class Choice(StrEnum):
    """Why a node uses the parties data it uses."""

    BUNDLED = "bundled"
    """No parties file in the node folder."""
    NODE_FOLDER = "node-folder"
    BUNDLED_NEWER = "bundled-newer"
    """The node folder's file says it is older than the bundled data."""
    NODE_FOLDER_BROKEN = "node-folder-broken"
    """The node folder's file could not be used; ``problem`` says why."""
    FILE = "file"
    """A file named on the command line (``hanoi treaty status --parties``)."""


@dataclass(frozen=True, slots=True)
class PartiesInUse:
    data: PartiesData
    choice: Choice
    problem: InvalidInput | None = None


def _read(path: Path, limit: int) -> bytes | None:
    """The file's bytes (one past ``limit`` at most, so size checks see it), or None."""
    try:
        with path.open("rb") as handle:
            return handle.read(limit + 1)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise InvalidInput(f"cannot read {path.name}: {exc.strerror}") from None


def build_data(
    csv_bytes: bytes,
    *,
    about: bytes | None,
    notes: bytes | None,
    origin: str,
    rules: TreatyRules,
) -> PartiesData:
    """Parse and check a parties file and the two files beside it."""
    records = parse_parties(csv_bytes, rules=rules)
    parsed_notes: dict[str, PartyNote] = {}
    if notes is not None:
        parsed_notes = parse_notes(notes[: NOTES_LIMIT + 1], records)
    return PartiesData(
        records=records,
        origin=origin,
        sha256=hashlib.sha256(csv_bytes).hexdigest(),
        about=parse_about(about) if about is not None else None,
        notes=parsed_notes,
    )


@functools.cache
def _bundled_files() -> tuple[bytes, bytes, bytes]:
    """The bundled parties file, about file and notes: read once per process (they change
    only with a release), not on every treaty page."""
    return (
        bundled_file_bytes(PARTIES_FILE),
        bundled_file_bytes(ABOUT_FILE),
        bundled_file_bytes(NOTES_FILE),
    )


def bundled_data(rules: TreatyRules) -> PartiesData:
    parties, about, notes = _bundled_files()
    return build_data(parties, about=about, notes=notes, origin=BUNDLED, rules=rules)


def read_folder(folder: Path, *, rules: TreatyRules) -> PartiesData | None:
    """The parties data in ``folder`` (``DIR/treaty``), or None when it holds none."""
    csv_bytes = _read(folder / PARTIES_FILE, LIMITS.file_bytes)
    if csv_bytes is None:
        return None
    return build_data(
        csv_bytes,
        about=_read(folder / ABOUT_FILE, ABOUT_LIMIT),
        notes=_read(folder / NOTES_FILE, NOTES_LIMIT),
        origin=str(folder / PARTIES_FILE),
        rules=rules,
    )


def parties_in_use(node_dir: Path | None, *, rules: TreatyRules) -> PartiesInUse:
    """The data a node with folder ``node_dir`` uses, and why (bundled when None)."""
    bundled = bundled_data(rules)
    if node_dir is None:
        return PartiesInUse(bundled, Choice.BUNDLED)
    try:
        local = read_folder(node_dir / TREATY_FOLDER, rules=rules)
    except InvalidInput as exc:
        return PartiesInUse(bundled, Choice.NODE_FOLDER_BROKEN, problem=exc)
    if local is None:
        return PartiesInUse(bundled, Choice.BUNDLED)
    newer, ours = bundled.data_as_of, local.data_as_of
    if newer is not None and ours is not None and ours < newer:
        return PartiesInUse(bundled, Choice.BUNDLED_NEWER)
    return PartiesInUse(local, Choice.NODE_FOLDER)


def write_folder(
    folder: Path, csv_text: str, *, about: PartiesAbout, notes: list[PartyNote]
) -> Path:
    """Write the three files, each atomically; the parties file last, so that a reader
    never sees a new parties file with an older date. Without notes, an older notes
    file is removed (it would not match)."""
    folder.mkdir(mode=0o755, parents=True, exist_ok=True)
    if notes:
        write_atomically(folder / NOTES_FILE, format_notes(notes).encode("utf-8"))
    else:
        (folder / NOTES_FILE).unlink(missing_ok=True)
    write_atomically(folder / ABOUT_FILE, format_about(about).encode("utf-8"))
    write_atomically(folder / PARTIES_FILE, csv_text.encode("utf-8"))
    return folder / PARTIES_FILE


def describe(in_use: PartiesInUse) -> dict[str, object]:
    """The ``data`` object of ``hanoi treaty status --json``: which file, and why."""
    data = in_use.data
    about = data.about
    reported = about.reported_signatories if about is not None else None
    return {
        "file": data.origin,
        "sha256": data.sha256,
        "choice": in_use.choice.value,
        "sources": about.sources if about is not None else None,
        "reported_signatories": None
        if reported is None
        else {"count": reported.count, "source": reported.source, "when": reported.when},
        "problem": in_use.problem.diagnostics() if in_use.problem is not None else None,
    }
