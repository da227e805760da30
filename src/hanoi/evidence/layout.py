"""The evidence package's layout: its file names, safe paths, and the verifier's size limits.

A package is a BagIt bag (RFC 8493)::

    bagit.txt                     BagIt-Version 1.0, UTF-8
    bag-info.txt                  sending State, request, creation time, Payload-Oxum...
    manifest-sha256.txt           SHA-256 of every payload file (the age ciphertexts)
    tagmanifest-sha256.txt        SHA-256 of every other file
    statement.jws                 the signed statement (JWS, EdDSA, over RFC 8785 JSON)
    case-uco.jsonld               the CASE/UCO description
    custody/index.json            the custody events: salts, log entries, proof files
    custody/events/NNNN.json      one custody event each
    custody/proofs/NNNN.tlog-proof          C2SP tlog-proof of each event
    custody/checkpoints/<log>-<size>.checkpoint  the witnessed checkpoints they prove against
    data/<name>.age               each payload file, age-encrypted
    VERIFY.<lang>.txt             an export's verification guide (``hanoi.evidence.guide``)

Pure: names and checks only.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Set
from dataclasses import dataclass

from hanoi.evidence.package_errors import UnsafePath

BAGIT_TXT = "bagit.txt"
BAG_INFO = "bag-info.txt"
MANIFEST = "manifest-sha256.txt"
TAGMANIFEST = "tagmanifest-sha256.txt"
STATEMENT = "statement.jws"
CASE_UCO = "case-uco.jsonld"
CUSTODY_INDEX = "custody/index.json"
DATA_DIR = "data"
AGE_SUFFIX = ".age"

_UNSAFE_CHARS = re.compile(r"[^A-Za-z0-9._-]+")
_MAX_STEM = 200


@dataclass(frozen=True, slots=True)
class PackageLimits:
    """Upper bounds on what a verifier reads into memory or counts. Sizes in bytes."""

    max_files: int = 100_000
    max_path_bytes: int = 1024
    max_pax_header: int = 64 * 1024
    """A pax extended header ('x' or 'g') of one tar member: a path of ``max_path_bytes``,
    times, owners and extended attributes fit many times over (ADR 0016)."""
    max_long_name: int = 4 * 1024
    """A GNU long name or link ('L', 'K'): at most ``max_path_bytes`` and a NUL are needed."""
    max_bagit_txt: int = 4 * 1024
    max_bag_info: int = 64 * 1024
    max_manifest: int = 32 * 1024 * 1024
    max_statement: int = 8 * 1024 * 1024
    max_case_uco: int = 64 * 1024 * 1024
    max_custody_index: int = 16 * 1024 * 1024
    max_custody_events: int = 10_000
    max_tag_file: int = 16 * 1024 * 1024
    max_trust_file: int = 1024 * 1024
    max_trusted_nodes: int = 1000
    max_key_file: int = 64 * 1024

    def for_tag_file(self, path: str) -> int:
        """How large the tag file at ``path`` may be (a file of a package carried in
        ``origins/<id>/`` as large as in that package)."""
        if path.startswith("origins/") and path.count("/") >= 2:
            path = path.split("/", 2)[2]
        fixed = {
            BAGIT_TXT: self.max_bagit_txt,
            BAG_INFO: self.max_bag_info,
            MANIFEST: self.max_manifest,
            TAGMANIFEST: self.max_manifest,
            STATEMENT: self.max_statement,
            CASE_UCO: self.max_case_uco,
            CUSTODY_INDEX: self.max_custody_index,
        }
        return fixed.get(path, self.max_tag_file)


DEFAULT_PACKAGE_LIMITS = PackageLimits()


def check_relative_path(path: str, *, limits: PackageLimits = DEFAULT_PACKAGE_LIMITS) -> str:
    """A path inside the bag: relative, ``/``-separated, no ``.``/``..``, no control characters.

    Raises :class:`UnsafePath`: extracting such a path could write outside the destination.
    """
    shown = path[:80]
    if not path or len(path.encode("utf-8", "surrogateescape")) > limits.max_path_bytes:
        raise UnsafePath(f"{shown!r}: an empty or overlong path")
    if path.startswith("/") or re.match(r"^[A-Za-z]:", path):
        raise UnsafePath(f"{shown!r}: an absolute path escapes the destination")
    if "\\" in path:
        raise UnsafePath(f"{shown!r}: a backslash in a path")
    parts = path.split("/")
    if ".." in parts:
        raise UnsafePath(f"{shown!r}: a '..' component escapes the destination")
    if any(part in ("", ".") for part in parts):
        raise UnsafePath(f"{shown!r}: an empty or '.' path component")
    if any(not c.isprintable() for c in path):
        raise UnsafePath(f"{shown!r}: a control character in a path")
    return path


def guide_path(language: str) -> str:
    """The verification guide in ``language`` (a tag file at the root, like ``bagit.txt``)."""
    return f"VERIFY.{language}.txt"


def is_payload_path(path: str) -> bool:
    return path.startswith(DATA_DIR + "/")


def sanitise_stem(original: str) -> str:
    """An ASCII file name that is safe on every file system, from any original name."""
    decomposed = unicodedata.normalize("NFKD", original)
    ascii_only = decomposed.encode("ascii", "ignore").decode("ascii")
    stem = _UNSAFE_CHARS.sub("_", ascii_only).lstrip(".-_")[:_MAX_STEM].rstrip(".")
    return stem or "file"


def payload_path(original: str, *, taken: Set[str]) -> str:
    """``data/<sanitised name>.age``, unique (ignoring case) among the ``taken`` paths."""
    stem = sanitise_stem(original)
    lowered = {p.lower() for p in taken}
    candidate, n = stem, 1
    while f"{DATA_DIR}/{candidate}{AGE_SUFFIX}".lower() in lowered:
        n += 1
        candidate = f"{stem}-{n}"
    return f"{DATA_DIR}/{candidate}{AGE_SUFFIX}"


def log_slug(origin: str) -> str:
    """A file-name form of a log origin, for checkpoint files."""
    return _UNSAFE_CHARS.sub("_", origin).strip("._-")[:100] or "log"
