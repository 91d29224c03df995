from __future__ import annotations

from django.apps import AppConfig


class CodingConfig(AppConfig):
    name = "peerimpact.web.coding"
    label = "coding"
    verbose_name = "PeerImpact coding workbench"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from ..records.models import Coding
        from .state import on_coding_saved

        post_save.connect(on_coding_saved, sender=Coding, dispatch_uid="peerimpact.coding.state")
