"""Evidence packages between two nodes in one process, on SQLite and PostgreSQL.

The sending node (VNM) and the receiving node (EGY) each serve their app with a real
uvicorn server on loopback, at the URLs their signed directory gives. The request and the
``evidence-offer`` travel through the real outboxes and inboxes; the receiver pulls the
package with ``Range`` requests, checks it against the offer, verifies it in full, and
only then records its files as evidence with ``received`` custody events.
"""

from __future__ import annotations

import os
from contextlib import nullcontext

import httpx
import pytest

from hanoi.custody.events import CustodyAction
from hanoi.errors import IntegrityError, PayloadTooLarge
from hanoi.federation.envelope import VerifiedMessage
from hanoi.federation.messages import Message, MessageType, new_message_id
from support_transfers import (
    PACKAGES,
    Chunks,
    Pair,
    flip_byte,
    offered,
    payload_offset,
    sha256,
    writable,
)


def test_a_package_is_offered_pulled_verified_and_accepted_once(pair: Pair) -> None:
    p = pair
    files = {"mailbox.mbox": os.urandom(300_000), "subscriber.csv": b"name,ip\nx,192.0.2.7\n"}
    request_id, row, sent_items = offered(p, files)
    outgoing = p.outgoing(row.id)
    assert len(row.id) == 32
    assert int(row.id, 16) >= 0
    assert (row.sha256, row.size) == (sha256(outgoing.read_bytes()), outgoing.stat().st_size)
    # The sender logged that the items left in a package.
    p.vnm.custody.sequence()
    for item in sent_items:
        actions = [e.event.action for e in p.vnm.evidence.held_custody(item)]
        assert actions == [CustodyAction.COLLECTED, CustodyAction.EXPORTED]

    assert p.egy.transfers.fetch(row) == row.sha256  # in EGY's blob store, by its digest
    assert p.incoming(row.id, ".tar").read_bytes() == outgoing.read_bytes()
    assert not p.incoming(row.id, ".part").exists()
    assert p.row(request_id).received == row.size

    accepted = p.egy.transfers.accept(row.id)
    assert accepted.package.id == row.id
    assert sorted(
        (i.acquisition.original_name, i.sha256, i.size) for i in accepted.items
    ) == sorted((name, sha256(data), len(data)) for name, data in files.items())
    assert p.row(request_id).status == "accepted"
    p.egy.custody.sequence()
    for item in accepted.items:
        assert item.acquisition.request_ref == request_id
        assert "VNM" in item.acquisition.source
        assert item.package_id == row.id  # linked by the package's id, not by its text
        with p.egy.blobs.open(item.sha256) as stored:
            assert stored.read() == files[item.acquisition.original_name]
        [event] = [e.event for e in p.egy.evidence.held_custody(item)]
        assert (event.action, event.node, event.request_id) == (
            CustodyAction.RECEIVED,
            "EGY",
            request_id,
        )
        assert event.evidence_sha256 == item.sha256

    # Accepting again, or the background job passing by, records nothing more.
    again = p.egy.transfers.accept(row.id)
    assert again.items == ()
    p.egy.transfers.fetch_pending()
    assert len(p.egy.evidence.held_for_request(request_id)) == len(files)


def test_the_sender_serves_ranges_by_id_only(pair: Pair) -> None:
    p = pair
    _, row, _ = offered(p, {"log.txt": os.urandom(200_000)})
    data = p.outgoing(row.id).read_bytes()
    url = f"{p.vnm_url}{PACKAGES}/{row.id}"
    with nullcontext(p.http) as client:
        whole = client.get(url)
        assert whole.status_code == 200
        assert whole.content == data
        assert whole.headers["accept-ranges"] == "bytes"
        assert whole.headers["etag"]

        first = client.get(url, headers={"Range": "bytes=0-99"})
        assert first.status_code == 206
        assert first.content == data[:100]
        assert first.headers["content-range"] == f"bytes 0-99/{len(data)}"

        rest = client.get(url, headers={"Range": "bytes=100-"})
        assert rest.status_code == 206
        assert rest.content == data[100:]
        assert rest.headers["content-range"] == f"bytes 100-{len(data) - 1}/{len(data)}"

        tail = client.get(url, headers={"Range": "bytes=-10"})
        assert tail.status_code == 206
        assert tail.content == data[-10:]

        beyond = client.get(url, headers={"Range": f"bytes={len(data)}-"})
        assert beyond.status_code == 416
        assert beyond.headers["content-range"] == f"bytes */{len(data)}"

        for unknown in ("0" * 32, row.id[:-1], "..", "%2e%2e%2fconfig.toml", "x" * 200):
            missing = client.get(f"{p.vnm_url}{PACKAGES}/{unknown}")
            assert missing.status_code == 404, unknown
            assert str(p.vnm.settings.node_dir) not in missing.text
        overlapping = client.get(url, headers={"Range": "bytes=" + ",".join(["0-"] * 100)})
        assert overlapping.status_code == 206
        assert overlapping.content == data  # merged into one range, not 100 copies
        assert client.get(url, headers={"Range": "bytes=x-y"}).status_code == 400
        # The receiver's copy of an incoming package is not served as if it were outgoing.
        p.egy.transfers.fetch(row)
        assert client.get(f"{p.egy_url}{PACKAGES}/{row.id}").status_code == 404


