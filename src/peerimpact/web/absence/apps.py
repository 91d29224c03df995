from __future__ import annotations

from django.apps import AppConfig


class AbsenceConfig(AppConfig):
    name = "peerimpact.web.absence"
    label = "absence"
    verbose_name = "PeerImpact sickness absence"
    default_auto_field = "django.db.models.BigAutoField"
