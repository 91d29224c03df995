"""Settings modules: ``base`` (shared), ``local`` (``peerimpact serve``),
``production`` (gunicorn behind a TLS proxy) and ``test`` (pytest-django)."""
