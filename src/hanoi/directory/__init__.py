"""The signed directory of States: who they are, where their nodes are, which keys to trust.

- :mod:`~hanoi.directory.model`: the document as frozen dataclasses (pure).
- :mod:`~hanoi.directory.codec`: strict JSON parsing, RFC 8785 canonical form, limits (pure).
- :mod:`~hanoi.directory.contacts`: the rules of e-mail addresses, telephone numbers, postal
  addresses and document certificates (pure).
- :mod:`~hanoi.directory.signing`: JWS signatures of State entries and documents (pure).
- :mod:`~hanoi.directory.trust`: :class:`~hanoi.directory.trust.TrustedDirectory`, every
  trust rule (rollback, expiry, who may sign an entry, key rotation) in one class (pure).
- :mod:`~hanoi.directory.authoring`: building entries and documents (pure).
- :mod:`~hanoi.directory.store`: the held directory in a node folder (I/O).

See ``docs/adr/0011-signed-directory.md``.
"""
