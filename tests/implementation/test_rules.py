"""implementation.rules: the office manages contracts; an organization reads only its own contract."""

from __future__ import annotations

import pytest
from tests.implementation.test_contracts import sign

from zgcfund.accounts.views.access import allowed
from zgcfund.implementation.models import Contract

pytestmark = pytest.mark.django_db


def test_contract_permissions(awaiting, office_user):
    first, second, _selection = awaiting
    sign(first, office_user)
    contract = Contract.objects.get()
    own, other = (a.organization.memberships.first().user for a in (first, second))
    assert allowed(office_user, "implementation.manage_contracts")
    assert not allowed(own, "implementation.manage_contracts")
    assert allowed(office_user, "implementation.view_contract", contract)
    assert allowed(own, "implementation.view_contract", contract)
    assert not allowed(other, "implementation.view_contract", contract)
    assert not allowed(own, "implementation.view_contract", None)
