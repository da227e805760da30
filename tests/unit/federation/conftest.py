"""Fixtures for the federation unit tests: three States' nodes and a directory of their keys."""

from __future__ import annotations

import pytest

from hanoi.federation.envelope import MemorySenderKeys, SenderKey
from unit.federation.support import Peer


@pytest.fixture(scope="session")
def aaa() -> Peer:
    """The requesting State's node: it sends."""
    return Peer.generate("AAA")


@pytest.fixture(scope="session")
def bbb() -> Peer:
    """The requested State's node: it receives."""
    return Peer.generate("BBB")


@pytest.fixture(scope="session")
def ccc() -> Peer:
    """A third State, also in the directory."""
    return Peer.generate("CCC")


@pytest.fixture
def directory(aaa: Peer, bbb: Peer, ccc: Peer) -> MemorySenderKeys:
    return MemorySenderKeys(SenderKey(n.state, n.signing.public_key()) for n in (aaa, bbb, ccc))
