"""Size limits for everything the custody log parses, in one place.

Every parser takes a :class:`Limits` (keyword ``limits``), defaulting to
:data:`DEFAULT_LIMITS`. The defaults follow the C2SP specifications where they
name a number, and are generous elsewhere: they exist to bound memory and work
on hostile input, not to shape honest traffic.
"""

from __future__ import annotations

from dataclasses import dataclass

HASH_SIZE = 32
TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT
MAX_ENTRY_BYTES = 0xFFFF  # tlog-tiles: entries are uint16 length-prefixed


@dataclass(frozen=True, slots=True)
class Limits:
    """Upper bounds on input sizes and counts. All sizes are in bytes."""

    # signed-note: verifiers MUST accept at least 16 signatures; post-quantum
    # signatures are up to about 5 kB, so 16 of them in base64 fit in 128 KiB.
    max_note_bytes: int = 256 * 1024
    max_signatures: int = 100
    max_key_name_bytes: int = 256
    # tlog-checkpoint
    max_origin_bytes: int = 1024
    max_extension_lines: int = 16
    max_tree_size: int = (1 << 63) - 1
    # tlog-tiles
    max_tile_bytes: int = TILE_WIDTH * HASH_SIZE
    max_entry_bytes: int = MAX_ENTRY_BYTES
    max_entry_bundle_bytes: int = TILE_WIDTH * (2 + MAX_ENTRY_BYTES)
    max_tile_path_bytes: int = 128
    # Merkle proofs: a tree of fewer than 2**63 leaves needs at most 63 hashes
    # for inclusion and 64 for consistency.
    max_proof_hashes: int = 64
    # tlog-witness: "The client MUST NOT send more than 63 consistency proof lines."
    max_witness_proof_lines: int = 63
    # tlog-proof files and custody events
    max_tlog_proof_bytes: int = 512 * 1024
    max_extra_bytes: int = 16 * 1024
    max_event_bytes: int = 64 * 1024
    max_event_field_chars: int = 1024
    max_event_depth: int = 16

    @property
    def max_witness_request_bytes(self) -> int:
        """An ``add-checkpoint`` body: the old size line, proof lines, a blank line, a note."""
        return 32 + self.max_witness_proof_lines * 46 + 1 + self.max_note_bytes


DEFAULT_LIMITS = Limits()
