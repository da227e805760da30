"""``hanoi providers fetch-config`` (in process) against a real ``hanoi provider-sim``: an
administrator fetches the simulator's CSP configuration and the entry prints with it; an
officer is refused, and nothing is kept."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from conftest import HANOI, free_port, run_hanoi
from hanoi.accounts.model import Role
from hanoi.providers.model import ProviderFields
from hanoi.sandbox.provider_sim import CONFIG_FORMATS
from support_nodes import init_folder, open_at


@contextmanager
def simulator() -> Iterator[str]:
    """``hanoi provider-sim`` on a free loopback port; its HI-1 endpoint."""
    port = free_port()
    process = subprocess.Popen(
        [HANOI, "provider-sim", "--port", str(port), "--state", "VNM"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}/hi1"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.post(endpoint, content=b"{}", timeout=2).status_code == 400:
                    break
            except httpx.TransportError:
                assert process.poll() is None, "hanoi provider-sim ended"
            assert time.monotonic() < deadline, "hanoi provider-sim did not start"
            time.sleep(0.1)
        yield endpoint
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_an_administrator_fetches_the_configuration(tmp_path: Path) -> None:
    folder = tmp_path / "vnm"
    with simulator() as endpoint:
        init_folder(folder, "VNM")
        node = open_at(folder, users={"lan": Role.OFFICER, "root": Role.ADMINISTRATOR})
        try:
            node.providers.create(
                node.accounts.named("root"),
                "vnm-sim",
                ProviderFields(
                    name="Simulated provider",
                    endpoint=endpoint,
                    country_code="VN",
                    unique_identifier="hanoi-provider-sim",
                ),
            )
        finally:
            node.close()
        where = ("--dir", str(folder))

        refused = run_hanoi("providers", "fetch-config", "vnm-sim", *where, "--user", "lan")
        assert refused.returncode != 0
        shown = run_hanoi("providers", "show", "vnm-sim", *where, "--user", "root")
        assert json.loads(shown.stdout)["csp_config"] is None

        fetched = run_hanoi("providers", "fetch-config", "vnm-sim", *where, "--user", "root")
        assert fetched.returncode == 0, fetched.stderr
        config = json.loads(fetched.stdout)["csp_config"]
        targeting = config["document"]["TargetingConfigurations"]
        names = [t["config:FormatName"] for t in targeting["config:TargetingConfiguration"]]
        assert names == list(CONFIG_FORMATS)

        history = run_hanoi("providers", "show", "vnm-sim", *where, "--user", "root", "--history")
        latest = json.loads(history.stdout)["changes"][0]
        assert (latest["kind"], latest["by"]) == ("csp-config", "root")
