from mmseg_heritage.benchmarks import alternate, per_second, timed


def test_rounds_alternate_and_rates_come_from_the_median():
    calls = []
    runs = {name: lambda name=name: calls.append(name) or len(calls) for name in 'AB'}
    assert alternate(runs, 3) == dict(A=[1, 3, 5], B=[2, 4, 6])
    assert calls == list('ABABAB')
    # 4 images per round; the median round (2 s) counts, not the slow outlier.
    assert per_second(4, [2.0, 9.0, 1.5]) == 2.0
    ticks = iter([10.0, 12.5])
    assert timed(lambda: None, 3, lambda: next(ticks)) == 2.5
