"""Security headers that Django's SecurityMiddleware does not set."""

from __future__ import annotations

from django.conf import settings

PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"


class SecurityHeadersMiddleware:
    """Content-Security-Policy, Permissions-Policy, and ``no-store`` on every response.

    Pages show data about people's mental health: nothing may be cached by
    the browser or a proxy, and nothing is allowed to run but our own files.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if not request.path.startswith(settings.STATIC_URL):
            response["Cache-Control"] = "no-store"
        return response
