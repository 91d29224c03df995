"""PeerImpact's SQLite database backend (``ENGINE = "peerimpact.web.sqlite"``); see :mod:`.base`."""
