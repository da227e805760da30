"""Kill or fail the sequencer between every pair of steps; nothing is lost, nothing forks.

In-process: an exception at each step (both databases). Out of process: a real
sequencer process killed with ``os._exit`` at each step (SQLite, tiles on disk).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import Engine

from hanoi.storage.custody_repo import CustodyRepository
from hanoi.storage.db import make_engine
from hanoi.storage.tile_stores import DiskTileStore, MemoryTileStore
from support_custody import NOW, audit, commitments, make_sequencer
from support_databases import Clones

STEPS = ["locked", "read-state", "assigned", "hashed", "wrote-entries", "wrote-tiles", "published"]


class Crash(Exception):
    pass


def crash_at(step: str):  # type: ignore[no-untyped-def]
    def fault(reached: str) -> None:
        if reached == step:
            raise Crash(step)

    return fault


def assert_log_holds_exactly(repo: CustodyRepository, tiles, appended) -> None:  # type: ignore[no-untyped-def]
    report = audit(repo, tiles)
    assert report.checkpoint.size == len(appended)
    assert [e.commitment for e in repo.entries_from(0)] == [e.commitment for e in appended]
    assert repo.pending_count() == 0


@pytest.mark.parametrize("step", STEPS)
def test_exception_at_each_step_then_recovery(engine: Engine, step: str) -> None:
    repo, tiles = CustodyRepository(engine), MemoryTileStore()
    first, second = commitments(0, 300), commitments(300, 200)
    repo.enqueue(first, now=NOW)
    make_sequencer(repo, tiles).run_until_idle()
    before = repo.state()
    assert before is not None
    repo.enqueue(second, now=NOW)
    with pytest.raises(Crash):
        make_sequencer(repo, tiles, fault=crash_at(step)).run_once()
    # More appends arrive while the sequencer is down; they must not change history.
    third = commitments(500, 50)
    repo.enqueue(third, now=NOW)
    make_sequencer(repo, tiles).run_until_idle()
    assert_log_holds_exactly(repo, tiles, first + second + third)
    audit(repo, tiles, previous=before.checkpoint.encode())  # consistent: no fork


def test_tile_store_failure_mid_publish_recovers(engine: Engine) -> None:
    repo, tiles = CustodyRepository(engine), MemoryTileStore()
    appended = commitments(0, 600)
    repo.enqueue(appended, now=NOW)
    tiles.fail_writes = True
    with pytest.raises(OSError, match="injected"):
        make_sequencer(repo, tiles).run_once()
    assert repo.state() is None  # nothing was published
    tiles.fail_writes = False
    make_sequencer(repo, tiles).run_until_idle()
    assert_log_holds_exactly(repo, tiles, appended)


KILLER = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    sys.path.insert(0, sys.argv[4])
    from hanoi.storage.custody_repo import CustodyRepository
    from hanoi.storage.db import make_engine
    from hanoi.storage.tile_stores import DiskTileStore
    from support_custody import make_sequencer

    step = sys.argv[3]
    def fault(reached):
        if reached == step:
            os._exit(137)  # like SIGKILL: no cleanup, no flush beyond what was fsynced
    repo = CustodyRepository(make_engine(sys.argv[1]))
    make_sequencer(repo, DiskTileStore(Path(sys.argv[2])), fault=fault).run_once()
    os._exit(0)
    """
)


@pytest.mark.slow
@pytest.mark.parametrize("step", STEPS)
def test_killed_process_at_each_step_then_recovery(
    tmp_path: Path, step: str, migrated_databases: Clones
) -> None:
    url = migrated_databases.sqlite(tmp_path / "node.db")
    engine = make_engine(url)
    repo, tiles = CustodyRepository(engine), DiskTileStore(tmp_path / "log")
    first, second = commitments(0, 260), commitments(260, 300)
    repo.enqueue(first, now=NOW)
    make_sequencer(repo, tiles).run_until_idle()
    before = repo.state()
    assert before is not None
    repo.enqueue(second, now=NOW)
    tests_dir = str(Path(__file__).resolve().parent.parent)
    killed = subprocess.run(
        [sys.executable, "-c", KILLER, url, str(tmp_path / "log"), step, tests_dir],
        capture_output=True,
        text=True,
        check=False,
    )
    assert killed.returncode == 137, killed.stderr
    make_sequencer(repo, tiles).run_until_idle()
    assert_log_holds_exactly(repo, tiles, first + second)
    audit(repo, tiles, previous=before.checkpoint.encode())
    engine.dispose()
