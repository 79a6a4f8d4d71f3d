"""Status times are whole UTC seconds, as the extension answers, whichever form the store holds."""

from datetime import UTC, datetime, timedelta

from devhost.history import iso_time
from devhost.status import seconds_time


def test_the_stores_own_form_and_any_other_give_the_same_second() -> None:
    moment = datetime(2026, 12, 1, 10, 0, 59, 999_999, tzinfo=UTC)

    assert seconds_time(iso_time(moment)) == "2026-12-01T10:00:59Z"
    assert seconds_time("2026-12-01T10:00:59Z") == "2026-12-01T10:00:59Z"
    assert seconds_time("2026-12-01T10:00:59.5") == "2026-12-01T10:00:59Z"
    assert seconds_time(iso_time(moment + timedelta(microseconds=1))) == "2026-12-01T10:01:00Z"
