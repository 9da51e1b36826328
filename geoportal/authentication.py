"""Logins limited per account and per address, by django-axes (counted in the cache): admin
passwords through axes' authentication backend, API tokens here. After AXES_FAILURE_LIMIT
failures the account or address is refused, the right password or token included, with a 429
and Retry-After, until the cool-off has passed (the admin's answer is throttling.locked_out).

Nothing of DRF's views is imported here: DRF's settings import this module while they load."""

import math

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from django.contrib.auth.signals import user_login_failed
from rest_framework.authentication import TokenAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed, Throttled


def cool_off_seconds(request=None):
    return math.ceil(get_cool_off(request).total_seconds())


class LimitedTokenAuthentication(TokenAuthentication):
    """DRF's token authentication (also used beyond /api/ by TokenAuthenticationMiddleware):
    a locked-out address is a 429 before the token is looked at; a wrong token counts."""

    def authenticate(self, request):
        django_request = getattr(request, "_request", request)
        if not get_authorization_header(request).lower().startswith(b"token "):
            return super().authenticate(request)
        if not AxesProxyHandler.is_allowed(django_request):
            raise Throttled(wait=cool_off_seconds(django_request))
        try:
            return super().authenticate(request)
        except AuthenticationFailed:
            user_login_failed.send(
                sender=type(self), credentials={"username": None}, request=django_request
            )
            raise


def lockout_parameters(request, credentials=None):
    """AXES_LOCKOUT_PARAMETERS: a password login is locked per account and per address; a token
    names no account until it is right, so wrong tokens lock their address only."""
    if credentials and credentials.get("username"):
        return ["ip_address", "username"]
    return ["ip_address"]
