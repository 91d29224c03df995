"""Who codes: the coder id written to ``qual/codings.csv`` for a signed-in user."""

from __future__ import annotations

import re

_NOT_ID = re.compile(r"[^A-Za-z0-9_.]")


def coder_id(user) -> str:
    """The user's coder id: the username with characters an id may not hold replaced by ``_``.

    >>> class U: username = "worker-s1-01"
    >>> coder_id(U())
    'worker_s1_01'
    """
    out = _NOT_ID.sub("_", user.username)
    return out if out[:1].isalnum() else "c" + out
