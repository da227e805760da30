"""A requested State's node executing a request through a simulated provider, in one
process: EGY sends a request, VNM receives and accepts it, VNM's directory holds the
simulator (``hanoi.sandbox.provider_sim``) at a loopback ``http://`` endpoint, and VNM's
provider clients are routed to the simulator's app (no socket), through the product's own
client (``provider_client`` with a transport): the rules on origin, redirects and typed
errors apply as over the network."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
from starlette.testclient import TestClient

from conftest import HANOI, free_port
from hanoi.accounts.model import Role, User
from hanoi.clock import FixedClock
from hanoi.convention import default_catalogue
from hanoi.cooperation.service import DraftInput, StepInput
from hanoi.providers.model import Provider, ProviderFields
from hanoi.providers.transport import Timeouts, provider_client
from hanoi.sandbox.provider_sim import ProviderSimulator, SimSettings, create_app
from hanoi.wiring import Node
from support_cooperation import add_user, deliver
from support_nodes import T0, build_node
from unit.cooperation.builders import complete_contents

ENDPOINT = "http://127.0.0.1:8999/hi1"
SHORT = Timeouts(connect=1.0, read=1.0, write=1.0, pool=1.0)


class Routed(httpx.BaseTransport):
    """Hands each request to an ASGI app (the simulator), or to ``handler`` when set (a
    provider that answers garbage, or hangs)."""

    def __init__(self, app: TestClient) -> None:
        self.app = app
        self.handler: Callable[[httpx.Request], httpx.Response] | None = None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.handler is not None:
            return self.handler(request)
        inner = self.app.build_request(
            request.method, str(request.url), headers=request.headers.raw, content=request.read()
        )
        answer = self.app.send(inner, follow_redirects=False)
        headers = [(k, v) for k, v in answer.headers.multi_items() if k != "content-encoding"]
        return httpx.Response(
            answer.status_code, headers=headers, stream=httpx.ByteStream(answer.content)
        )

    def close(self) -> None:
        pass


@dataclass
class Execution:
    egy: Node
    vnm: Node
    clock: FixedClock
    simulator: ProviderSimulator
    transport: Routed
    officer: User
    """VNM's officer on the case, who orders."""
    outsider: User
    """A VNM officer not on the case."""
    request_id: str

    def later(self, seconds: float = 60) -> None:
        self.clock.advance(timedelta(seconds=seconds))


def connector(transport: httpx.BaseTransport) -> Callable[[Provider], httpx.Client]:
    def connect(provider: Provider) -> httpx.Client:
        return provider_client(provider, transport=transport, timeouts=SHORT)

    return connect


def executing(
    folder: Path,
    egy_url: str | None,
    vnm_url: str | None,
    *,
    kind: str = "mla-stored-data",
    sim: SimSettings | None = None,
) -> Iterator[Execution]:
    """EGY's request of ``kind`` received by VNM and in execution (or, for a preservation,
    ordered); the simulator as VNM's provider ``vnm-sim``."""
    clock = FixedClock(T0)
    simulator = ProviderSimulator(sim or SimSettings(delay=30), clock=clock)
    with TestClient(create_app(simulator), base_url="http://127.0.0.1:8999") as app:
        transport = Routed(app)
        egy = build_node(folder / "egy", "EGY", egy_url, clock)
        vnm = build_node(
            folder / "vnm", "VNM", vnm_url, clock, provider_connect=connector(transport)
        )
        try:
            amira = add_user(egy, "amira", Role.OFFICER)
            samir = add_user(egy, "samir", Role.SUPERVISOR)
            lan = add_user(vnm, "lan", Role.SUPERVISOR)
            minh = add_user(vnm, "minh", Role.POINT_OF_CONTACT)
            admin = add_user(vnm, "root", Role.ADMINISTRATOR)
            outsider = add_user(vnm, "thao", Role.OFFICER)
            catalogue = default_catalogue()
            request = egy.cooperation.draft(
                amira,
                DraftInput(
                    kind=kind,
                    requested_state="VNM",
                    contents=complete_contents(catalogue.kind(kind)),
                ),
            ).request
            egy.cooperation.assign(amira, request.id, "samir")
            egy.cooperation.take(samir, request.id, StepInput(transition="approve"))
            egy.cooperation.take(amira, request.id, StepInput(transition="send"))
            stored = egy.cooperation.show(amira, request.id).request
            deliver(stored, vnm)
            intake = lan if stored.channel.value == "central-authority" else minh
            vnm.cooperation.take(intake, request.id, StepInput(transition="acknowledge"))
            step = "order-preservation" if kind == "expedited-preservation" else "accept"
            vnm.cooperation.take(intake, request.id, StepInput(transition=step))
            settings = simulator.settings
            vnm.providers.create(
                admin,
                "vnm-sim",
                ProviderFields(
                    name=settings.name,
                    endpoint=ENDPOINT,
                    country_code=settings.country,
                    unique_identifier=settings.identifier,
                ),
            )
            yield Execution(
                egy=egy,
                vnm=vnm,
                clock=clock,
                simulator=simulator,
                transport=transport,
                officer=intake,
                outsider=outsider,
                request_id=request.id,
            )
        finally:
            egy.close()
            vnm.close()


@contextmanager
def simulator(*options: str) -> Iterator[str]:
    """``hanoi provider-sim`` on a free loopback port; its HI-1 endpoint."""
    port = free_port()
    process = subprocess.Popen(
        [HANOI, "provider-sim", "--port", str(port), "--state", "VNM", *options],
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
