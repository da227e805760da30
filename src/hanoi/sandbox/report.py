"""What the demo tells its user: each State's UI and users, printed, and ``demo.json``
(the nodes, their users' credentials, the files and cases produced, the steps)."""

from __future__ import annotations

from hanoi.sandbox.demo import Demo
from hanoi.sandbox.nodes import describe, write_json
from hanoi.sandbox.off_network import OFFLINE

GUIDE = "supervisor"
"""Whom a trainee signs in as to see the demo's case: EGY's supervisor approves and sends
the Art. 44 request (EGY's officer drafts and submits it), takes over the preservation
and receives the evidence package, so all of it is in their cases."""


def print_users(demo: Demo) -> None:
    """Each State's UI and users, the one who sees the demo's case first."""
    guide = demo.egy.users[f"egy-{GUIDE}"]
    case = demo.ids.get("mla")
    if case is not None:
        demo.out(
            f"  sign in as {guide.name} / {guide.password} at {demo.egy.url}/ui/ "
            f"to see the demo case {case}"
        )
    by_letter = demo.ids.get("by-letter")
    if by_letter is not None and demo.letter is not None:
        demo.out(
            f"  the case with {OFFLINE}, a State without a node: {demo.egy.url}/ui/requests/"
            f"{by_letter} (signed letter of request: {demo.letter})"
        )
    for node in demo.sandbox.nodes.values():
        first = f"{node.state.lower()}-{GUIDE}"
        ordered = sorted(node.users.values(), key=lambda c: c.name != first)  # stable
        users = ", ".join(f"{c.name} / {c.password}" for c in ordered)
        demo.out(f"  {node.state}: {node.url}/ui/   users (name / password): {users}")


def write_state(demo: Demo, *, ready: bool) -> None:
    described = describe(demo.sandbox)
    value = {
        "ready": ready,
        "states": described["states"],
        "provider_sim": described.get("provider_sim"),
        "exported_package": str(demo.exported) if demo.exported else None,
        "letter_of_request": str(demo.letter) if demo.letter else None,
        "answer_letter": str(demo.answer) if demo.answer else None,
        "statistics": str(demo.statistics_folder) if demo.statistics_folder else None,
        "requests": {k: v for k, v in demo.ids.items() if k != "evidence"},
        "steps": demo.steps,
    }
    write_json(demo.sandbox.root / "demo.json", value)
