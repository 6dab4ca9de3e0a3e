"""Meta's webhook against its own OpenAPI schema, by schemathesis: whatever a
client sends, the answer is one the schema documents, and never a 500."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from triage.wsgi import application

pytestmark = pytest.mark.django_db

schema = schemathesis.openapi.from_wsgi("/api/schema/", application).include(
    path_regex=r"^/webhooks/meta/"  # the API's own endpoints: tests/test_api_schema.py
)


@pytest.fixture
def meta_secret(settings):
    settings.META_APP_SECRET = "schema-secret"
    settings.META_VERIFY_TOKEN = "schema-token"


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_metas_webhook_answers_what_its_schema_documents(
    case, meta_secret, keep_the_test_connection
):
    response = case.call()
    assert response.status_code < 500, response.text
    case.validate_response(response)
