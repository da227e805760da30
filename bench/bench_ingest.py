"""Evidence ingest into the disk blob store, against openssl and cp on the same file.

Ingest must hash (SHA-256) and write in one pass, so its time should approach the
larger of the two baselines, each timed alone: ``openssl dgst -sha256 FILE`` (this
machine's SHA-256 limit) and ``cp FILE`` into the blob folder's filesystem.
Ingest also fsyncs before it commits, which ``cp`` does not; ``cp + sync`` is
shown for reference, with ``sha256sum``.

    HANOI_BENCH_SIZE_MIB=2048 HANOI_BENCH_RUNS=5 .venv/bin/python bench/bench_ingest.py
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from common import MIB, env_int, machine, make_file, measure, python, report

INGEST = """
import sys
from pathlib import Path
from hanoi.storage.blob_disk import DiskBlobStore
store = DiskBlobStore(Path(sys.argv[2]))
with open(sys.argv[1], "rb", buffering=0) as stream:
    store.put(stream)
"""


def main() -> None:
    size = env_int("HANOI_BENCH_SIZE_MIB", 2048) * MIB
    runs = env_int("HANOI_BENCH_RUNS", 5)
    work = Path(tempfile.mkdtemp(prefix="hanoi-bench-ingest-"))
    try:
        source = make_file(work / "evidence.bin", size)
        small = make_file(work / "small.bin", 10 * MIB)
        blobs = work / "blobs"
        copy = work / "copy.bin"
        clear = ["rm", "-rf", str(blobs), str(copy)]
        figures = [
            measure(
                "ingest (hash + write + fsync, one pass)",
                python(INGEST, str(source), str(blobs)),
                runs=runs,
                before=clear,
            ),
            measure("openssl dgst -sha256", ["openssl", "dgst", "-sha256", str(source)], runs=runs),
            measure("cp", ["cp", str(source), str(copy)], runs=runs, before=clear),
            measure(
                "cp + sync (reference)",
                ["sh", "-c", f'cp "{source}" "{copy}" && sync "{copy}"'],
                runs=runs,
                before=clear,
            ),
            measure("sha256sum (reference)", ["sha256sum", str(source)], runs=runs),
            measure(
                "ingest of a 10 MiB file (memory reference)",
                python(INGEST, str(small), str(blobs)),
                runs=runs,
                before=clear,
            ),
        ]
        print(f"machine: {machine()}")
        print(f"file: {size // MIB} MiB of random bytes, {runs} runs each, medians")
        report(figures, size=size)
        ingest, openssl, cp = figures[0], figures[1], figures[2]
        baseline = max(openssl.median, cp.median)
        print(f"ratio ingest / max(openssl, cp) = {ingest.median / baseline:.2f}  (target <= 1.1)")
        print(
            "peak RSS growth 10 MiB -> full file = "
            f"{ingest.peak_rss_mib - figures[5].peak_rss_mib:.1f} MiB  (target <= 50 MB)"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
