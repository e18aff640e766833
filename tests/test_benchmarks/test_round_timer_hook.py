from mmseg_heritage.benchmarks.round_timer_hook import RoundTimerHook


def test_round_timer_alternates_framework_and_plain_rounds():
    now = [0.0]
    plain_rounds = []

    def plain_round() -> float:
        plain_rounds.append(now[0])
        now[0] += 100  # the plain round's time is its own, not the framework's
        return 100.0

    timer = RoundTimerHook(warmup=2, iters=3, clock=lambda: now[0],
                           after_warmup=lambda runner: plain_rounds.append('warm'),
                           between_rounds=plain_round)
    for batch_idx in range(2 + 2 * 3):
        now[0] += 1 + batch_idx  # iterations of 1, 2, 3, ... seconds
        timer.after_train_iter(None, batch_idx)
    assert timer.seconds == [3 + 4 + 5, 6 + 7 + 8]
    assert timer.between_seconds == [100.0, 100.0] and plain_rounds[0] == 'warm'
