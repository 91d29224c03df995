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


class PasswordChangeRequiredMiddleware:
    """A user whose password an admin chose (new account, reset) must change it before anything else.

    Every page but the password page, sign-out and static files redirects
    there. The API is guarded at ``POST /api/token`` (no token is issued) and
    tokens are revoked when an admin resets a password.
    """

    ALLOWED = ("/account/password/", "/accounts/logout/", "/accounts/login/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.shortcuts import redirect

        from .access import membership

        path = request.path
        if (not path.startswith(("/api/", settings.STATIC_URL)) and path not in self.ALLOWED
                and getattr(request, "user", None) is not None and request.user.is_authenticated):
            m = membership(request.user)
            if m is not None and m.must_change_password:
                return redirect("password-change")
        return self.get_response(request)
