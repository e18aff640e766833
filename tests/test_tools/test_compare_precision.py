"""tools/analysis/benchmarks/compare_precision.py: the summary of paired float32 / bfloat16
runs."""

import pytest

from helpers import REPO, load_tool, write_metrics

TOOL = REPO / 'tools/analysis/benchmarks/compare_precision.py'


def test_summary_of_paired_runs():
    tool = load_tool(TOOL)
    per_seed = {
        0: dict(float32=dict(mIoU=24.0, seconds=100.0), bfloat16=dict(mIoU=22.0, seconds=50.0)),
        1: dict(float32=dict(mIoU=20.0, seconds=120.0), bfloat16=dict(mIoU=21.0, seconds=80.0)),
    }
    summary = tool.summary(per_seed)
    assert summary['mean_mIoU'] == dict(float32=22.0, bfloat16=21.5)
    assert summary['mean_difference'] == -0.5  # (-2 + 1) / 2
    assert summary['stdev_difference'] == pytest.approx(2.1213, abs=1e-4)  # sd of (-2, 1)
    assert summary['speedup'] == pytest.approx((2.0 + 1.5) / 2)


def test_final_miou_reads_the_last_validation(tmp_path):
    tool = load_tool(TOOL)
    with pytest.raises(FileNotFoundError, match='no metrics.json'):
        tool.final_miou(tmp_path)
    write_metrics(tmp_path / '20260101_000000', dict(overall=dict(mIoU=12.5)))
    assert tool.final_miou(tmp_path) == 12.5
