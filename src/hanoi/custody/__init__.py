"""The custody transparency log: a pure core, and the services that run it.

The pure core (no disk, no sockets, no clock of its own):

- :mod:`~hanoi.custody.merkle`: RFC 6962 hashes, roots, proofs and their checks;
- :mod:`~hanoi.custody.tiles`: C2SP tlog-tiles coordinates, paths, bundles;
- :mod:`~hanoi.custody.note`, :mod:`~hanoi.custody.checkpoint`,
  :mod:`~hanoi.custody.cosignature`: C2SP signed notes, checkpoints, cosignatures;
- :mod:`~hanoi.custody.policy`: which checkpoints to trust (log key, k of n witnesses);
- :mod:`~hanoi.custody.tlog_witness`: the C2SP tlog-witness decision and request format;
- :mod:`~hanoi.custody.tlogproof`: C2SP tlog-proof files;
- :mod:`~hanoi.custody.events`: custody events and their salted commitments;
- :mod:`~hanoi.custody.audit`: auditing a whole tiled log through a tile source;
- :mod:`~hanoi.custody.encoding`, :mod:`~hanoi.custody.limits` and
  :mod:`~hanoi.custody.errors`: one place each.

The services, over ports that storage implements (a store of entries and cosignatures, a
tile store) and a :class:`~hanoi.clock.Clock`:

- :mod:`~hanoi.custody.service`: :class:`CustodyLog`, recording, proving, checkpoints;
- :mod:`~hanoi.custody.sequencer`: turning queued events into entries and tiles (ADR 0006);
- :mod:`~hanoi.custody.witnessing`: this node as a witness of other logs, and collecting
  other States' cosignatures of its own (ADR 0007);
- :mod:`~hanoi.custody.quorum`: waiting, bounded, for a checkpoint with the quorum of
  witnesses (ADR 0022);
- :mod:`~hanoi.custody.worker`: the background job that sequences and asks witnesses.
"""
