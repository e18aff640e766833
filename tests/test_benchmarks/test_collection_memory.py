import pytest

from mmseg_heritage.benchmarks.collection_memory import memory_growth


def test_growth_is_measured_from_the_end_of_the_warm_up():
    rss = [100.0, 300.0, 400.0, 410.0, 405.0, 440.0, 420.0]
    growth = memory_growth(rss, warmup=3)
    assert growth['after_warmup_mib'] == 400.0 and growth['most_after_warmup_mib'] == 440.0
    assert growth['growth_percent'] == 10.0 and growth['last_growth_percent'] == 5.0
    with pytest.raises(ValueError, match='do not go past a warm-up of 7'):
        memory_growth(rss, warmup=7)
