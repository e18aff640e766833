import numpy as np
import pytest

from mmseg_heritage.benchmarks.collection_memory import memory_growth


def test_growth_is_measured_from_the_end_of_the_warm_up():
    rss = [100.0, 300.0, 400.0, 410.0, 405.0, 440.0, 420.0]
    growth = memory_growth(rss, warmup=3)
    assert growth['after_warmup_mib'] == 400.0 and growth['most_after_warmup_mib'] == 440.0
    assert growth['growth_percent'] == 10.0 and growth['last_growth_percent'] == 5.0
    with pytest.raises(ValueError, match='do not go past a warm-up of 7'):
        memory_growth(rss, warmup=7)


def test_the_level0_tile_set_serves_the_synthetic_scan(tmp_path):
    from mmseg_heritage.apis.iiif import IIIFClient, IIIFScan
    from mmseg_heritage.benchmarks.collection_memory import (serve_folder, synthetic_scan,
                                                             write_level0_tiles)
    with serve_folder(tmp_path) as url:
        for size in ((300, 700), (100, 120)):  # several tiles; one tile, named by its size
            write_level0_tiles(tmp_path, f'{size[0]}', size, url, tile=128)
            rows = IIIFScan(f'{url}/{size[0]}/info.json', IIIFClient()).image_rows()
            read = rows.read().astype(int)
            assert read.shape == (*size, 3)
            assert np.abs(read - synthetic_scan(size, tile=128)).mean() < 8  # JPEG's noise only
