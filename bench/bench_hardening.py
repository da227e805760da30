"""What the security hardening of issue 13 costs, each against a baseline in the same run.

1. **Isolated verification.** A received package is verified in a child process with time
   and memory limits (``hanoi.evidence.isolated``). Whole processes on the same package:
   ``verify_isolated`` against ``hanoi evidence verify`` (the same checks in one process).
2. **Uploads with a lease.** One tus upload of N MiB through a real ``hanoi serve``, sent
   by curl in one PATCH: the lease, the durable offset (fsync and compare-and-swap every
   8 MiB), and the completion (SHA-256 checked against the announced one, the blob
   written and fsynced). Baseline: ``cp`` of the file and ``sync``, then
   ``openssl dgst -sha256`` of it: the disk work any upload must do at least once.
3. **Strict JSON.** Every JSON body is parsed by ``hanoi.jsonvalues.parse_json`` before
   a route sees it. In process, on a 256 KiB draft: ``parse_json`` against ``json.loads``.

    HANOI_BENCH_SIZE_MIB=1024 HANOI_BENCH_RUNS=5 .venv/bin/python bench/bench_hardening.py
"""

from __future__ import annotations

import json
import shlex
import socket
import subprocess
import sys
import tempfile
import time
import timeit
from pathlib import Path

import httpx
from common import MIB, env_int, machine, make_file, measure, python, report

HANOI = str(Path(sys.executable).with_name("hanoi"))

ISOLATED = """
import sys
from pathlib import Path
from hanoi.crypto.agekeys import read_identity_file
from hanoi.evidence.isolated import VerifyBudget, verify_isolated
from hanoi.evidence.trust import parse_trust
trust = parse_trust(Path(sys.argv[2]).read_bytes())
identity = read_identity_file(Path(sys.argv[3]).read_text())
verify_isolated(Path(sys.argv[1]), trust=trust, identities=[identity],
                run=VerifyBudget().for_size(Path(sys.argv[1]).stat().st_size))
"""


def hanoi(*args: str) -> str:
    done = subprocess.run([HANOI, *args], check=True, capture_output=True, text=True)
    return done.stdout


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def node_with_evidence(work: Path, source: Path) -> tuple[Path, str]:
    """A node folder with one request and one evidence item of ``source``; its request id."""
    node = work / "egy"
    hanoi("node", "init", "--dir", str(node), "--state", "EGY", "--name", "Bench")
    hanoi("user", "add", "officer1", "--role", "officer", "--dir", str(node))
    drafted = hanoi("requests", "draft", "--dir", str(node), "--user", "officer1",
                    "--kind", "mla-stored-data", "--to", "VNM", "--json")  # fmt: skip
    request_id: str = json.loads(drafted)["id"]
    hanoi("evidence", "add", str(source), "--dir", str(node), "--request", request_id,
          "--source-kind", "device", "--source", "bench", "--method", "bench",
          "--user", "officer1")  # fmt: skip
    return node, request_id


def isolation(work: Path, source: Path, runs: int) -> None:
    node, request_id = node_with_evidence(work, source)
    identity = work / "court.txt"
    subprocess.run(["age-keygen", "-o", str(identity)], check=True, capture_output=True)
    recipient = subprocess.run(
        ["age-keygen", "-y", str(identity)], check=True, capture_output=True, text=True
    ).stdout.strip()
    package = work / "package.tar"
    hanoi("evidence", "export", "--dir", str(node), "--request", request_id, "--user",
          "officer1", "--recipient", recipient, "--out", str(package))  # fmt: skip
    trust = work / "trust.json"
    trust.write_text(hanoi("node", "show", "--dir", str(node)))
    in_process = measure(
        "hanoi evidence verify (one process)",
        [
            HANOI,
            "evidence",
            "verify",
            str(package),
            "--trust",
            str(trust),
            "--identity",
            str(identity),
        ],
        runs=runs,
    )
    isolated = measure(
        "verify_isolated (child process, limits)",
        python(ISOLATED, str(package), str(trust), str(identity)),
        runs=runs,
    )
    report([in_process, isolated], size=source.stat().st_size)
    print(f"ratio isolated / one process = {isolated.median / in_process.median:.2f}\n")


