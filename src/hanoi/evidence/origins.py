"""A package received from another State, carried whole inside a package this node makes.

When a State exports for its court the evidence another State sent it, the court must see
the chain from the collection, not from the border: who obtained each file, when, how and
under which legal basis, and each custody step in the originating State's log, witnessed.
So the export carries, in ``origins/<package-id>/`` of its bag, every tag file of the
received package that the originating State's statement binds (``statement.jws``,
``bagit.txt``, ``bag-info.txt``, ``manifest-sha256.txt``, ``custody/...``,
``case-uco.jsonld``): exactly the bytes that State signed. Only the payload is not
carried again: the court gets the files re-encrypted to it, and the two statements are
linked by each file's plaintext SHA-256, which re-encryption does not change (ADR 0021).

:func:`read_origin` takes those files from a received package (which the node verified in
full when it accepted it); :func:`origin_files` lays them out in the new bag.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from joserfc import jws
from joserfc.errors import JoseError

from hanoi.evidence.bagio import open_bag, read_at_most
from hanoi.evidence.layout import DEFAULT_PACKAGE_LIMITS, STATEMENT, PackageLimits
from hanoi.evidence.package_errors import MalformedPackage
from hanoi.evidence.provenance import Origin, PayloadAcquisition, origin_folder
from hanoi.evidence.statement import PayloadEntry, Statement, parse_statement


@dataclass(frozen=True, slots=True)
class OriginBundle:
    """A received package's signed files, by their path in that package."""

    statement: Statement
    files: Mapping[str, bytes]

    def __post_init__(self) -> None:
        object.__setattr__(self, "files", MappingProxyType(dict(self.files)))

    @property
    def origin(self) -> Origin:
        return Origin(
            package_id=self.statement.package_id,
            sending_state=self.statement.sending_state,
            folder=origin_folder(self.statement.package_id),
        )

    def entry_for(self, sha256: str) -> PayloadEntry | None:
        """The originating statement's entry for a file, by its plaintext SHA-256."""
        return next((e for e in self.statement.payload if e.sha256 == sha256), None)

    def acquisition_for(self, sha256: str) -> PayloadAcquisition | None:
        entry = self.entry_for(sha256)
        return None if entry is None else entry.acquisition


def statement_of(jws_bytes: bytes, *, limits: PackageLimits = DEFAULT_PACKAGE_LIMITS) -> Statement:
    """The statement a JWS carries, read without checking its signature: for a package
    this node verified when it accepted it, and for the verifier's error messages."""
    try:
        token = jws.extract_compact(jws_bytes.strip())
    except (JoseError, ValueError) as exc:
        raise MalformedPackage(f"{STATEMENT}: not a compact JWS: {exc}") from None
    return parse_statement(token.payload, limits=limits)


def read_origin(path: Path, *, limits: PackageLimits = DEFAULT_PACKAGE_LIMITS) -> OriginBundle:
    """The statement and the files it binds, from a received package at ``path``."""
    bag = open_bag(path, limits=limits)
    present = bag.files()

    def read(name: str) -> bytes:
        if name not in present:
            raise MalformedPackage(f"{path.name}: {name} is missing")
        with bag.open(name) as stream:
            return read_at_most(stream, limits.for_tag_file(name))

    signed = read(STATEMENT)
    statement = statement_of(signed, limits=limits)
    files = {STATEMENT: signed}
    for name in sorted(statement.tag_files):
        files[name] = read(name)
    return OriginBundle(statement, files)


def origin_files(bundles: Sequence[OriginBundle]) -> dict[str, bytes]:
    """The tag files of the new bag that carry ``bundles``, by their path in it."""
    laid_out: dict[str, bytes] = {}
    for bundle in bundles:
        origin = bundle.origin
        for name, data in bundle.files.items():
            laid_out[origin.path(name)] = data
    return laid_out
