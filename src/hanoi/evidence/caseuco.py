"""The CASE/UCO description of a package (JSON-LD), for forensic tools. Pure.

It holds, for each payload file, a ``uco-observable:File`` with a ``FileFacet``
(name, size) and a ``ContentDataFacet`` (SHA-256 of the plaintext, size, media
type); and for each step of its history a ``case-investigation:InvestigativeAction``
whose result is a ``case-investigation:ProvenanceRecord`` naming the files: the
acquisition (when the node knows it; for a file another State sent off the network, the
action names that State as a participant and its description says by which channel,
under which reference), every custody event in the package, and the packaging itself.
``case_validate`` (from ``case-utils``) accepts it.

Identifiers are ``urn:uuid:`` IRIs derived (UUIDv5) from the package ID and what
they name, so the same package always gets the same description.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hanoi.custody.events import CustodyEvent, event_commitment
from hanoi.evidence.fields import utc_text
from hanoi.evidence.provenance import PayloadAcquisition

CONTEXT = {
    "kb": "urn:uuid:",
    "case-investigation": "https://ontology.caseontology.org/case/investigation/",
    "uco-action": "https://ontology.unifiedcyberontology.org/uco/action/",
    "uco-core": "https://ontology.unifiedcyberontology.org/uco/core/",
    "uco-identity": "https://ontology.unifiedcyberontology.org/uco/identity/",
    "uco-observable": "https://ontology.unifiedcyberontology.org/uco/observable/",
    "uco-types": "https://ontology.unifiedcyberontology.org/uco/types/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
_NAMESPACE = uuid.UUID("6f1c1d4e-8f0a-5b7e-9a43-1c2f6d0b7a55")


@dataclass(frozen=True, slots=True)
class DescribedFile:
    """A payload file as the description names it."""

    path: str
    name: str
    sha256: str
    size: int
    media_type: str | None = None
    acquisition: PayloadAcquisition | None = None


@dataclass(frozen=True, slots=True)
class DescribedStep:
    """A custody event in the package, and where it is logged."""

    event: CustodyEvent
    salt: bytes
    log_origin: str
    index: int


def _integer(value: int) -> dict[str, str]:
    return {"@type": "xsd:integer", "@value": str(value)}


def _time(moment: datetime) -> dict[str, str]:
    return {"@type": "xsd:dateTime", "@value": utc_text(moment)}


def _ref(node: dict[str, Any]) -> dict[str, str]:
    return {"@id": node["@id"]}


class _Graph:
    def __init__(self, package_id: str) -> None:
        self.package_id = package_id
        self.nodes: list[dict[str, Any]] = []
        self._ids: dict[str, dict[str, Any]] = {}

    def iri(self, key: str) -> str:
        return f"kb:{uuid.uuid5(_NAMESPACE, f'{self.package_id}/{key}')}"

    def add(self, key: str, kind: str, **members: Any) -> dict[str, Any]:
        if key in self._ids:
            return self._ids[key]
        node = {"@id": self.iri(key), "@type": kind, **members}
        self._ids[key] = node
        self.nodes.append(node)
        return node

    def person(self, name: str) -> dict[str, Any]:
        return self.add(f"person/{name}", "uco-identity:Person", **{"uco-core:name": name})

    def state(self, code: str) -> dict[str, Any]:
        """A State, by its ISO 3166-1 alpha-3 code."""
        return self.add(f"state/{code}", "uco-identity:Organization", **{"uco-core:name": code})

    def organization(self, name: str) -> dict[str, Any]:
        return self.add(f"org/{name}", "uco-identity:Organization", **{"uco-core:name": name})

    def authorization(self, key: str, basis: str, time: datetime) -> dict[str, Any]:
        """The legal basis of an action (an order, a warrant) as CASE names it."""
        return self.add(
            f"{key}/authorization",
            "case-investigation:Authorization",
            **{
                "uco-core:name": basis,
                "case-investigation:authorizationType": "legal basis",
                "case-investigation:authorizationIdentifier": [basis],
                "uco-core:startTime": _time(time),
            },
        )

    def action(
        self,
        key: str,
        *,
        name: str,
        description: str,
        time: datetime,
        performer: dict[str, Any],
        files: Sequence[dict[str, Any]],
        exhibit: str | None,
        instruments: Sequence[dict[str, Any]] = (),
        participants: Sequence[dict[str, Any]] = (),
    ) -> None:
        record: dict[str, Any] = {
            "uco-core:description": description,
            "uco-core:object": [_ref(f) for f in files],
        }
        if exhibit:
            record["case-investigation:exhibitNumber"] = exhibit
        result = self.add(f"{key}/record", "case-investigation:ProvenanceRecord", **record)
        members: dict[str, Any] = {
            "uco-core:name": name,
            "uco-core:description": description,
            "uco-action:startTime": _time(time),
            "uco-action:performer": _ref(performer),
            "uco-action:result": [_ref(result)],
        }
        if files:
            members["uco-action:object"] = [_ref(f) for f in files]
        if instruments:
            members["uco-action:instrument"] = [_ref(i) for i in instruments]
        if participants:
            members["uco-action:participant"] = [_ref(p) for p in participants]
        self.add(key, "case-investigation:InvestigativeAction", **members)


def _file(graph: _Graph, described: DescribedFile) -> dict[str, Any]:
    key = f"file/{described.path}"
    content: dict[str, Any] = {
        "uco-observable:sizeInBytes": _integer(described.size),
        "uco-observable:hash": [
            {
                "@id": graph.iri(f"{key}/sha256"),
                "@type": "uco-types:Hash",
                "uco-types:hashMethod": "SHA256",
                "uco-types:hashValue": {"@type": "xsd:hexBinary", "@value": described.sha256},
            }
        ],
    }
    if described.media_type:
        content["uco-observable:mimeType"] = described.media_type
    facets = [
        {
            "@id": graph.iri(f"{key}/file"),
            "@type": "uco-observable:FileFacet",
            "uco-observable:fileName": described.name,
            "uco-observable:sizeInBytes": _integer(described.size),
        },
        {"@id": graph.iri(f"{key}/content"), "@type": "uco-observable:ContentDataFacet", **content},
    ]
    return graph.add(key, "uco-observable:File", **{"uco-core:hasFacet": facets})


def describe_package(
    *,
    package_id: str,
    created: datetime,
    sending_state: str,
    request: str | None,
    files: Sequence[DescribedFile],
    custody: Sequence[DescribedStep],
) -> dict[str, Any]:
    """The JSON-LD document (``@context`` and ``@graph``)."""
    graph = _Graph(package_id)
    state = graph.state(sending_state)
    nodes = [_file(graph, f) for f in files]
    by_digest: dict[str, list[dict[str, Any]]] = {}
    for described, node in zip(files, nodes, strict=True):
        by_digest.setdefault(described.sha256, []).append(node)
        a = described.acquisition
        if a is not None:
            key = f"acquisition/{described.path}"
            basis = f"; legal basis: {a.legal_basis}" if a.legal_basis else ""
            by = f"; executed by {a.authority}" if a.authority else ""
            received = (
                f"; received off the network from {a.received_from} by {a.channel}, "
                f"reference {a.channel_reference}"
                if a.received_from is not None  # sent by another State off the network
                else ""
            )
            # The graph's nodes are made in this order (person, authorization, participants),
            # so a description without a receipt is the same, byte for byte, as before.
            performer = graph.person(a.officer)
            instruments = (
                [graph.authorization(key, a.legal_basis, a.obtained_at)] if a.legal_basis else []
            )
            participants = [graph.organization(a.authority)] if a.authority else []
            if a.received_from is not None:
                participants.append(graph.state(a.received_from))
            graph.action(
                key,
                name="acquisition",
                description=(
                    f"obtained by {a.state}: {a.method}, from {a.source_kind} {a.source} "
                    f"({a.article}{basis}{by}){received}"
                ),
                time=a.obtained_at,
                performer=performer,
                files=[node],
                exhibit=request,
                instruments=instruments,
                participants=participants,
            )
    for step in custody:
        event = step.event
        graph.action(
            f"custody/{step.log_origin}/{step.index}",
            name=event.action.value,
            description=(
                f"custody event '{event.action.value}' recorded by {event.node} under "
                f"{event.article}, request {event.request_id}; entry {step.index} of custody "
                f"log {step.log_origin}, commitment "
                f"{event_commitment(event, step.salt).hex()}"
            ),
            time=event.time,
            performer=graph.person(event.officer),
            files=by_digest.get(event.evidence_sha256 or "", []),
            exhibit=event.request_id,
        )
    graph.action(
        "package",
        name="packaged",
        description=(
            f"evidence package {package_id} from {sending_state}"
            + (f" answering request {request}" if request else "")
            + ": files encrypted with age, described and signed in statement.jws"
        ),
        time=created,
        performer=state,
        files=nodes,
        exhibit=package_id,
    )
    return {"@context": CONTEXT, "@graph": graph.nodes}


def case_uco_bytes(description: dict[str, Any]) -> bytes:
    return (json.dumps(description, indent=2, ensure_ascii=False) + "\n").encode()
