"""The sandbox: several real nodes on one machine, and ``hanoi demo``'s case played through them.

It builds a federation on loopback ports (node folders, a directory authority and a
signed directory, users with credentials, each node a ``hanoi serve`` process) for the
demo and the multi-node tests, and scripts the demo's case as each State's officers.

Like the entry points (``hanoi.cli``, ``hanoi.web``), it sits above the composition root
and may import ``hanoi.wiring``; no domain package (``convention``, ``cooperation``,
``evidence``, ``custody``, ``directory``, ``federation``, ``accounts``) imports it.
"""
