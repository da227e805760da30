"""The package as one ``.tar``, and hostile bags: unsafe paths, links, truncation."""

from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

import pytest

from hanoi.clock import FixedClock
from hanoi.crypto.agekeys import AgeIdentity
from hanoi.errors import Conflict, HanoiError
from hanoi.evidence.age import decrypt_file
from hanoi.evidence.package import PayloadSource, build_package
from hanoi.evidence.package_errors import MalformedPackage, PackageTampered, UnsafePath
from hanoi.evidence.trust import TrustStore
from hanoi.evidence.verify import verify_package
from unit.evidence.package_support import (
    NOW,
    KeyedNode,
    MemoryCustody,
    extract_tar,
    make_node,
    pack,
    read_statement,
    sha256_file,
    tar_with,
    write_evidence,
)


@pytest.fixture(scope="module")
def sender() -> KeyedNode:
    return make_node("EGY")


@pytest.fixture(scope="module")
def court() -> AgeIdentity:
    return AgeIdentity.generate()


@pytest.fixture(scope="module")
def archive(
    tmp_path_factory: pytest.TempPathFactory, sender: KeyedNode, court: AgeIdentity
) -> Path:
    root = tmp_path_factory.mktemp("tar")
    files = write_evidence(root / "in", {"big.bin": 3 * 1024 * 1024 + 17, "small.txt": 10})
    log = MemoryCustody(sender)
    for f in files:
        log.collected(sha256_file(f))
    return pack(root / "case-42.tar", files, sender=sender, recipients=[court], custody=log).path


def check(path: Path, sender: KeyedNode, court: AgeIdentity) -> None:
    verify_package(path, trust=TrustStore((sender.identity,)), identities=[court])


def test_a_tar_package_holds_one_folder_and_verifies(
    archive: Path, sender: KeyedNode, court: AgeIdentity, tmp_path: Path
) -> None:
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        assert {n.split("/")[0] for n in names} == {"case-42"}
        assert all(m.isreg() or m.isdir() for m in tar.getmembers())
    assert archive.stat().st_size % tarfile.RECORDSIZE == 0
    check(archive, sender, court)
    folder = extract_tar(archive, tmp_path)
    check(folder, sender, court)
    statement = read_statement(folder)
    big = next(e for e in statement.payload if e.name == "big.bin")
    out = io.BytesIO()
    with (folder / big.path).open("rb") as src:
        decrypt_file(src, out, identities=[court])
    assert len(out.getvalue()) == big.size


def test_a_flipped_byte_inside_the_tar_is_named(
    archive: Path, sender: KeyedNode, court: AgeIdentity, tmp_path: Path
) -> None:
    copy = tmp_path / "copy.tar"
    data = bytearray(archive.read_bytes())
    data[2 * 1024 * 1024] ^= 1  # inside data/big.bin.age
    copy.write_bytes(bytes(data))
    with pytest.raises(PackageTampered, match=r"data/big.bin.age: SHA-256 does not match"):
        check(copy, sender, court)


@pytest.mark.parametrize("where", ["in the payload", "in the last member"])
def test_a_truncated_tar_is_refused(
    archive: Path, sender: KeyedNode, court: AgeIdentity, tmp_path: Path, where: str
) -> None:
    with tarfile.open(archive) as tar:
        last = tar.getmembers()[-1]
    data = archive.read_bytes()
    cut = len(data) // 2 if where == "in the payload" else last.offset_data + 1
    copy = tmp_path / "cut.tar"
    copy.write_bytes(data[:cut])
    with pytest.raises(MalformedPackage, match="truncated"):
        check(copy, sender, court)


