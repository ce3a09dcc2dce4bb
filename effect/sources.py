"""Where contacts come from: the apps that bring large accounts and SMEs together.

Each app below exposes a selector of its contacts; this module turns them into `Contact`s.
(Filled in when meetings, challenges and sponsorship land.)"""

from .outcomes import Contact


def contacts(*, account_ids=None, siren: str | None = None) -> list[Contact]:
    return []
