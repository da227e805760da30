"""Each evidence file's chain of custody, from its collection to the report. Pure.

The steps come from two places, and a court should see each once:

- the custody proofs of every package verified again for the report: the sending State's
  steps in its own log (``collected``, ``exported``), and those of the packages of other
  States it carries whole (ADR 0021), each with the States whose witnesses cosigned it;
- this node's own log: its ``received`` and ``exported`` steps, or, on the State that
  collected the file, its ``collected`` one.

A step is one entry of one log, ``(log origin, index)``: the same entry read from this node's
log and proven by a package it sent is one step, with the witnesses of both and the packages
that prove it. How the file was obtained (:class:`Acquired`) is the collecting State's
declaration, kept beside the chain: its ``obtained_at`` is when the data were obtained,
which the ``collected`` step (when the file entered that State's log) is not.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from hanoi.custody.events import CustodyAction, CustodyEvent


@dataclass(frozen=True, slots=True, kw_only=True)
class ItemEntry:
    """One evidence file: its original name, size and SHA-256 (of the plaintext)."""

    name: str
    size: int
    sha256: str
    media_type: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Acquired:
    """How a file was obtained, as the State that collected it declared it (Arts. 27-28,
    40(17)): in the signed statement of a package (``declared_in``), or, for a file
    collected on this node, in this node's own record of it."""

    state: str
    source_kind: str
    source: str
    obtained_at: datetime
    """When the data were obtained (not when the file was recorded as evidence)."""
    method: str
    officer: str
    article: str
    legal_basis: str | None = None
    authority: str | None = None
    received_from: str | None = None
    """The State that sent the file to ``state`` off the network (a State without a node:
    on media, by courier or in the diplomatic bag), with ``channel`` (a
    :class:`~hanoi.cooperation.routes.Route` value) and ``channel_reference``."""
    channel: str | None = None
    channel_reference: str | None = None
    declared_in: str | None = None
    """The package whose signed statement declares it; None: recorded on this node."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ChainLink:
    """One custody step of an evidence file, in the custody log of the State that took it."""

    at: datetime
    state: str
    action: str
    """A custody action (:class:`~hanoi.custody.events.CustodyAction` value)."""
    officer: str
    article: str
    evidence_sha256: str
    log_origin: str
    index: int
    witnesses: tuple[str, ...] = ()
    """The States whose witnesses cosigned a checkpoint that holds the step (a witness the
    directory does not place is named by its key)."""
    proven_by: tuple[str, ...] = ()
    """The packages whose custody proofs, verified again, include it; empty when it was
    read from this node's own log only."""
    provider: tuple[str, str] | None = None
    """For a provider's delivery (``delivered``): the provider's name and the domestic
    order's reference, as the event records them (:func:`provider_of`)."""


def provider_of(event: CustodyEvent) -> tuple[str, str] | None:
    """Who delivered, for a ``delivered`` event: the provider's name and the order's
    reference (empty if the event has none)."""
    if event.action is not CustodyAction.DELIVERED:
        return None
    name, reference = event.unknown.get("provider_name"), event.unknown.get("reference")
    if not isinstance(name, str):
        return None
    return _printable(name), _printable(reference) if isinstance(reference, str) else ""


def _printable(text: str) -> str:
    return "".join(c if c.isprintable() else "?" for c in text[:300])


@dataclass(frozen=True, slots=True, kw_only=True)
class FileChain:
    """An evidence file and its chain of custody, oldest step first."""

    file: ItemEntry
    acquired: Acquired | None
    """None when neither a verified statement nor this node's record says how the file was
    obtained (its package failed verification, or predates acquisitions in statements)."""
    steps: tuple[ChainLink, ...]


def merge_links(links: Sequence[ChainLink]) -> list[ChainLink]:
    """One step per log entry: the witnesses and the proving packages of every sighting."""
    merged: dict[tuple[str, int], ChainLink] = {}
    for link in links:
        key = (link.log_origin, link.index)
        seen = merged.get(key)
        merged[key] = (
            link
            if seen is None
            else replace(
                seen,
                witnesses=tuple(sorted({*seen.witnesses, *link.witnesses})),
                proven_by=tuple(sorted({*seen.proven_by, *link.proven_by})),
            )
        )
    return list(merged.values())


def build_chains(
    files: Sequence[ItemEntry],
    *,
    acquisitions: Mapping[str, Acquired],
    links: Sequence[ChainLink],
) -> tuple[FileChain, ...]:
    """The chain of each file (one per SHA-256, the first name given wins), in the order the
    files were obtained (or first logged), then by name. Steps about a file that is not one
    of ``files`` (another file of a carried package, not exported here) are left out."""
    steps: dict[str, list[ChainLink]] = {}
    for link in merge_links(links):
        steps.setdefault(link.evidence_sha256, []).append(link)
    chains = []
    for file in {f.sha256: f for f in reversed(files)}.values():
        own = sorted(steps.get(file.sha256, ()), key=lambda s: (s.at, s.log_origin, s.index))
        chains.append(
            FileChain(file=file, acquired=acquisitions.get(file.sha256), steps=tuple(own))
        )

    def first(chain: FileChain) -> tuple[bool, datetime | None, str, str]:
        moments = [s.at for s in chain.steps]
        if chain.acquired is not None:
            moments.append(chain.acquired.obtained_at)
        return (not moments, min(moments, default=None), chain.file.name, chain.file.sha256)

    return tuple(sorted(chains, key=first))
