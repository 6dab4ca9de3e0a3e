import io

import pytest
from django.core.management import CommandError, call_command

from accounts.models import ApiToken, digest_token

pytestmark = pytest.mark.django_db


def test_prints_the_token_alone_on_the_last_line_and_it_works(client):
    out = io.StringIO()
    call_command("create_api_token", "listening-tool", stdout=out)
    token = out.getvalue().strip().splitlines()[-1]
    assert ApiToken.objects.get().digest == digest_token(token)
    response = client.get("/api/v1/comments/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200


def test_a_second_token_for_the_same_client_reuses_the_user():
    call_command("create_api_token", "tool", stdout=io.StringIO())
    call_command("create_api_token", "tool", stdout=io.StringIO())
    assert ApiToken.objects.values("user").distinct().count() == 1
    assert ApiToken.objects.count() == 2


def test_blank_name_fails_with_a_message():
    with pytest.raises(CommandError, match="1 to 100"):
        call_command("create_api_token", "  ", stdout=io.StringIO())