def test_an_offered_package_whose_file_is_gone_is_not_found(pair: Pair) -> None:
    p = pair
    _, row, _ = offered(p, {"log.txt": b"x" * 1000})
    p.outgoing(row.id).unlink()
    gone = p.http.get(f"{p.vnm_url}{PACKAGES}/{row.id}", timeout=30)
    assert gone.status_code in (404, 410)
    assert str(p.vnm.settings.node_dir) not in gone.text


def test_a_package_altered_on_the_sender_after_the_offer_is_refused(pair: Pair) -> None:
    p = pair
    request_id, row, _ = offered(p, {"mailbox.mbox": os.urandom(100_000)})
    outgoing = p.outgoing(row.id)
    flip_byte(outgoing, payload_offset(outgoing))
    p.egy.transfers.fetch_pending()
    assert p.row(request_id).status == "offered"  # a bad download is discarded and tried again
    p.egy.transfers.fetch_pending()
    after = p.row(request_id)
    assert after.status == "refused"  # the same mismatch twice: the sender's file is bad
    assert after.error
    assert "SHA-256" in after.error
    assert p.egy.evidence.held_for_request(request_id) == []
    assert not p.incoming(row.id, ".part").exists()
    assert not p.incoming(row.id, ".tar").exists()


def test_bytes_beyond_the_offered_size_are_never_fetched(pair: Pair) -> None:
    p = pair
    request_id, row, _ = offered(p, {"mailbox.mbox": os.urandom(100_000)})
    with writable(p.outgoing(row.id)) as blob, blob.open("ab") as grown:
        grown.write(os.urandom(2 * 1024 * 1024))
    p.egy.transfers.fetch_pending()  # takes exactly the offered bytes: the signed package
    assert p.row(request_id).status == "accepted"
    assert p.incoming(row.id, ".tar").stat().st_size == row.size
    assert len(p.egy.evidence.held_for_request(request_id)) == 1


def test_a_sender_answering_more_than_asked_gets_nothing_written(
    pair: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = pair
    request_id, row, _ = offered(p, {"mailbox.mbox": os.urandom(100_000)})
    data = p.outgoing(row.id).read_bytes() + os.urandom(1024 * 1024)

    def overlong(request: httpx.Request) -> httpx.Response:
        start = int(request.headers["range"].removeprefix("bytes=").split("-")[0])
        body = data[start:]
        headers = {"content-range": f"bytes {start}-{len(data) - 1}/{len(data)}"}
        return httpx.Response(206, stream=Chunks(body), headers=headers)

    def client() -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(overlong))

    monkeypatch.setattr(p.egy.transfers.receiver.download, "_client", client)
    p.egy.transfers.fetch_pending()
    part = p.incoming(row.id, ".part")
    assert not part.exists() or part.stat().st_size <= row.size
    assert not p.incoming(row.id, ".tar").exists()
    assert p.row(request_id).status != "accepted"
    assert p.egy.evidence.held_for_request(request_id) == []


def test_a_package_that_fails_verification_records_nothing(pair: Pair) -> None:
    p = pair
    request_id, row, _ = offered(p, {"mailbox.mbox": os.urandom(100_000)})
    p.egy.transfers.fetch(row)
    path = p.incoming(row.id, ".tar")
    flip_byte(path, payload_offset(path))  # altered at rest, after the digest check
    with pytest.raises(IntegrityError):
        p.egy.transfers.accept(row.id)
    assert p.egy.evidence.held_for_request(request_id) == []
    p.egy.transfers.fetch_pending()
    after = p.row(request_id)
    assert after.status == "refused"
    assert after.error
    assert p.egy.evidence.held_for_request(request_id) == []


def test_an_offer_is_registered_once_and_a_conflicting_one_refused(pair: Pair) -> None:
    p = pair
    request_id, row, _ = offered(p, {"mailbox.mbox": b"From a@example.org\n"})

    def offer(package_id: str, digest: str, size: int) -> VerifiedMessage:
        message = Message(
            id=new_message_id(),
            type=MessageType.EVIDENCE_OFFER,
            sender="VNM",
            recipient="EGY",
            sent_at=p.egy.clock.now(),
            request_id=request_id,
            body={
                "package_id": package_id,
                "package_sha256": digest,
                "package_size": size,
                "chunk_size": 1024 * 1024,
            },
        )
        return VerifiedMessage(message, "", message.digest(), message.content_digest())

    p.egy.transfers.on_offer(offer(row.id, row.sha256, row.size))
    assert [r.package.id for r in p.egy.transfers.packages(p.samir, request_id)] == [row.id]
    with pytest.raises(IntegrityError):
        p.egy.transfers.on_offer(offer(row.id, "0" * 64, row.size))
    with pytest.raises(IntegrityError):
        p.egy.transfers.on_offer(offer(row.id, row.sha256, row.size + 1))
    too_big = offer("f" * 32, "0" * 64, p.egy.settings.upload_max_bytes + 1)
    with pytest.raises(PayloadTooLarge):
        p.egy.transfers.on_offer(too_big)
    assert [r.package.id for r in p.egy.transfers.packages(p.samir, request_id)] == [row.id]
