"""Talking to other States' nodes: signed, encrypted messages, the directory they trust,
witnessing, and evidence packages carried between them.

Messages (:mod:`~hanoi.federation.messages`, :mod:`~hanoi.federation.envelope`,
:mod:`~hanoi.federation.receipts`) go through an outbox and an inbox
(:mod:`~hanoi.federation.service`, ADR 0012, 0014); the directory a node holds says whose
keys to trust and where their nodes are; evidence packages are offered, fetched by range,
verified and accepted or refused (:mod:`~hanoi.federation.transfers`,
:mod:`~hanoi.federation.sending`, :mod:`~hanoi.federation.outcomes`, ADR 0021-0023);
documents travel with the request (:mod:`~hanoi.federation.documents`, ADR 0024). The
demo federation and the sandbox builder are not here: :mod:`hanoi.sandbox`.
"""
