from __future__ import annotations

from ..access import role_of


def role(request):
    """Template context: the signed-in user's role (``None`` for anonymous)."""
    user = getattr(request, "user", None)
    return {"role": role_of(user) if user is not None and user.is_authenticated else None}
