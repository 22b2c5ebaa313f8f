"""config/prepared.py: a read compiled once gives what evaluating its queryset gives, with one
query of the same SQL, for any ids; and the user backend built on it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.backends import UserBackend
from config.prepared import PreparedRead
from eligibility import selectors
from eligibility.models import Screening
from eligibility.services import screening_create
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _registry(monkeypatch):
    """The reads made here are not the application's: config/warmup.py does not compile them."""
    monkeypatch.setattr(PreparedRead, "_all", list(PreparedRead._all))


def fields(obj) -> dict:
    """An instance's loaded values, its annotations included."""
    return {name: value for name, value in vars(obj).items() if name != "_state"}


def same_object(got, expected) -> None:
    assert type(got) is type(expected)
    assert fields(got) == fields(expected)
    for name, related in expected._state.fields_cache.items():
        same_object(got._state.fields_cache[name], related)
    assert got._state.fields_cache.keys() == expected._state.fields_cache.keys()
    assert got._state.adding is False and got._state.db == "default"


@pytest.fixture
def screenings():
    """One screening in each of two clinics of different associations, with answers."""
    made = []
    for prefecture in ("東京都", "大阪府"):
        user = factories.clinic_user(factories.clinic(prefecture=prefecture))
        screening = screening_create(clinic=user.clinic, name="見積り", by=user)
        screening.answers |= {"goals": ["normal"], "normal": {"purchase_yen": 1_200_000}}
        screening.save()
        made.append(screening)
    return made


READS = {
    "edit_by_clinic": (selectors._edit_by_clinic, lambda s: {"clinic_id": s.clinic_id}),
    "read_by_clinic": (selectors._read_by_clinic, lambda s: {"clinic_id": s.clinic_id}),
    "read_by_association": (
        selectors._read_by_association,
        lambda s: {"association_id": s.clinic.association_id},
    ),
}


@pytest.mark.parametrize("name", READS)
def test_each_read_gives_what_its_queryset_gives_with_one_query_of_the_same_sql(screenings, name):
    read, ids_of = READS[name]
    for screening in screenings:  # the second run reuses the SQL compiled by the first
        ids = ids_of(screening) | {"pk": screening.pk}
        with CaptureQueriesContext(connection) as evaluated:
            [expected] = read._build(**ids)
        with CaptureQueriesContext(connection) as prepared:
            got = read.get(**ids)
        same_object(got, expected)
        assert got.answers == screening.answers
        assert len(prepared) == 1
        assert prepared.captured_queries[0]["sql"] == evaluated.captured_queries[0]["sql"]


@pytest.mark.parametrize("name", READS)
def test_a_read_finds_nothing_with_another_tenants_ids_or_ids_no_row_can_have(screenings, name):
    read, ids_of = READS[name]
    tokyo, osaka = screenings
    assert read.get(**ids_of(tokyo) | {"pk": osaka.pk}) is None
    assert read.get(**ids_of(osaka) | {"pk": tokyo.pk}) is None
    assert read.get(**ids_of(tokyo) | {"pk": osaka.pk + 1000}) is None
    with CaptureQueriesContext(connection) as queries:
        assert read.get(**ids_of(tokyo) | {"pk": 2**70}) is None
        assert read.get(**ids_of(tokyo) | {"pk": -(2**64)}) is None
    assert len(queries) == 0


def test_an_id_must_be_an_integer(screenings):
    with pytest.raises(TypeError):
        selectors._edit_by_clinic.get(clinic_id=screenings[0].clinic_id, pk=str(screenings[0].pk))


def test_more_than_one_row_is_an_error_as_with_get(screenings):
    tokyo = screenings[0]
    screening_create(clinic=tokyo.clinic, name="二つ目", by=tokyo.created_by)
    by_clinic = PreparedRead(lambda clinic_id: Screening.objects.filter(clinic_id=clinic_id))
    with pytest.raises(Screening.MultipleObjectsReturned):
        by_clinic.get(clinic_id=tokyo.clinic_id)


def test_an_argument_that_does_not_reach_the_sql_unchanged_is_refused(screenings):
    shifted = PreparedRead(lambda pk: Screening.objects.filter(pk=pk + 1))
    with pytest.raises(ValueError, match="pk"):
        shifted.get(pk=screenings[0].pk)


def test_the_user_backend_reads_active_users_only():
    user = factories.clinic_user()
    backend = UserBackend()
    got = backend.get_user(user.pk)
    assert got == user and got.clinic_id == user.clinic_id and got.password == user.password
    assert backend.get_user(user.pk + 1000) is None
    user.is_active = False
    user.save()
    assert backend.get_user(user.pk) is None
