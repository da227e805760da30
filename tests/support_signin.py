"""Sign-in against real ``hanoi serve`` processes, for the security tests: a copy of a
node folder with one user, a server with N workers on a free port, and the login form
posted by many clients at once, the way the attack run did it."""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx

from conftest import run_hanoi, serving

PASSWORD = "correct horse battery staple"
WRONG = "not the password at all"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def node_with_user(
    node_dir: Path, folder: Path, name: str, *, env: Mapping[str, str] | None = None
) -> Path:
    """A copy of ``node_dir`` at ``folder`` with an officer ``name`` (password PASSWORD);
    a ``HANOI_DATABASE_URL`` in ``env`` names a migrated database (``migrated_databases``)."""
    shutil.copytree(node_dir, folder)
    added = run_hanoi(
        "user", "add", name, "--role", "officer", "--dir", str(folder), "--password-stdin",
        input=PASSWORD + "\n", env=dict(env or {}),
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    return folder


def add_setting(folder: Path, line: str) -> None:
    """Append one TOML line to the node folder's ``hanoi.toml``."""
    config = folder / "hanoi.toml"
    config.write_text(config.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")


@contextmanager
def served(
    folder: Path, *, workers: int = 1, env: Mapping[str, str] | None = None
) -> Iterator[str]:
    """``hanoi serve --workers N`` (``conftest.serving``, its output in the folder's
    ``server.log``); yields its base URL, then stops it."""
    with serving(folder, workers=workers, env=env, log=folder / "server.log") as server:
        yield server.url


class LoginPage:
    """One browser's session on the login page: its cookie and its CSRF token."""

    def __init__(self, base: str) -> None:
        self.base = base
        with httpx.Client(base_url=base) as client:
            page = client.get("/ui/login")
            assert page.status_code == 200, page.text
            found = CSRF.search(page.text)
            assert found is not None
            self.csrf = found.group(1)
            self.cookies = dict(client.cookies)

    def attempt(self, name: str, password: str, **headers: str) -> int:
        """Post the form once; the status code (303 signed in, 422 refused, 429 throttled)."""
        with httpx.Client(base_url=self.base, cookies=self.cookies, timeout=60) as client:
            answer = client.post(
                "/ui/login",
                data={"csrf_token": self.csrf, "name": name, "password": password},
                headers=headers,
            )
        return answer.status_code

    def at_once(self, name: str, password: str, count: int) -> list[int]:
        """``count`` attempts released together from as many threads (and connections)."""
        start = threading.Barrier(count)
        cookies = self.cookies

        def one(_: int) -> int:
            with httpx.Client(base_url=self.base, cookies=cookies, timeout=120) as client:
                client.get("/healthz")  # connect before the barrier, so the posts race
                start.wait()
                return client.post(
                    "/ui/login",
                    data={"csrf_token": self.csrf, "name": name, "password": password},
                ).status_code

        with ThreadPoolExecutor(max_workers=count) as pool:
            return list(pool.map(one, range(count)))
