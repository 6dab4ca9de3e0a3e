import pytest

from brands.grants import grant_role
from brands.roles import Role
from core.taxonomy import Level
from reports import rollups
from tests.reports.helpers import comment


@pytest.fixture
def facts(aurora, rapimenu):
    """Aurora: a red and two greens in the last days; RapiMenu: three yellows."""
    comment(aurora, Level.RED, 1)
    comment(aurora, Level.GREEN, 1)
    comment(aurora, Level.GREEN, 2)
    for _ in range(3):
        comment(rapimenu, Level.YELLOW, 1)
    rollups.rollups_rebuild(brand_ids=[aurora.pk, rapimenu.pk])


@pytest.fixture
def rosa(aurora, rapimenu, django_user_model):
    """A supervisor of both brands."""
    user = django_user_model.objects.create_user("rosa", email="rosa@example.com")
    grant_role(user, Role.SUPERVISOR, brand=aurora)
    grant_role(user, Role.SUPERVISOR, brand=rapimenu)
    return user
