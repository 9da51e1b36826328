"""A named account's own limit (API_RATE_USERS: the load benchmark's token), others keep theirs."""

import pytest
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


def client_of(name):
    client = APIClient()
    token = Token.objects.create(user=User.objects.create_user(name))
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.mark.django_db
def test_a_named_account_has_its_own_limit(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "users": "3/minute", "ogc": "3/minute"}
    settings.API_RATE_USERS = {"bench": "100/minute"}
    bench, other = client_of("bench"), client_of("other")
    assert [other.get("/api/v1/regions/").status_code for _ in range(4)] == [200] * 3 + [429]
    assert {bench.get("/api/v1/regions/").status_code for _ in range(10)} == {200}
    # In every scope: the OGC API counts the token's account too.
    assert [other.get("/ogc/collections").status_code for _ in range(4)] == [200] * 3 + [429]
    assert {bench.get("/ogc/collections").status_code for _ in range(10)} == {200}
