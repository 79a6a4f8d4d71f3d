"""The audit export's query: defaults, periods, and each mistake named."""

from datetime import UTC, datetime, timedelta

import pytest

from bot.approvals import InvalidRequest
from bot.http_api.export_query import parse_export_query

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def test_defaults_are_the_last_30_days_as_json_in_pages_of_500() -> None:
    query = parse_export_query({}, NOW)
    assert (query.start, query.end, query.statuses, query.format, query.limit, query.continuation) == (
        NOW - timedelta(days=30), NOW, (), "json", 500, None)


def test_bare_dates_cover_whole_days_and_statuses_take_any_case() -> None:
    query = parse_export_query({"from": "2026-11-01", "to": "2026-11-30", "status": "approved, DENIED,Approved",
                                "format": "CSV", "limit": "10", "code": "the-function-key"}, NOW)
    assert (query.start, query.end) == (datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
    assert (query.statuses, query.format, query.limit) == (("Approved", "Denied"), "csv", 10)


@pytest.mark.parametrize("params, field", [
    ({"from": "last week"}, "from"), ({"to": "2026-02-30"}, "to"), ({"from": "2026-11-02", "to": "2026-11-01"}, "to"),
    ({"from": "2024-01-01", "to": "2026-01-01"}, "from"), ({"status": "Approved,Maybe"}, "status"),
    ({"format": "xml"}, "format"), ({"limit": "-1"}, "limit"), ({"limit": "1e3"}, "limit"),
    ({"continuation": "has space"}, "continuation"), ({"page": "2"}, "page"), ({"to": "9999-12-31"}, "to"),
])
def test_a_bad_parameter_is_named(params: dict[str, str], field: str) -> None:
    with pytest.raises(InvalidRequest) as raised:
        parse_export_query(params, NOW)
    assert raised.value.field == field
