"""age encryption and decryption (hanoi.evidence.age) against the age tool, on the same file.

Each figure times a whole command: Hanoi in a child Python process (imports
included), the Debian ``age`` tool (``age -r`` / ``age -d``), and ``openssl dgst
-sha256`` as the machine's SHA-256 reference. Outputs go to a file (what evidence
handling does) and to /dev/null (the cipher's own speed, without page-cache
writes). "packer pass" is what the evidence packer runs: encrypt while hashing
the plaintext and the ciphertext with SHA-256, in one pass.

    .venv/bin/python bench/bench_age.py --size-mib 1024 --runs 5
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
from pathlib import Path

from common import MIB, Figure, env_int, machine, make_file, measure, python, report

ENCRYPT = """
import hashlib, sys
from hanoi.crypto.agekeys import AgeRecipient
from hanoi.evidence.age import encrypt_file
source, target, recipient, hashing = sys.argv[1:5]
digests = {}
if hashing == "hash":
    digests = {"plaintext_hash": hashlib.sha256(), "ciphertext_hash": hashlib.sha256()}
with open(source, "rb", buffering=0) as src, open(target, "wb", buffering=0) as dst:
    encrypt_file(src, dst, recipients=[AgeRecipient.parse(recipient)], **digests)
"""

DECRYPT = """
import sys
from pathlib import Path
from hanoi.crypto.agekeys import read_identity_file
from hanoi.evidence.age import decrypt_file
source, target, key = sys.argv[1:4]
identity = read_identity_file(Path(key).read_text())
with open(source, "rb", buffering=0) as src, open(target, "wb", buffering=0) as dst:
    decrypt_file(src, dst, identities=[identity])
"""

KEYGEN = """
import sys
from pathlib import Path
from hanoi.crypto.agekeys import AgeIdentity, format_identity_file
identity = AgeIdentity.generate()
Path(sys.argv[1]).write_text(format_identity_file(identity, created="bench"))
print(identity.recipient())
"""


def ratio(name: str, ours: Figure, theirs: Figure) -> None:
    print(f"ratio {name:<52} = {ours.median / theirs.median:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=env_int("HANOI_BENCH_SIZE_MIB", 1024))
    parser.add_argument("--runs", type=int, default=env_int("HANOI_BENCH_RUNS", 5))
    args = parser.parse_args()
    size, runs = args.size_mib * MIB, args.runs
    if shutil.which("age") is None:
        raise SystemExit("the age tool is missing: apt-get install age")
    work = Path(tempfile.mkdtemp(prefix="hanoi-bench-age-"))
    try:
        source = make_file(work / "evidence.bin", size)
        key = work / "key.txt"
        recipient = subprocess.run(
            python(KEYGEN, str(key)), capture_output=True, text=True, check=True
        ).stdout.strip()
        by_age, by_us, out = work / "by-age.age", work / "by-hanoi.age", work / "out.bin"
        subprocess.run(["age", "-r", recipient, "-o", str(by_age), str(source)], check=True)
        clear = ["rm", "-f", str(by_us), str(out)]
        devnull = "/dev/null"
        figures = [
            measure(
                "hanoi encrypt -> file",
                python(ENCRYPT, str(source), str(by_us), recipient, "-"),
                runs=runs,
                before=clear,
            ),
            measure(
                "age -r -> file",
                ["age", "-r", recipient, "-o", str(by_us), str(source)],
                runs=runs,
                before=clear,
            ),
            measure(
                "hanoi decrypt -> file",
                python(DECRYPT, str(by_age), str(out), str(key)),
                runs=runs,
                before=clear,
            ),
            measure(
                "age -d -> file",
                ["age", "-d", "-i", str(key), "-o", str(out), str(by_age)],
                runs=runs,
                before=clear,
            ),
            measure(
                "hanoi encrypt -> /dev/null",
                python(ENCRYPT, str(source), devnull, recipient, "-"),
                runs=runs,
            ),
            measure("age -r -> /dev/null", ["age", "-r", recipient, str(source)], runs=runs),
            measure(
                "hanoi decrypt -> /dev/null",
                python(DECRYPT, str(by_age), devnull, str(key)),
                runs=runs,
            ),
            measure("age -d -> /dev/null", ["age", "-d", "-i", str(key), str(by_age)], runs=runs),
            measure(
                "hanoi packer pass (+ 2 SHA-256) -> file",
                python(ENCRYPT, str(source), str(by_us), recipient, "hash"),
                runs=runs,
                before=clear,
            ),
            measure("openssl dgst -sha256", ["openssl", "dgst", "-sha256", str(source)], runs=runs),
        ]
        print(f"machine: {machine()}")
        print(f"file: {size // MIB} MiB of random bytes, {runs} runs each, medians")
        report(figures, size=size)
        (enc, age_enc, dec, age_dec, enc_null, age_enc_null, dec_null, age_dec_null) = figures[:8]
        packer, openssl = figures[8], figures[9]
        ratio("hanoi / age, encrypt to a file", enc, age_enc)
        ratio("hanoi / age, decrypt to a file", dec, age_dec)
        ratio("hanoi / age, encrypt to /dev/null", enc_null, age_enc_null)
        ratio("hanoi / age, decrypt to /dev/null", dec_null, age_dec_null)
        ratio("hanoi decrypt to /dev/null / openssl dgst -sha256", dec_null, openssl)
        ratio("packer pass (2 SHA-256 + encrypt) / openssl dgst -sha256", packer, openssl)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
