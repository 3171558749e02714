"""Datetimes in Open311 queries: impossible ones are a 400 error list in JSON and XML, never
a server error, whatever a client sends (hypothesis over garbage)."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gridgov.protocols.open311.params import parse_w3_datetime

from .test_open311 import BASE, as_json, error_list, http, xml_errors

pytestmark = pytest.mark.django_db
__all__ = ["http"]  # fixture used by name

IMPOSSIBLE = [
    "2026-02-30T00:00:00Z",        # no 30 February
    "2026-01-01T25:00:00Z",        # hour 25
    "2026-01-01T00:00:00+99:00",   # offset out of range
    "9999-12-31T23:00:00-05:00",   # past year 9999 once in UTC
    "0001-01-01T00:00:00+08:00",   # before year 1 once in UTC
    "2026-13-01T00:00:00Z",
    "2026-01-01T00:61:00Z",
]


@pytest.mark.parametrize("value", IMPOSSIBLE)
@pytest.mark.parametrize("name", ["start_date", "end_date", "updated_after", "updated_before"])
def test_an_impossible_date_is_a_400_list_naming_the_parameter(http, name, value):
    assert any(name in m for m in error_list(http.get(BASE + "requests.json",
                                                      {name: value}), 400))
    assert any(name in m for m in xml_errors(http.get(BASE + "requests.xml",
                                                      {name: value}), 400))


@pytest.mark.parametrize("value, expected", [
    ("2026-01-01T00:00:00Z", dt.datetime(2026, 1, 1, tzinfo=dt.UTC)),
    ("2026-01-01T08:00:00+08:00", dt.datetime(2026, 1, 1, tzinfo=dt.UTC)),
    # ``+`` decoded to a space by a form decoder.
    ("2026-01-01T08:00:00 08:00", dt.datetime(2026, 1, 1, tzinfo=dt.UTC)),
    ("9999-12-31T23:00:00+05:00", dt.datetime(9999, 12, 31, 18, tzinfo=dt.UTC)),
])
def test_possible_dates_are_read(value, expected):
    assert parse_w3_datetime(value) == expected


def test_a_possible_extreme_date_queries_without_error(http):
    assert as_json(http.get(BASE + "requests.json",
                            {"start_date": "9999-12-31T23:00:00+05:00"})) == []


DATEISH = st.one_of(
    st.text(max_size=40),
    st.from_regex(r"\A[0-9]{1,5}-[0-9]{1,2}-[0-9]{1,2}(T[0-9]{1,2}:[0-9]{1,2}(:[0-9]{1,2}"
                  r"(\.[0-9]{1,9})?)?)?([Zz]|[+\- ][0-9]{1,2}(:?[0-9]{1,2})?)?\Z",
                  fullmatch=True),
)


@settings(max_examples=400, deadline=None)
@given(DATEISH)
def test_the_parser_never_raises(value):
    result = parse_w3_datetime(value)
    assert result is None or (result.tzinfo is not None and result.astimezone(dt.UTC))


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=DATEISH, name=st.sampled_from(["start_date", "end_date", "updated_after",
                                            "updated_before"]),
       fmt=st.sampled_from(["json", "xml"]))
def test_no_date_a_client_sends_is_a_server_error(http, value, name, fmt):
    response = http.get(f"{BASE}requests.{fmt}", {name: value})
    assert response.status_code in (200, 400), (value, response.status_code)
