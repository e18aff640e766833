"""tools/benchmark.py runs and writes its JSON (the figures themselves are not asserted)."""
import json
import subprocess
import sys

from conftest import REPO


def test_infer_benchmark_writes_side_by_side_figures(tmp_path):
    out = tmp_path / 'infer.json'
    result = subprocess.run(
        [sys.executable, str(REPO / 'tools/benchmark.py'), 'infer', '--cases', 'unet_384_native',
         '--height', '320', '--width', '576', '--out', str(out)],
        capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    case = json.loads(out.read_text())['cases']['unet_384_native']
    assert set(case['runs']) == {'load', 'stock', 'tool'}
    for run in case['runs'].values():
        assert run['seconds'] > 0 and run['peak_rss_mib'] > 100
    # Tiled prediction gives MMSeg's labels, here at full resolution in 384 px tiles.
    assert case['masks_agree'] == 1.0
    assert case['extra_peak_ratio_tool_to_stock'] > 0 and case['time_ratio_tool_to_stock'] > 0