def test_a_tar_cut_at_the_end_of_its_last_member_is_refused(
    archive: Path, sender: KeyedNode, court: AgeIdentity, tmp_path: Path
) -> None:
    with tarfile.open(archive) as tar:
        last = tar.getmembers()[-1]
    end = last.offset_data + -(-last.size // 512) * 512
    copy = tmp_path / "cut.tar"
    copy.write_bytes(archive.read_bytes()[:end])
    with pytest.raises(MalformedPackage, match="no end-of-archive marker"):
        check(copy, sender, court)


def member(name: str, data: bytes = b"x", **fields: object) -> tuple[tarfile.TarInfo, bytes | None]:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    for key, value in fields.items():
        setattr(info, key, value)
    return info, data if info.isreg() else None


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ([member("bag/../../evil")], "'..' component"),
        ([member("/etc/evil")], "absolute path"),
        ([member("bag/link", b"", type=tarfile.SYMTYPE, linkname="/etc/passwd")], "symbolic link"),
        ([member("bag/hard", b"", type=tarfile.LNKTYPE, linkname="bag/bagit.txt")], "hard link"),
        ([member("bag/fifo", b"", type=tarfile.FIFOTYPE)], "not a regular file"),
        ([member("bag/dev", b"", type=tarfile.CHRTYPE)], "not a regular file"),
        ([member("bag/a"), member("bag/a", b"again")], "appears twice"),
    ],
)
def test_unsafe_tar_members_are_refused(
    tmp_path: Path, members: list[tuple[tarfile.TarInfo, bytes | None]], message: str
) -> None:
    hostile = tar_with(tmp_path / "hostile.tar", [member("bag/bagit.txt"), *members])
    with pytest.raises(UnsafePath, match=message):
        verify_package(hostile, trust=TrustStore((make_node("EGY").identity,)))


def test_a_tar_with_two_top_level_folders_is_refused(tmp_path: Path) -> None:
    two = tar_with(tmp_path / "two.tar", [member("a/bagit.txt"), member("b/bagit.txt")])
    with pytest.raises(MalformedPackage, match="one top-level folder"):
        verify_package(two, trust=TrustStore((make_node("EGY").identity,)))


def test_a_file_that_is_not_a_tar_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "junk.tar"
    junk.write_bytes(os.urandom(5000))
    with pytest.raises(MalformedPackage, match="not a tar file"):
        verify_package(junk, trust=TrustStore((make_node("EGY").identity,)))


def test_a_symbolic_link_in_a_folder_package_is_refused(
    archive: Path, sender: KeyedNode, court: AgeIdentity, tmp_path: Path
) -> None:
    folder = extract_tar(archive, tmp_path)
    (folder / "data" / "link.age").symlink_to("/etc/passwd")
    with pytest.raises(UnsafePath, match=r"data/link.age: a symbolic link"):
        check(folder, sender, court)


def test_packing_never_overwrites_and_leaves_nothing_behind(
    tmp_path: Path, sender: KeyedNode, court: AgeIdentity
) -> None:
    files = write_evidence(tmp_path / "in", {"a.bin": 1000})
    taken = tmp_path / "out.tar"
    taken.write_bytes(b"precious")
    with pytest.raises(Conflict, match="exists"):
        pack(taken, files, sender=sender, recipients=[court])
    assert taken.read_bytes() == b"precious"

    def unreadable() -> io.BufferedReader:
        raise MalformedPackage("cannot open")

    for target in (tmp_path / "failed.tar", tmp_path / "failed"):
        with pytest.raises(HanoiError):
            build_package(
                target,
                files=[PayloadSource(name="a.bin", open=unreadable)],  # type: ignore[arg-type]
                recipients=[court.recipient()],
                signing_key=sender.keys.signing,
                sending_state="EGY",
                request=None,
                clock=FixedClock(NOW),
            )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "out.tar"]


def test_packing_checks_its_inputs(tmp_path: Path, sender: KeyedNode, court: AgeIdentity) -> None:
    files = write_evidence(tmp_path / "in", {"a.bin": 10})
    with pytest.raises(HanoiError, match="alpha-3"):
        build_package(
            tmp_path / "p",
            files=[PayloadSource(name="a.bin", open=files[0].open)],  # type: ignore[arg-type]
            recipients=[court.recipient()],
            signing_key=sender.keys.signing,
            sending_state="Egypt",
            request=None,
            clock=FixedClock(NOW),
        )
    with pytest.raises(HanoiError, match="at least one age recipient"):
        pack(tmp_path / "q", files, sender=sender, recipients=[])
    assert not (tmp_path / "p").exists()


def test_a_folder_that_is_not_a_bag_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(MalformedPackage, match="not a BagIt bag"):
        verify_package(tmp_path, trust=TrustStore((make_node("EGY").identity,)))
