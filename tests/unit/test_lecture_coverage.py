"""Coverage of a lecture video: 100 slices, a slice counts when a played range covers its middle, a heartbeat adds
at most what could have been played since the previous one."""

from chalicelib.lectures import coverage


def test_slices_whose_middle_was_played():
    assert coverage.covered([(0, 100)], 100) == list(range(100))
    assert coverage.covered([(0, 0.4)], 100) == []  # slice 0's middle is 0.5 s
    assert coverage.covered([(0.5, 1.5)], 100) == [0, 1]
    assert coverage.covered([(95, 100)], 100) == [95, 96, 97, 98, 99]
    assert coverage.covered([(10, 5), (200, 300)], 100) == []  # backwards, or past the end
    assert coverage.covered([(0, 36)], 3600) == [0]  # 36 s slices of an hour


def test_merge_is_idempotent_and_bounded_by_the_time_since_the_last_heartbeat():
    bits, added = coverage.merge(0, [(0, 60)], 100, None)
    assert added == 60 and coverage.count(bits) == 60
    again, added = coverage.merge(bits, [(0, 60)], 100, 30)
    assert again == bits and added == 0
    # A whole hour claimed at once: the first heartbeat gets SLACK_S (90 s) worth of slices.
    bits, added = coverage.merge(0, [(0, 3600)], 3600, None)
    assert added == coverage.budget(None, 3600) == 3 and coverage.count(bits) == 3
    # 10 minutes later, at most 2× that: 90 + 1200 s → 36 slices of 36 s.
    _, added = coverage.merge(bits, [(0, 3600)], 3600, 600)
    assert added == coverage.budget(600, 3600) == 36


def test_hex_round_trip_and_percent():
    bits = (1 << 100) - 1
    assert coverage.parse(coverage.dump(bits)) == bits and coverage.percent(bits) == 100
    assert coverage.parse(None) == 0 and coverage.percent(0) == 0
    assert coverage.count(coverage.parse(coverage.dump(0b1011))) == 3
