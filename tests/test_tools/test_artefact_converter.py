import numpy as np

from mmseg_heritage.datasets import read_metadata
from mmseg_heritage.datasets.preparation.synthetic import (encode_image_cell, write_parquet_shard,
                                                           write_synthetic_parquet)

from helpers import REPO, run_main

TOOL = REPO / 'tools/dataset_converters/artefact.py'


def test_converts_shards_and_names_the_bad_row(tmp_path, capsys):
    write_synthetic_parquet(tmp_path / 'shards', 4, num_shards=2, size=48)
    bad_mask = encode_image_cell(np.full((8, 8), 20, np.uint8))
    write_parquet_shard(tmp_path / 'shards/extra/broken.parquet',
                        [dict(id='broken_one', image=bad_mask, annotation=bad_mask)], 1)
    out = tmp_path / 'artefact'
    result = run_main(TOOL, tmp_path / 'shards', '-o', out, '--max-long-side', '32',
                      '--image-format', 'jpg', '--split-ratios', '0.5', '0.25', '0.25',
                      '--no-progress', capsys=capsys)
    assert result.returncode == 0, result.stdout + result.stderr
    assert 'converted 4 images, kept 0 from an earlier run, skipped 1 bad rows' in result.stdout
    assert "skipped 'broken_one' (extra/broken.parquet, row 0): annotation has unknown " \
           'values 20' in result.stdout
    assert str(out) in result.stdout
    rows = read_metadata(out)
    assert len(rows) == 4 and all(r['width'] == 32 for r in rows)
    assert all((out / 'images' / f"{r['id']}.jpg").is_file() for r in rows)


def test_an_empty_folder_fails_clearly(tmp_path, capsys):
    (tmp_path / 'empty').mkdir()
    result = run_main(TOOL, tmp_path / 'empty', '-o', tmp_path / 'out', capsys=capsys)
    assert result.returncode == 1
    assert 'no *.parquet files found' in result.stderr
