"""Messages kept in the database are translated when shown, not when written.

A job's failure or progress step is written once (often by a worker, in French) and read later by
people browsing in French or English: it is stored as its French msgid and parameters, and each
reader sees it in their language. Plain text (rows written before, free text) shows as it is."""

import json

from django.utils.translation import gettext

PREFIX = "msg:"


def stored(msgid: str, **params) -> str:
    """The text to store; mark ``msgid`` with gettext_noop where it is written."""
    return PREFIX + json.dumps({"m": msgid, "p": params}, ensure_ascii=False, default=str)


def shown(value: str | None) -> str:
    """The stored text in the reader's language."""
    if not value or not value.startswith(PREFIX):
        return value or ""
    try:
        data = json.loads(value[len(PREFIX) :])
        text = gettext(data["m"])
        params = {key: shown(v) if isinstance(v, str) else v for key, v in data["p"].items()}
        return text % params if params else text
    except (ValueError, KeyError, TypeError, AttributeError):
        return value
