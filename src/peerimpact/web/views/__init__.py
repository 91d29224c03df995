"""Server-rendered pages. Every view states the roles it admits and scopes
its querysets through :mod:`peerimpact.web.access`."""
