"""What an operator watches: ``/metrics`` in the Prometheus format, structured logs with a
request id (docs/operations.md, "Metrics and alerts"; ADR 0047).

This package sits beside the entry points: the web layer and ``hanoi serve`` use it; no
domain package imports it (the background jobs take a plain ``heartbeat`` callback).
"""
