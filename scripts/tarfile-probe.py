"""Does this Python's ``tarfile`` survive hostile tar headers? Exit 0 if it does, 1 if not.

    python3.11 scripts/tarfile-probe.py        # one line per case, then the verdict

``scripts/bootstrap`` runs it with each candidate interpreter and builds ``.venv`` with
the first that passes: by behaviour, not by version number, because the fixes arrive by
different roads (CPython 3.11.10 and later; Debian's 3.11.2 with its security patches,
whose version number never changes). Hanoi bounds tar headers itself before ``tarfile``
reads them (``hanoi.evidence.tarscan``); this probe keeps the interpreter under it sound
too. See docs/adr/0016-hostile-packages.md.

Each case builds a small hostile tar in memory and reads it with ``tarfile`` in a child
process of this same interpreter, killed after ``--limit`` seconds. A case passes when
``tarfile`` refuses the tar, or reads it as GNU tar does, within the limit:

- ``cve-2024-6232``: a pax header of 256 KiB of digits, which a regular expression that
  backtracks takes minutes to search (quadratic);
- ``cve-2025-8194``: a member whose size is -512 (base-256), which sends an unfixed
  reader back to the same header forever;
- ``cve-2025-13462``: a GNU long name followed by an old-style header whose own name ends
  in ``/``: an unfixed reader makes it a folder and reads its data as the next header
  (a member that GNU tar never sees).

The standard library only, so that any Python can run it before ``.venv`` exists.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import subprocess
import sys
import tarfile
from collections.abc import Callable

BLOCK = 512
LIMIT = 10.0  # seconds per case: each takes milliseconds where fixed, minutes where not


def _header(name: bytes, kind: bytes, size_field: bytes) -> bytes:
    block = bytearray(BLOCK)
    block[0 : len(name)] = name
    block[100:108] = b"0000644\0"
    block[108:116] = b"0000000\0"
    block[116:124] = b"0000000\0"
    block[124:136] = size_field
    block[136:148] = b"14000000000\0"
    block[148:156] = b" " * 8
    block[156:157] = kind
    block[257:265] = b"ustar\x0000"
    block[148:156] = b"%06o\0 " % sum(block)
    return bytes(block)


def _octal(size: int) -> bytes:
    return b"%011o\0" % size


def _padded(data: bytes) -> bytes:
    return data + bytes(-len(data) % BLOCK)


END = bytes(2 * BLOCK)


def _read(data: bytes, most: int = 1000) -> list[tarfile.TarInfo]:
    """The members ``tarfile`` reads, at most ``most`` (a reader that loops stops here)."""
    members = []
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as archive:
        while len(members) < most:
            member = archive.next()
            if member is None:
                break
            members.append(member)
    return members


def case_cve_2024_6232() -> str | None:
    digits = b"1" * (256 * 1024)
    data = _header(b"././@PaxHeader", b"x", _octal(len(digits))) + _padded(digits)
    data += _header(b"a.txt", b"0", _octal(0)) + END
    with contextlib.suppress(tarfile.TarError):  # refused: as good as read
        _read(data)
    return None  # either way, within the limit (the parent times us)


def case_cve_2025_8194() -> str | None:
    negative = (256**12 - 512).to_bytes(12, "big")  # -512 in base-256
    data = _header(b"a.txt", b"0", _octal(0)) + _header(b"loop", b"0", negative) + END
    try:
        members = _read(data)
    except tarfile.TarError:
        return None
    if len(members) >= 1000:
        return "tarfile read the same header again and again (a negative size)"
    return None


def case_cve_2025_13462() -> str | None:
    smuggled = _header(b"smuggled.txt", b"0", _octal(0))
    long_name = b"long/file.txt\0"
    data = _header(b"././@LongLink", b"L", _octal(len(long_name))) + _padded(long_name)
    data += _header(b"x/", b"\0", _octal(len(smuggled))) + smuggled + END
    try:
        members = _read(data)
    except tarfile.TarError:
        return None
    read = [(m.name, m.isreg(), m.size) for m in members]
    if read != [("long/file.txt", True, BLOCK)]:
        return f"tarfile read {read!r} where GNU tar reads one file, long/file.txt"
    return None


CASES: dict[str, Callable[[], str | None]] = {
    "cve-2024-6232": case_cve_2024_6232,
    "cve-2025-8194": case_cve_2025_8194,
    "cve-2025-13462": case_cve_2025_13462,
}


def run_case(command: list[str], *, limit: float) -> str | None:
    """None if ``command`` exits 0 within ``limit`` seconds; otherwise why not. A command
    still running at the limit is killed."""
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=limit)  # noqa: S603
    except subprocess.TimeoutExpired:
        return f"did not finish within {limit:g} s"
    if done.returncode == 0:
        return None
    said = (done.stdout + done.stderr).strip().splitlines()
    return said[-1] if said else f"exit code {done.returncode}"


def probe(python: str, *, limit: float) -> dict[str, str | None]:
    """Each case in a child of ``python`` (isolated mode: its own standard library only)."""
    return {name: run_case([python, "-I", __file__, "--case", name], limit=limit) for name in CASES}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=sorted(CASES), help=argparse.SUPPRESS)
    parser.add_argument("--limit", type=float, default=LIMIT, help="seconds per case")
    args = parser.parse_args(argv)
    if args.case:  # in the child
        failure = CASES[args.case]()
        print(failure or "ok")
        return 1 if failure else 0
    results = probe(sys.executable, limit=args.limit)
    for name, failure in results.items():
        print(f"{name:<15} {'ok' if failure is None else 'UNSAFE: ' + failure}")
    unsafe = [name for name, failure in results.items() if failure is not None]
    where = f"{sys.executable} (Python {sys.version.split()[0]})"
    if unsafe:
        print(f"{where}: tarfile is unsafe ({', '.join(unsafe)})")
        return 1
    print(f"{where}: tarfile survives hostile headers")
    return 0


if __name__ == "__main__":
    sys.exit(main())
