"""``hanoi user add --title`` and ``hanoi user set-title``: the title a court reads under the
name of the officer who certifies a report."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import run_hanoi

TITLE = "Procureure, unité de la cybercriminalité"


def test_a_title_is_given_at_creation_changed_and_removed(node_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "node"
    shutil.copytree(node_dir, copy)
    added = run_hanoi("user", "add", "amira", "--role", "officer", "--dir", str(copy),
                      "--title", "Investigating officer")  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout) == {
        "name": "amira", "role": "officer", "title": "Investigating officer"
    }  # fmt: skip
    changed = run_hanoi("user", "set-title", "amira", TITLE, "--dir", str(copy))
    assert changed.returncode == 0, changed.stderr
    assert json.loads(changed.stdout) == {"name": "amira", "title": TITLE}
    [listed] = json.loads(run_hanoi("user", "list", "--dir", str(copy)).stdout)
    assert listed["title"] == TITLE
    removed = run_hanoi("user", "set-title", "amira", "", "--dir", str(copy))
    assert json.loads(removed.stdout) == {"name": "amira", "title": None}


def test_a_bad_title_or_an_unknown_user_is_one_line_and_an_exit_code(
    node_dir: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "node"
    shutil.copytree(node_dir, copy)
    assert (
        run_hanoi("user", "add", "amira", "--role", "officer", "--dir", str(copy)).returncode == 0
    )
    too_long = run_hanoi("user", "set-title", "amira", "x" * 201, "--dir", str(copy))
    assert too_long.returncode == 2
    assert "a title is 1-200 printable characters" in too_long.stderr
    assert too_long.stderr.count("\n") == 1
    unknown = run_hanoi("user", "set-title", "nobody", "Judge", "--dir", str(copy))
    assert unknown.returncode == 3
    assert "no user named 'nobody'" in unknown.stderr
