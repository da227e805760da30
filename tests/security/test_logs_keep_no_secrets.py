"""Issue 21: structured logs that never hold a secret. A real ``hanoi serve`` with
``log_format = "json"`` is signed in to with a password and called with an API token (and
with a wrong one); its log is JSON lines with request ids, and neither secret, nor the
session cookie, nor the path of a request, is in it."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from conftest import run_hanoi
from support_signin import PASSWORD, LoginPage, node_with_user, served

pytestmark = pytest.mark.slow


def test_a_sign_in_and_a_token_call_leave_no_secret_in_the_json_log(
    node_dir: Path, tmp_path: Path
) -> None:
    folder = node_with_user(node_dir, tmp_path / "node", "amira.hassan")
    added = run_hanoi(
        "user", "add", "samir.fahmy", "--role", "officer", "--dir", str(folder), "--token"
    )
    assert added.returncode == 0, added.stderr
    token = added.stdout.split('"token": "')[1].split('"')[0]
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with served(folder, env={"HANOI_LOG_FORMAT": "json", "HANOI_LOG_LEVEL": "info"}) as base:
        page = LoginPage(base)
        with httpx.Client(base_url=base, cookies=page.cookies) as browser:
            signed_in = browser.post(
                "/ui/login",
                data={"csrf_token": page.csrf, "name": "amira.hassan", "password": PASSWORD},
                headers={"X-Request-ID": "signin-0001"},
            )
            assert signed_in.status_code == 303, signed_in.text
            assert signed_in.headers["x-request-id"] == "signin-0001"
            session = [cookie.value for cookie in browser.cookies.jar if cookie.value]
        me = httpx.get(
            f"{base}/api/v1/me",
            headers={"Authorization": f"Bearer {token}", "X-Request-ID": "api-0002"},
        )
        assert me.status_code == 200
        assert (
            httpx.get(
                f"{base}/api/v1/me", headers={"Authorization": f"Bearer {forged}"}
            ).status_code
            == 401
        )
        made = httpx.get(f"{base}/api/v1/requests/EGY-2026-99999?password={PASSWORD}")
        request_id = made.headers["x-request-id"]
    log = (folder / "server.log").read_text(encoding="utf-8")
    entries = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    assert entries, log[-2000:]
    for entry in entries:
        assert {"time", "level", "logger", "message", "request_id"} <= set(entry)
    access = {e["request_id"]: e for e in entries if e["logger"] == "hanoi.access"}
    assert access["signin-0001"]["message"].startswith("POST /ui/login 303")
    assert access["api-0002"]["message"].startswith("GET /api/v1/me 200")
    assert access[request_id]["route"] == "/api/v1/requests/{request_id}"
    secret_part = token.split("_", 2)[2]  # hanoi_<id>_<secret>; the secret may hold "_"
    secrets = [PASSWORD, token, forged, secret_part, *session]
    for secret in secrets:
        assert secret not in log
    assert "EGY-2026-99999" not in log  # paths are logged as their route template
