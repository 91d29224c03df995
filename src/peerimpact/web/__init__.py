"""The PeerImpact web application (Django 5.2 LTS): an adapter around study folders.

The database holds the study; ``peerimpact db import-study`` fills it from a
study folder and ``peerimpact db export-study`` writes it back as one, so the
rest of the package (scoring, analysis, report) reads the web data exactly as
it reads a folder. Settings modules live in :mod:`peerimpact.web.settings`.
"""

DEFAULT_SETTINGS = "peerimpact.web.settings.local"
