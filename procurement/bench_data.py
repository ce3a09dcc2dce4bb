"""Realistic declarations and order lines for benchmarks."""


def seed_orders(*, accounts: int, orders_per_year: int, years: int) -> None:
    """Not written yet."""
    raise NotImplementedError
