"""A front end waiting for an outcome reads the instance about when decisions have lately been
recorded: quickly when recording is quick, a few reads per click in a burst."""

from __future__ import annotations

import itertools

from bot.workflow.recording_pace import (
    LATEST_FIRST_READ,
    LONGEST_PAUSE,
    QUICKEST_FIRST_READ,
    RecordingPace,
)


def first_pauses(pace: RecordingPace, count: int) -> list[float]:
    return list(itertools.islice(pace.pauses(), count))


def reads_until(pace: RecordingPace, recorded_after: float) -> int:
    """How many reads a wait makes before one finds a decision recorded after ``recorded_after`` s."""
    elapsed = 0.0
    for reads, pause in enumerate(pace.pauses(), start=1):
        elapsed += pause
        if elapsed >= recorded_after:
            return reads
    raise AssertionError("unreachable")


def test_a_new_process_reads_after_a_few_milliseconds_then_backs_off_to_the_longest_pause() -> None:
    pauses = first_pauses(RecordingPace(), 12)

    assert pauses[0] == QUICKEST_FIRST_READ
    assert pauses == sorted(pauses)
    assert pauses[-1] == LONGEST_PAUSE


def test_in_a_burst_the_first_read_comes_near_the_pace_and_a_click_makes_few_reads() -> None:
    pace = RecordingPace()
    for _ in range(30):  # decisions recorded 400 ms after they were raised
        pace.observe(0.4)

    assert 0.2 <= first_pauses(pace, 1)[0] <= 0.4
    assert reads_until(pace, 0.4) <= 4
    assert reads_until(RecordingPace(), 0.4) >= 8  # what reading at a fixed quick pace costs


def test_the_pace_comes_down_again_once_recording_is_quick() -> None:
    pace = RecordingPace()
    for _ in range(30):
        pace.observe(0.4)
    slow_start = first_pauses(pace, 1)[0]

    for _ in range(30):  # each wait sees the decision at its first read
        pace.observe(first_pauses(pace, 1)[0])

    assert first_pauses(pace, 1)[0] < slow_start / 10


def test_the_first_read_waits_no_longer_than_the_latest_first_read_however_slow_recording_was() -> None:
    pace = RecordingPace()
    for _ in range(30):
        pace.observe(30.0)

    assert first_pauses(pace, 2) == [LATEST_FIRST_READ, LONGEST_PAUSE]


def test_a_clock_that_went_backwards_does_not_make_the_pace_negative() -> None:
    pace = RecordingPace()
    pace.observe(-5.0)

    assert pace.seconds >= 0
    assert first_pauses(pace, 1)[0] == QUICKEST_FIRST_READ
