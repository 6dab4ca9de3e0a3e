"""The admin shows a case's and a crisis's state and changes none of it: state changes go through
the domain's one write path, which writes the audit event and the crisis timeline."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import Case, CaseStatus
from comments.models import Author
from crisis.models import Crisis, CrisisStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", "root@example.com", "x")
    client.force_login(user)
    return user


@pytest.fixture
def case(aurora) -> Case:
    author = Author.objects.create(brand=aurora, platform="twitter", handle="@ana")
    return Case.objects.create(
        brand=aurora,
        author=author,
        category="pqr",
        level="yellow",
        level_rank=1,
        response_due_at=timezone.now() + timedelta(hours=4),
        resolution_due_at=timezone.now() + timedelta(hours=24),
    )


@pytest.fixture
def crisis(aurora) -> Crisis:
    now = timezone.now()
    return Crisis.objects.create(
        brand=aurora, subject="Onda #1", first_comment_at=now, last_escalation_at=now
    )


def test_the_admin_shows_a_case_but_does_not_change_it(client, root, case):
    url = f"/admin/cases/case/{case.pk}/change/"
    assert client.get(url).status_code == 200

    response = client.post(url, {"status": CaseStatus.CLOSED, "level": "green"})

    assert response.status_code == 403
    case.refresh_from_db()
    assert (case.status, case.level) == (CaseStatus.NEW, "yellow")
    assert client.get("/admin/cases/case/add/").status_code == 403


def test_the_admin_shows_a_crisis_but_does_not_change_it(client, root, crisis):
    url = f"/admin/crisis/crisis/{crisis.pk}/change/"
    assert client.get(url).status_code == 200

    response = client.post(url, {"status": CrisisStatus.CLOSED})

    assert response.status_code == 403
    crisis.refresh_from_db()
    assert crisis.status == CrisisStatus.DETECTED
    assert client.post(f"/admin/crisis/crisis/{crisis.pk}/delete/").status_code == 403
