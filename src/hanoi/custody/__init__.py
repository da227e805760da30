"""The custody transparency log: a pure core (no disk, no sockets, no clock).

- :mod:`~hanoi.custody.merkle`: RFC 6962 hashes, roots, proofs and their checks;
- :mod:`~hanoi.custody.tiles`: C2SP tlog-tiles coordinates, paths, bundles;
- :mod:`~hanoi.custody.note`, :mod:`~hanoi.custody.checkpoint`,
  :mod:`~hanoi.custody.cosignature`: C2SP signed notes, checkpoints, cosignatures;
- :mod:`~hanoi.custody.policy`: which checkpoints to trust (log key, k of n witnesses);
- :mod:`~hanoi.custody.witness`: the tlog-witness decision and request format;
- :mod:`~hanoi.custody.tlogproof`: C2SP tlog-proof files;
- :mod:`~hanoi.custody.events`: custody events and their salted commitments;
- :mod:`~hanoi.custody.audit`: auditing a whole tiled log through a tile source;
- :mod:`~hanoi.custody.limits` and :mod:`~hanoi.custody.errors`: one place each.
"""
