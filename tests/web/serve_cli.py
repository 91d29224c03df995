"""Run the web commands as the ``peerimpact`` CLI will (``register(app)``), for subprocess tests.

``python tests/web/serve_cli.py serve --demo --port 8123`` = ``peerimpact serve --demo --port 8123``.
"""

import typer

from peerimpact.cli.web import register

app = typer.Typer(add_completion=False)
register(app)

if __name__ == "__main__":
    app()
