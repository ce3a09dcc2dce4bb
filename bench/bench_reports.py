"""Benchmarks of this group (see bench/__main__.py)."""


def run() -> None:
    """Nothing measured yet."""
