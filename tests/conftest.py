"""Personas and clients shared by the suite.

Two brands run side by side. At Banco Aurora (``aurora``) alice is a community manager, sam a
supervisor and carla sits on the crisis committee; ``listener`` is Aurora's REST client. At
RapiMenu (``rapimenu``) bruno is the community manager and ``rapi_listener`` its REST client.
mallory has an account and no role anywhere.
"""

from functools import partial

import pytest
from django.contrib.auth import get_user_model
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from rest_framework.test import APIClient

from accounts.models import ApiToken
from brands.grants import grant_role
from brands.models import Brand, BrandAccount
from brands.roles import Role
from comments import intake

PASSWORD = "correct-horse-battery"


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine:
        raise pytest.UsageError(
            "The suite runs on PostgreSQL: use `make test`, or set DATABASE_URL to a "
            f"PostgreSQL server (got {engine})."
        )


def _person(username: str, role: Role | None = None, brand=None, **extra):
    user = get_user_model().objects.create_user(
        username=username, password=PASSWORD, email=f"{username}@example.com", **extra
    )
    if role:
        grant_role(user, role, brand=brand)
    return user


@pytest.fixture(autouse=True)
def active_models_read_every_time(settings):
    """Every classification reads the brands' active models: a test sees the version it just
    activated, and query counts do not depend on how long ago the last read was."""
    settings.SEMAFORO = {**settings.SEMAFORO, "CLASSIFIER_RECHECK_S": 0}


@pytest.fixture
def aurora(db):
    brand = Brand.objects.create(name="Banco Aurora", slug="aurora")
    BrandAccount.objects.create(brand=brand, platform="twitter", handle="@BancoAurora")
    return brand


@pytest.fixture
def rapimenu(db):
    brand = Brand.objects.create(name="RapiMenu", slug="rapimenu", language="en")
    BrandAccount.objects.create(brand=brand, platform="twitter", handle="@RapiMenu")
    return brand


@pytest.fixture
def ingest(aurora):
    """``intake.ingest`` as Aurora's REST client calls it."""
    return partial(intake.ingest, brand_id=aurora.pk)


@pytest.fixture
def alice(aurora):
    return _person("alice", Role.COMMUNITY_MANAGER, aurora)


@pytest.fixture
def sam(aurora):
    return _person("sam", Role.SUPERVISOR, aurora)


@pytest.fixture
def carla(aurora):
    return _person("carla", Role.CRISIS_COMMITTEE, aurora)


@pytest.fixture
def bruno(rapimenu):
    return _person("bruno", Role.COMMUNITY_MANAGER, rapimenu)


@pytest.fixture
def mallory(db):
    return _person("mallory")


def _rest_client(name: str, brand) -> str:
    user = get_user_model().objects.create_user(username=f"api:{name}")
    grant_role(user, Role.API_CLIENT)
    _, raw = ApiToken.issue(user=user, name=name, brand=brand)
    return raw


@pytest.fixture
def listener(db):
    user = get_user_model().objects.create_user(username="api:listener")
    grant_role(user, Role.API_CLIENT)
    return user


@pytest.fixture
def listener_token(listener, aurora) -> str:
    _, raw = ApiToken.issue(user=listener, name="listener", brand=aurora)
    return raw


@pytest.fixture
def rapi_api(rapimenu) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {_rest_client('rapi-listener', rapimenu)}")
    return client


@pytest.fixture
def api(listener_token) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {listener_token}")
    return client


@pytest.fixture
def anonymous_api() -> APIClient:
    return APIClient()


@pytest.fixture
def query_counts():
    """The queries ``fetch()`` runs with ``grow(n)`` rows, then with ``grow(2 * n)`` more: a
    page's query count pinned the zulip way (``assert_database_query_count``). A test asserts
    the pair equals ``(k, k)``, so a count that grows with the rows (an N+1) fails as surely as
    one extra query does."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(fetch) -> int:
        with CaptureQueriesContext(connection) as captured:
            fetch()
        return len(captured)

    def measure(fetch, grow, n: int = 2) -> tuple[int, int]:
        grow(n)
        few = count(fetch)
        grow(2 * n)
        return few, count(fetch)

    return measure


@pytest.fixture
def keep_the_test_connection():
    """The WSGI app closes the database connection after each request, which would end the
    test's transaction; Django's own test client disconnects the same signals. For the tests
    that call the app as schemathesis does, through WSGI."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
