"""Fixtures shared by the review tests: seeded applications with expert scores, a signed-in office client."""

from __future__ import annotations

import pytest
from tests.review.test_ranking_web import Seeder


@pytest.fixture
def seed(loaded, make_org, make_user, office_user):
    return Seeder(make_org, make_user, office_user)


@pytest.fixture
def office_client(client, office_user):
    client.force_login(office_user)
    return client
