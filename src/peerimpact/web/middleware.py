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


def is_bearer_api(request) -> bool:
    """A bearer-token API request (not ``POST /api/token``): it carries no session and is not open to CSRF.

    A browser cannot attach an ``Authorization`` header to a cross-site request without the API
    agreeing to CORS (it does not), so such a request needs neither the session, CSRF, messages nor
    the sign-in lockout middleware; the API authenticates it by its token alone.
    """
    return (request.path_info.startswith("/api/") and request.path_info != "/api/token"
            and request.META.get("HTTP_AUTHORIZATION", "").startswith("Bearer "))


def skipped_for_bearer_api(inner_class, *, anonymous_user: bool = False):
    """``inner_class`` (a Django middleware) that bearer-token API requests pass by (see :func:`is_bearer_api`).

    With ``anonymous_user`` (for the authentication middleware) a skipped request gets
    ``request.user = AnonymousUser()`` until the API's token check sets the real user.
    """

    class Skipped:
        def __init__(self, get_response):
            self.get_response = get_response
            self.inner = inner_class(get_response)

        def __call__(self, request):
            if is_bearer_api(request):
                if anonymous_user:
                    from django.contrib.auth.models import AnonymousUser

                    request.user = AnonymousUser()
                return self.get_response(request)
            return self.inner(request)

    if hasattr(inner_class, "process_view"):
        def process_view(self, request, view_func, view_args, view_kwargs):
            if is_bearer_api(request):
                return None
            return self.inner.process_view(request, view_func, view_args, view_kwargs)

        Skipped.process_view = process_view
    if hasattr(inner_class, "process_exception"):
        def process_exception(self, request, exception):
            if is_bearer_api(request):
                return None
            return self.inner.process_exception(request, exception)

        Skipped.process_exception = process_exception
    Skipped.__name__ = Skipped.__qualname__ = f"SkippedForBearerApi{inner_class.__name__}"
    Skipped.__doc__ = f"{inner_class.__module__}.{inner_class.__name__}, passed by bearer-token API requests."
    return Skipped
