from __future__ import annotations

from django.apps import AppConfig


class CodingConfig(AppConfig):
    name = "peerimpact.web.coding"
    label = "coding"
    verbose_name = "PeerImpact coding workbench"
    default_auto_field = "django.db.models.BigAutoField"
