"""A named account's own REST limit (API_RATE_USERS), others keep theirs."""

import pytest
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token
from rest_framework.settings import api_settings
from rest_framework.test import APIClient


@pytest.fixture
def low_user_rate(monkeypatch):
    monkeypatch.setitem(api_settings.DEFAULT_THROTTLE_RATES, "user", "3/minute")


def client_of(name):
    client = APIClient()
    token = Token.objects.create(user=User.objects.create_user(name))
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.mark.django_db
def test_a_named_account_has_its_own_limit(settings, low_user_rate):
    settings.API_RATE_USERS = {"bench": "100/minute"}
    bench, other = client_of("bench"), client_of("other")
    assert [other.get("/api/v1/regions/").status_code for _ in range(4)] == [200] * 3 + [429]
    assert {bench.get("/api/v1/regions/").status_code for _ in range(10)} == {200}
