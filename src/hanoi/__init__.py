"""Hanoi: the Convention against Cybercrime's cooperation chapter as federated software."""

__version__ = "0.1.0"
