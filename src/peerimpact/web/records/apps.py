from __future__ import annotations

from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "peerimpact.web.records"
    label = "records"
    verbose_name = "PeerImpact study records"
    default_auto_field = "django.db.models.BigAutoField"
