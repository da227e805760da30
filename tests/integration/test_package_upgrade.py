"""A node of the previous version kept its packages as files, ``<node>/packages/<direction>/
<id>.tar``: on first use, such a package's bytes move into the blob store, once they match
the SHA-256 its row records (ADR 0035)."""

from __future__ import annotations

import os
from pathlib import Path

from hanoi.federation.ports import PackageRow
from hanoi.wiring import Node
from support_transfers import PACKAGES, Pair, offered


def as_the_previous_version_kept_it(node: Node, row: PackageRow) -> Path:
    """Move a package's bytes out of the blob store into the previous version's file."""
    old = node.settings.node_dir / "packages" / row.direction / f"{row.id}.tar"
    old.parent.mkdir(parents=True, exist_ok=True)
    with node.blobs.open(row.sha256) as stream:
        old.write_bytes(stream.read())
    old.with_suffix(".lock").touch()
    node.blobs.delete(row.sha256)
    return old


def test_an_outgoing_package_of_the_previous_version_is_served_from_the_blob_store(
    pair: Pair,
) -> None:
    p = pair
    _, row, _ = offered(p, {"mailbox.mbox": os.urandom(50_000)})
    sent = p.vnm.transfers.row(row.id)
    assert sent is not None
    old = as_the_previous_version_kept_it(p.vnm, sent)
    assert not p.vnm.blobs.exists(row.sha256)

    served = p.http.get(f"{p.vnm_url}{PACKAGES}/{row.id}", timeout=30)
    assert served.status_code == 200
    assert p.vnm.blobs.exists(row.sha256)  # moved on first use, checked against the row
    assert not old.exists()
    assert not old.with_suffix(".lock").exists()
    with p.vnm.blobs.open(row.sha256) as stream:
        assert stream.read() == served.content
    assert p.egy.transfers.fetch_pending() == 1  # the receiver gets it whole and accepts it


def test_an_incoming_package_of_the_previous_version_is_accepted_without_a_download(
    pair: Pair,
) -> None:
    p = pair
    request_id, row, _ = offered(p, {"mailbox.mbox": os.urandom(50_000)})
    p.egy.transfers.fetch(row)  # downloaded whole by the previous version, not accepted yet
    fetched = p.egy.transfers.row(row.id)
    assert fetched is not None
    assert fetched.received == fetched.size
    old = as_the_previous_version_kept_it(p.egy, fetched)
    sent = p.vnm.transfers.row(row.id)
    assert sent is not None
    p.vnm.blobs.delete(sent.sha256)  # the sender could no longer serve it: no new download

    assert p.egy.transfers.fetch_pending() == 1
    assert p.row(request_id).status == "accepted"
    assert p.egy.blobs.exists(row.sha256)
    assert not old.exists()


def test_a_file_of_the_previous_version_that_does_not_match_its_row_is_not_used(
    pair: Pair,
) -> None:
    p = pair
    _, row, _ = offered(p, {"mailbox.mbox": os.urandom(50_000)})
    sent = p.vnm.transfers.row(row.id)
    assert sent is not None
    old = as_the_previous_version_kept_it(p.vnm, sent)
    data = bytearray(old.read_bytes())
    data[len(data) // 2] ^= 0x01
    old.write_bytes(bytes(data))

    assert p.http.get(f"{p.vnm_url}{PACKAGES}/{row.id}", timeout=30).status_code == 404
    assert not p.vnm.blobs.exists(row.sha256)
    assert old.read_bytes() == bytes(data)  # left where it was, for the operator to see
