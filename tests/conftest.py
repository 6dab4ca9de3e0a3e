"""Personas and clients shared by the suite.

alice is a community manager, sam a supervisor, carla sits on the crisis committee, mallory has
an account and no role, and ``listener`` is a REST client with a token.
"""

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.roles import Role, grant_role

PASSWORD = "correct-horse-battery"


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine:
        raise pytest.UsageError(
            "The suite runs on PostgreSQL: use `make test`, or set DATABASE_URL to a "
            f"PostgreSQL server (got {engine})."
        )


def _person(username: str, role: Role | None, **extra):
    user = get_user_model().objects.create_user(
        username=username, password=PASSWORD, email=f"{username}@example.com", **extra
    )
    if role:
        grant_role(user, role)
    return user


@pytest.fixture
def alice(db):
    return _person("alice", Role.COMMUNITY_MANAGER)


@pytest.fixture
def sam(db):
    return _person("sam", Role.SUPERVISOR)


@pytest.fixture
def carla(db):
    return _person("carla", Role.CRISIS_COMMITTEE)


@pytest.fixture
def mallory(db):
    return _person("mallory", None)


@pytest.fixture
def listener(db):
    user = get_user_model().objects.create_user(username="api:listener")
    grant_role(user, Role.API_CLIENT)
    return user


@pytest.fixture
def listener_token(listener) -> str:
    _, raw = ApiToken.issue(user=listener, name="listener")
    return raw


@pytest.fixture
def api(listener_token) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {listener_token}")
    return client


@pytest.fixture
def anonymous_api() -> APIClient:
    return APIClient()
