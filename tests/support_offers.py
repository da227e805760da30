"""An evidence offer of any bytes, as a dishonest directory member's node can make one: the
bytes served by its node (from its blob store), the offer signed and sealed like any other
message and delivered through the receiving node's inbox (checked against the signed
directory)."""

from __future__ import annotations

import io
import secrets

from hanoi.cooperation.ports import Outgoing
from hanoi.federation.messages import Message, MessageType, new_message_id
from hanoi.federation.ports import PackageRow, PackageStatus
from hanoi.storage.transfers_repo import TransfersRepository
from support_transfers import Pair


def hostile_offer(p: Pair, request_id: str, data: bytes) -> str:
    """What a dishonest directory member's node can do: serve ``data`` as a package and
    offer it in a message signed and sealed like any other."""
    package_id = secrets.token_hex(16)
    digest = p.vnm.blobs.put(io.BytesIO(data)).digest
    now = p.vnm.clock.now()
    TransfersRepository(p.vnm.engine).add(
        PackageRow(
            id=package_id,
            request_id=request_id,
            direction="outgoing",
            peer="EGY",
            sha256=digest,
            size=len(data),
            status=PackageStatus.OFFERED,
            received=len(data),
            error=None,
            created_at=now,
            updated_at=now,
        )
    )
    message = Message(
        id=new_message_id(),
        type=MessageType.EVIDENCE_OFFER,
        sender="VNM",
        recipient="EGY",
        sent_at=now,
        request_id=request_id,
        body={
            "package_id": package_id,
            "package_sha256": digest,
            "package_size": len(data),
            "chunk_size": 1024 * 1024,
        },
    )
    p.vnm.federation.store.enqueue(
        Outgoing(
            id=message.id,
            recipient="EGY",
            type=message.type.value,
            request_id=request_id,
            message=message.canonical().decode(),
            created_at=now,
        )
    )
    assert p.vnm.federation.deliver_due() >= 1  # through EGY's inbox: signature, directory
    return package_id
