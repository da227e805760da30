"""Talking to other States' nodes: transports, and (with issue 7) messages and the directory."""
