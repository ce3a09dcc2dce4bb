"""Demo data of this app for `manage.py seed_demo` (idempotent)."""


def seed() -> None:
    """Nothing yet."""
