"""Command-line adapter: thin typer commands over the library (``peerimpact ...``)."""
