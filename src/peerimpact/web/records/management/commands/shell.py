"""``python -m peerimpact.web shell`` without the alarming import line.

Django 5.2's shell imports every model automatically, by the path
``<model.__module__>.<name>``. django-simple-history gives the historical
model of a model it registers (``HistoricalMembership`` of ``Membership``) the
app's package as its module, where no such name exists, so the stock shell
printed ``1 object could not be automatically imported`` on every start.
Here such a model is left out of the automatic imports (it stays reachable
as ``Membership.history.model``); every importable model is imported as before.
"""

from __future__ import annotations

from django.core.management.commands import shell
from django.utils.module_loading import import_string


def importable(path: str) -> bool:
    try:
        import_string(path)
    except ImportError:
        return False
    return True


class Command(shell.Command):
    def get_auto_imports(self):
        return [path for path in super().get_auto_imports() if importable(path)]
