"""The throttled browser bench measures a notebook again when the machine's epoch left the range
(tests/benchmark.py, _throttled_tries): it must stop at the first try inside the range, follow the
share between tries, and keep the try nearest the range, chosen by the epoch and never by the
latencies. No browser here: the presses are replaced by a function that returns its try's
medians."""

import pytest

from tests import benchmark


class FakeThrottle:
    ACCEPT = benchmark.Throttle.ACCEPT
    TRIES = benchmark.Throttle.TRIES
    LOW, HIGH = benchmark.Throttle.LOW, benchmark.Throttle.HIGH
    follow = benchmark.Throttle.follow

    def __init__(self, epochs):
        self.share = 0.4
        self.epochs = list(epochs)        # two readings a try: before and after its presses
        self.shares = []

    def epoch(self):
        self.shares.append(self.share)
        return self.epochs.pop(0)


@pytest.fixture
def presses(monkeypatch):
    tries = []

    def fake(browser, server, path, presses, throttle):
        tries.append(throttle.share)
        return {0: 50.0 + 10 * len(tries)}     # try k's median: 60, 70, 80 ms

    monkeypatch.setattr(benchmark, "_press_explorers", fake)
    return tries


def test_the_first_try_inside_the_range_is_kept(presses):
    throttle = FakeThrottle([14.0, 16.0, 99.0, 99.0])
    found, epoch, tries = benchmark._throttled_tries(None, None, None, 10, throttle)
    assert (found, epoch, tries) == ({0: 60.0}, 15.0, 1)


def test_a_try_outside_the_range_is_measured_again_at_a_share_that_followed_it(presses):
    throttle = FakeThrottle([24.0, 26.0, 15.0, 17.0])
    found, epoch, tries = benchmark._throttled_tries(None, None, None, 10, throttle)
    assert (found, epoch, tries) == ({0: 70.0}, 16.0, 2)
    assert presses[1] > presses[0], "an epoch too slow must give the next try a larger share"


def test_none_inside_keeps_the_try_nearest_the_range_by_its_epoch(presses):
    # epochs 25 (7 over), 12 (1.5 under), 30 (12 over): the second is kept although the first's
    # median is lower
    throttle = FakeThrottle([25.0, 25.0, 12.0, 12.0, 30.0, 30.0])
    found, epoch, tries = benchmark._throttled_tries(None, None, None, 10, throttle)
    assert (found, epoch, tries) == ({0: 70.0}, 12.0, 3)
