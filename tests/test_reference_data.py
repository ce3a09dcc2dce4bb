import pytest

from directory.models import Departement, Domain, NafCode, Region


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_sees_reference_data():
    assert Region.objects.count() == 18


@pytest.mark.django_db
def test_reference_data_is_there_whatever_ran_before():
    # Runs in random order with the transactional test above, whose flush must not lose this data.
    assert Region.objects.count() == 18
    assert Departement.objects.count() == 101
    assert Departement.objects.get(code="75").region_id == "11"
    assert Domain.objects.filter(slug="cybersecurite").exists()
    assert NafCode.objects.filter(code="62.01Z").exists()
