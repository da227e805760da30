"""What HI-1 (issue 20) costs a node, against baselines measured in the same run.

1. Checking a delivery: ``check_delivery`` on DELIVERY_MIB of data whose SHA-256 the
   provider declared (length, then every checksum of a known type), against ``sha256sum``
   on the same bytes in a file (coreutils, a public tool).
2. Reading a provider's answer: ``parse_json`` (strict), ``validate_message`` (ETSI's
   schemas, Draft 2020-12) and ``read_answer`` on each of ETSI's own response examples
   and a delivery example, against ``json.loads`` of the same bytes: what the schema check
   and the typed reading add to parsing.
3. Making an order: ``build_order`` + ``sign_message`` + ``validate_message`` (what
   leaves the node for each order), against ``json.dumps`` of the message it made.

It prints the median of RUNS runs (each of CALLS calls for 2 and 3) and the ratios.

    HANOI_BENCH_RUNS=5 HANOI_BENCH_CALLS=50 HANOI_BENCH_DELIVERY_MIB=64 \\
        .venv/bin/python bench/bench_hi1.py
"""

from __future__ import annotations

import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import MIB, env_int, machine
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hanoi.providers.hi1 import (
    Endpoint,
    OrderKind,
    OrderSpec,
    build_order,
    check_delivery,
    parse_json,
    read_answer,
    sign_message,
    validate_message,
)
from hanoi.providers.hi1.answers import ChecksumValue, Delivery
from hanoi.providers.hi1.vendored import ETSI, vendored_dir

RUNS = env_int("HANOI_BENCH_RUNS", 5)
CALLS = env_int("HANOI_BENCH_CALLS", 50)
DELIVERY_MIB = env_int("HANOI_BENCH_DELIVERY_MIB", 64)


def median_of(work: Callable[[], object], calls: int = 1) -> tuple[float, float, float]:
    """Median, min and max over RUNS runs of the seconds one call of ``work`` takes."""
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        for _ in range(calls):
            work()
        times.append((time.perf_counter() - started) / calls)
    return statistics.median(times), min(times), max(times)


def show(name: str, figure: tuple[float, float, float], unit: float = 1e3) -> None:
    middle, low, high = (value * unit for value in figure)
    print(f"  {name:<58} {middle:10.3f} ms  ({low:.3f}-{high:.3f})")


def delivery_check() -> None:
    data = os.urandom(DELIVERY_MIB * MIB)
    digest = hashlib.sha256(data).hexdigest()
    delivery = Delivery(
        object_id="bench", task_reference=None, associated=(), delivery_id=None,
        sequence_number=1, last_sequence=True, data=None, json_data=None, url=None,
        url_expiry=None, content_type="application/octet-stream", content_length=len(data),
        original_filename=None, checksums=(ChecksumValue("SHA256", digest),),
        data_exists=None, status=None, manifest=None,
    )  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "delivery.bin"
        path.write_bytes(data)
        ours = median_of(lambda: check_delivery(delivery, data))
        baseline = median_of(
            lambda: subprocess.run(["sha256sum", str(path)], check=True, capture_output=True)
        )
    print(f"1. checking a delivery of {DELIVERY_MIB} MiB")
    show("check_delivery (length, SHA-256 declared)", ours)
    show("sha256sum on the same bytes (baseline)", baseline)
    print(f"  ratio: {ours[0] / baseline[0]:.2f}")


def answers() -> None:
    examples = vendored_dir(ETSI) / "103120" / "examples" / "json"
    files = sorted(examples.glob("response*.json")) + sorted(examples.glob("request5-*.json"))
    raws = [f.read_bytes() for f in files]

    def ours() -> None:
        for raw in raws:
            document = parse_json(raw)
            validate_message(document)
            read_answer(document)

    def baseline() -> None:
        for raw in raws:
            json.loads(raw)

    mine, plain = median_of(ours, CALLS), median_of(baseline, CALLS)
    print(f"2. reading {len(raws)} answers (ETSI's examples, {sum(map(len, raws))} bytes)")
    show("parse_json + validate_message + read_answer", mine)
    show("json.loads of the same bytes (baseline)", plain)
    print(f"  ratio: {mine[0] / plain[0]:.1f}")


def orders() -> None:
    key = Ed25519PrivateKey.generate()
    now = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    spec = OrderSpec(
        kind=OrderKind.DISCLOSURE,
        sender=Endpoint("VN", "hanoi-node-vnm"),
        receiver=Endpoint("VN", "hanoi-provider-sim"),
        provider_name="Example Mail Ltd (VNM)",
        request_kind="mla-stored-data",
        article=44,
        request_type="StoredContentData",
        identifiers=(("EmailAddress", "j.doe@example.vn"),),
        window_start=now - timedelta(days=90),
        window_end=now,
        deadline=now + timedelta(days=30),
        foreign_reference="EGY-2026-00042",
        domestic_reference="VNM-PO-2026-0007",
        legal_basis="Production order of the Supreme People's Procuracy",
        order_document=b"%PDF-1.7\n" + os.urandom(20_000),
        order_media_type="application/pdf",
        order_name="production-order.pdf",
    )
    made: list[dict[str, object]] = []

    def ours() -> None:
        signed = sign_message(build_order(spec, timestamp=now).message, key)
        validate_message(signed)
        made.append(signed)

    mine = median_of(ours, CALLS)
    plain = median_of(lambda: json.dumps(made[-1]), CALLS)
    print("3. making an order (a 20 KB order document)")
    show("build_order + sign_message + validate_message", mine)
    show("json.dumps of the message (baseline)", plain)
    print(f"  ratio: {mine[0] / plain[0]:.1f}")


def main() -> None:
    print(machine())
    print(f"medians of {RUNS} runs")
    delivery_check()
    answers()
    orders()


if __name__ == "__main__":
    main()
