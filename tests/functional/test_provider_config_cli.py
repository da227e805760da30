"""``hanoi providers fetch-config`` (in process) against a real ``hanoi provider-sim``: an
administrator fetches the simulator's CSP configuration and the entry prints with it; an
officer is refused, and nothing is kept."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_hanoi
from hanoi.accounts.model import Role
from hanoi.providers.model import ProviderFields
from hanoi.sandbox.provider_sim import CONFIG_FORMATS
from support_nodes import init_folder, open_at
from support_provider_orders import simulator


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
