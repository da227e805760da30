"""`hanoi backup` and `hanoi restore` of a node with N MiB of blobs, against `tar | age`.

Makes a node with `hanoi node init` and fills its blob store with files of random bytes
(4 MiB each, named by their SHA-256 as the store names them). The baselines, in the same
run, are `tar -cf - -C DIR . | age -r R -o OUT` and `age -d -i ID OUT | tar -xf - -C NEW`
on the same folder: what an operator would do by hand, without a consistent database
snapshot, a manifest or a digest check. `hanoi restore` fsyncs every file before it puts
the folder in place; `tar -x` does not, hence the reference with `sync` after it.

    HANOI_BENCH_SIZE_MIB=1024 HANOI_BENCH_RUNS=3 .venv/bin/python bench/bench_backup.py
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import MIB, env_int, machine, measure, report

BLOB_BYTES = 4 * MIB


def fill_blobs(folder: Path, total: int) -> None:
    for _ in range(max(1, total // BLOB_BYTES)):
        data = os.urandom(BLOB_BYTES)
        digest = hashlib.sha256(data).hexdigest()
        path = folder / "blobs" / "sha256" / digest[:2] / digest[2:4] / digest
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        path.chmod(0o444)


def main() -> None:
    size = env_int("HANOI_BENCH_SIZE_MIB", 512) * MIB
    runs = env_int("HANOI_BENCH_RUNS", 3)
    hanoi = str(Path(sys.executable).with_name("hanoi"))
    work = Path(tempfile.mkdtemp(prefix="hanoi-bench-backup-"))
    try:
        node = work / "egy"
        subprocess.run(
            [hanoi, "node", "init", "--dir", str(node), "--state", "EGY", "--name", "Bench"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        fill_blobs(node, size)
        identity = work / "identity.txt"
        subprocess.run(["age-keygen", "-o", str(identity)], check=True, capture_output=True)
        recipient = subprocess.run(
            ["age-keygen", "-y", str(identity)], check=True, capture_output=True, text=True
        ).stdout.strip()
        out, plain_out = work / "node.age", work / "plain.age"
        new, plain_new = work / "restored", work / "plain-restored"
        print(f"machine: {machine()}")
        figures = [
            measure(
                "hanoi backup",
                [hanoi, "backup", "--dir", str(node), "--out", str(out), "-r", recipient],
                runs=runs,
                before=["rm", "-f", str(out)],
            ),
            measure(
                "tar -cf - DIR | age -r R (baseline)",
                ["sh", "-c", f"tar -cf - -C '{node}' . | age -r {recipient} -o '{plain_out}'"],
                runs=runs,
                before=["rm", "-f", str(plain_out)],
            ),
            measure(
                "hanoi restore",
                [hanoi, "restore", str(out), "--dir", str(new), "-i", str(identity)],
                runs=runs,
                before=["rm", "-rf", str(new)],
            ),
            measure(
                "age -d | tar -xf - (baseline)",
                ["sh", "-c", f"age -d -i '{identity}' '{plain_out}' | tar -xf - -C '{plain_new}'"],
                runs=runs,
                before=["sh", "-c", f"rm -rf '{plain_new}' && mkdir '{plain_new}'"],
            ),
            measure("hanoi version (start-up, reference)", [hanoi, "version"], runs=runs),
            measure(
                "age -d | tar -xf - && sync (reference)",
                [
                    "sh",
                    "-c",
                    f"age -d -i '{identity}' '{plain_out}' | tar -xf - -C '{plain_new}' && sync",
                ],
                runs=runs,
                before=["sh", "-c", f"rm -rf '{plain_new}' && mkdir '{plain_new}'"],
            ),
        ]
        print(f"{size // MIB} MiB of blobs in {max(1, size // BLOB_BYTES)} files, {runs} runs")
        report(figures, size=size)
        backup, tar_age, restore, age_tar, start, _synced = (f.median for f in figures)
        print(f"ratio backup / (tar | age) = {backup / tar_age:.2f}")
        print(f"ratio restore / (age -d | tar -x) = {restore / age_tar:.2f}")
        print(f"without start-up: backup {(backup - start) / tar_age:.2f}, ", end="")
        print(f"restore {(restore - start) / age_tar:.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
