"""Evidence packages: ``hanoi evidence pack`` and ``verify`` against the standard tools.

On the same file, in the same run, each figure times a whole command:

- pack: ``hanoi evidence pack FILE --recipient R --key K --state EGY --out OUT``
  (read once: encrypt, hash plaintext and ciphertext, write the bag, sign)
  against the baseline ``age -r R -o OUT FILE; openssl dgst -sha256 FILE;
  openssl dgst -sha256 OUT``, three steps timed together as one shell command;
- verify: ``hanoi evidence verify PACKAGE --identity ID --key PUB`` (read the
  ciphertext once: decrypt, hash both, check manifests, statement, signature)
  against ``age -d -i ID -o PLAIN CIPHER; openssl dgst -sha256 CIPHER;
  openssl dgst -sha256 PLAIN``, and, as a stronger reference that writes no
  plaintext, ``age -d ... | openssl dgst -sha256`` with the ciphertext digest.

``sha256sum`` of the file is shown for reference. Peak memory is GNU time's
maximum RSS of the whole command. Targets: each ratio <= 1.0.

    HANOI_BENCH_SIZE_MIB=1024 HANOI_BENCH_RUNS=5 .venv/bin/python bench/bench_evidence.py
"""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from common import MIB, Figure, env_int, machine, make_file, measure, python, report

HANOI = str(Path(sys.executable).with_name("hanoi"))

SIGNING_KEY = """
import os, sys
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hanoi.crypto.ed25519keys import private_to_pem
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
os.write(fd, private_to_pem(Ed25519PrivateKey.generate()))
os.close(fd)
"""


def shell(*steps: list[str], pipe: bool = False) -> list[str]:
    joiner = " | " if pipe else " && "
    return ["sh", "-c", joiner.join(shlex.join(step) for step in steps)]


def ratio(name: str, ours: Figure, theirs: Figure) -> float:
    value = ours.median / theirs.median
    print(f"ratio {name:<62} = {value:.2f}")
    return value


def main() -> None:
    size = env_int("HANOI_BENCH_SIZE_MIB", 2048) * MIB
    runs = env_int("HANOI_BENCH_RUNS", 5)
    for needed in ("age", "age-keygen", "openssl", "sha256sum"):
        if shutil.which(needed) is None:
            raise SystemExit(f"{needed} is missing: scripts/system-deps installs it")
    work = Path(tempfile.mkdtemp(prefix="hanoi-bench-evidence-"))
    try:
        source = make_file(work / "evidence.bin", size)
        identity, key = work / "court.txt", work / "officer.pem"
        subprocess.run(["age-keygen", "-o", str(identity)], check=True, capture_output=True)
        recipient = subprocess.run(
            ["age-keygen", "-y", str(identity)], check=True, capture_output=True, text=True
        ).stdout.strip()
        subprocess.run(python(SIGNING_KEY, str(key)), check=True)
        package, by_age, plain = work / "package", work / "by-age.age", work / "plain.bin"
        pack = [HANOI, "evidence", "pack", str(source), "--recipient", recipient]
        pack += ["--key", str(key), "--state", "EGY", "--out", str(package)]
        packed = json.loads(subprocess.run(pack, check=True, capture_output=True).stdout)
        public = packed["signing_public_key"]
        cipher = package / packed["files"][0]["path"]
        verify = [HANOI, "evidence", "verify", str(package), "--identity", str(identity)]
        verify += ["--key", public]
        subprocess.run(verify, check=True, capture_output=True)
        subprocess.run(["age", "-r", recipient, "-o", str(by_age), str(source)], check=True)
        dgst = ["openssl", "dgst", "-sha256"]
        age_decrypt = ["age", "-d", "-i", str(identity)]
        keep_package = ["rm", "-rf", str(by_age), str(plain)]
        figures = [
            measure(
                "hanoi evidence pack",
                pack,
                runs=runs,
                before=["rm", "-rf", str(package), str(by_age)],
            ),
            measure(
                "age -r + openssl dgst (plaintext, ciphertext)",
                shell(
                    ["age", "-r", recipient, "-o", str(by_age), str(source)],
                    [*dgst, str(source)],
                    [*dgst, str(by_age)],
                ),
                runs=runs,
                before=["rm", "-rf", str(by_age)],
            ),
            measure("hanoi evidence verify --identity", verify, runs=runs, before=keep_package),
            measure(
                "age -d -o + openssl dgst (ciphertext, plaintext)",
                shell(
                    [*age_decrypt, "-o", str(plain), str(cipher)],
                    [*dgst, str(cipher)],
                    [*dgst, str(plain)],
                ),
                runs=runs,
                before=keep_package,
            ),
            measure(
                "age -d | openssl dgst; openssl dgst (reference)",
                shell(
                    [*age_decrypt, str(cipher)],
                    ["sh", "-c", f"{shlex.join(dgst)} && {shlex.join([*dgst, str(cipher)])}"],
                    pipe=True,
                ),
                runs=runs,
            ),
            measure("sha256sum FILE (reference)", ["sha256sum", str(source)], runs=runs),
            measure("openssl dgst -sha256 FILE (reference)", [*dgst, str(source)], runs=runs),
        ]
        print(f"machine: {machine()}")
        print(f"file: {size // MIB} MiB of random bytes, {runs} runs each, medians")
        report(figures, size=size)
        ours_pack, age_pack, ours_verify, age_verify, piped = figures[:5]
        ratio("hanoi evidence pack / (age -r + 2 x openssl dgst)", ours_pack, age_pack)
        ratio("hanoi evidence verify / (age -d -o + 2 x openssl dgst)", ours_verify, age_verify)
        ratio("hanoi evidence verify / (age -d | dgst; dgst) (reference)", ours_verify, piped)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