def uploads(work: Path, source: Path, runs: int) -> None:
    node = work / "up"
    hanoi("node", "init", "--dir", str(node), "--state", "EGY", "--name", "Bench")
    token = json.loads(hanoi("user", "add", "up1", "--role", "officer", "--dir", str(node),
                             "--token"))["token"]  # fmt: skip
    port = free_port()
    server = subprocess.Popen(
        [HANOI, "serve", "--dir", str(node), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise SystemExit("hanoi serve did not start") from None
                time.sleep(0.2)
        digest = subprocess.run(
            ["sha256sum", str(source)], check=True, capture_output=True, text=True
        ).stdout.split()[0]
        import base64

        meta = "sha256 " + base64.b64encode(digest.encode()).decode()
        url = f"http://127.0.0.1:{port}/api/v1/uploads"
        auth = f"Authorization: Bearer {token}"
        script = (
            f"loc=$(curl -sf -o /dev/null -D - -X POST {shlex.quote(url)} "
            f"-H 'Tus-Resumable: 1.0.0' -H {shlex.quote(auth)} "
            f"-H 'Upload-Length: {source.stat().st_size}' "
            f"-H {shlex.quote('Upload-Metadata: ' + meta)}"
            " | tr -d '\\r' | sed -n 's/^[Ll]ocation: //p') && "
            f"curl -sf -X PATCH http://127.0.0.1:{port}$loc -H 'Tus-Resumable: 1.0.0' "
            f"-H {shlex.quote(auth)} -H 'Upload-Offset: 0' "
            "-H 'Content-Type: application/offset+octet-stream' "
            f"-T {shlex.quote(str(source))}"
        )
        upload = measure("tus upload: one PATCH, lease, fsync every 8 MiB", ["sh", "-c", script],
                         runs=runs)  # fmt: skip
        copy = work / "copy.bin"
        baseline = measure(
            "baseline: cp + sync, then openssl dgst -sha256",
            ["sh", "-c", f"cp {source} {copy} && sync {copy} && openssl dgst -sha256 {copy}"],
            runs=runs,
            before=["rm", "-f", str(copy)],
        )
        report([upload, baseline], size=source.stat().st_size)
        print(f"ratio upload / baseline = {upload.median / baseline.median:.2f}\n")
    finally:
        server.terminate()
        server.wait(timeout=20)


def strict_json(runs: int) -> None:
    from hanoi.jsonvalues import parse_json

    contents = {
        f"item-{i}": {"text": "facts of the case " * 40, "list": [i, i + 0.5, None, True]}
        for i in range(300)
    }
    body = json.dumps({"kind": "mla-stored-data", "requested_state": "VNM", "contents": contents})
    data = body.encode()
    loops = 50
    plain = min(timeit.repeat(lambda: json.loads(data), number=loops, repeat=runs)) / loops
    strict = min(timeit.repeat(lambda: parse_json(data), number=loops, repeat=runs)) / loops
    print(f"strict JSON on a {len(data) / 1024:.0f} KiB draft (best of {runs} x {loops}):")
    print(f"  json.loads   {plain * 1000:8.3f} ms")
    print(f"  parse_json   {strict * 1000:8.3f} ms")
    print(f"ratio parse_json / json.loads = {strict / plain:.2f}\n")


def main() -> None:
    size = env_int("HANOI_BENCH_SIZE_MIB", 1024) * MIB
    runs = env_int("HANOI_BENCH_RUNS", 5)
    print(machine(), "\n")
    work = Path(tempfile.mkdtemp(prefix="hanoi-bench-hardening-"))
    try:
        source = make_file(work / "evidence.bin", size)
        strict_json(runs)
        isolation(work, source, runs)
        uploads(work, source, runs)
    finally:
        subprocess.run(["rm", "-rf", str(work)], check=False)


if __name__ == "__main__":
    main()
