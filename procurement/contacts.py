"""Whom an SME writes to about a large account's lines: its SME correspondent and internal
mediator, named when it signs the charter.

The charter app sits above procurement, so procurement cannot import it. Instead charter registers
a provider here from its `AppConfig.ready()`; procurement reads contacts through `for_accounts`.
Without the charter app installed, there are simply no contacts."""

from collections.abc import Callable, Iterable

ContactsProvider = Callable[[Iterable[int]], dict]
_provider: ContactsProvider | None = None


def register(provider: ContactsProvider) -> None:
    global _provider
    _provider = provider


def for_accounts(organisation_ids: Iterable[int]) -> dict:
    """{large account id: object with correspondent_name/_email and mediator_name/_email}."""
    ids = set(organisation_ids)
    if _provider is None or not ids:
        return {}
    return _provider(ids)
