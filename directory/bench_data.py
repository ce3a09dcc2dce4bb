"""Realistic directory data for benchmarks."""


def seed_smes(*, count: int) -> None:
    """Not written yet."""
    raise NotImplementedError
