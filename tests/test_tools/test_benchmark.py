"""tools/analysis/benchmarks/benchmark_{infer,model}.py run and write their JSON (the figures
themselves are not asserted)."""
import json
import math

import pytest
from mmengine.config import Config
from mmseg.registry import MODELS

from helpers import DEMO_CONFIG, REPO, load_tool

TOOLS = REPO / 'tools/analysis/benchmarks'


def test_infer_benchmark_writes_side_by_side_figures(tmp_path):
    out = tmp_path / 'infer.json'
    assert load_tool(TOOLS / 'benchmark_infer.py').main([
        '--cases', 'unet_384_native', '--height', '320', '--width', '576', '--out',
        str(out)]) == 0
    case = json.loads(out.read_text())['cases']['unet_384_native']
    assert set(case['runs']) == {'load', 'stock', 'tool'}
    for run in case['runs'].values():
        assert run['seconds'] > 0 and run['peak_rss_mib'] > 100
    # Tiled prediction gives MMSeg's labels, here at full resolution in 384 px tiles (in two
    # processes, each with its own threads: a near-tie may go either way).
    assert case['masks_agree'] >= 0.999
    assert case['extra_peak_ratio_tool_to_stock'] > 0 and case['time_ratio_tool_to_stock'] > 0


def test_model_benchmark_writes_side_by_side_figures(tmp_path):
    out = tmp_path / 'model.json'
    assert load_tool(TOOLS / 'benchmark_model.py').main([
        str(DEMO_CONFIG), '--batch-size', '1', '--crop', '64', '--iters', '1', '--warmup', '1',
        '--rounds', '2', '--compare', '--switches', 'channels_last', 'bf16', '--slide-size', '96',
        '128', '--out', str(out)]) == 0
    results = json.loads(out.read_text())
    assert results['benchmark'] == 'model' and results['settings']['crop'] == 64
    figures = results['configs']['configs/demo/unet_s_synthetic_160.py']
    for key in ('train_images_per_s', 'plain_train_images_per_s', 'infer_whole_images_per_s',
                'infer_slide_images_per_s', 'infer_slide_tiled_images_per_s', 'peak_rss_mib',
                'peak_rss_mib_process', 'flops'):
        assert figures[key] > 0, key
    assert len(figures['round_seconds']['framework']) == 2  # --rounds
    assert math.isfinite(figures['framework_overhead'])
    # Tiled prediction gives the labels of MMSeg's slide inference.
    assert figures['slide_agreement'] == 1.0
    assert figures['slide']['crop_size'] == [64, 64] and figures['slide']['stride'] == [42, 42]
    model = MODELS.build(Config.fromfile(DEMO_CONFIG).model)
    assert figures['params'] == sum(p.numel() for p in model.parameters())
    for name in ('channels_last', 'bf16'):
        switch = figures['switches'][name]
        for key in ('train_images_per_s', 'baseline_train_images_per_s', 'train_ratio',
                    'infer_whole_images_per_s', 'baseline_infer_whole_images_per_s',
                    'infer_whole_ratio'):
            assert switch[key] > 0, (name, key)


def test_backends_benchmark_writes_side_by_side_figures(tmp_path, synthetic_root):
    out = tmp_path / 'backends.json'
    assert load_tool(TOOLS / 'benchmark_backends.py').main([
        '--models', 'demo', '--data-root', str(synthetic_root), '--crop', '64',
        '--crop-images', '1', '--iters', '1', '--warmup', '1', '--rounds', '2',
        '--scan-rounds', '1', '--height', '96', '--width', '128', '--calibration-tiles', '2',
        '--no-memory', '--backends', 'onnxruntime_fp32', 'onnxruntime_int8',
        '--out', str(out)]) == 0
    demo = json.loads(out.read_text())['models']['demo']
    assert demo['weights'] == 'random (seed 0)' and 'int8_accuracy' not in demo
    for case in ('crops', 'scan'):
        # The backends asked for, and PyTorch fp32, the reference, always.
        assert set(demo[case]) - {'image', 'tile_size'} == {
            'pytorch_fp32', 'onnxruntime_fp32', 'onnxruntime_int8'}
        for figures in (demo[case][name] for name in demo[case] if name.startswith('py')
                        or name.startswith('onnx')):
            assert figures['images_per_s'] > 0 and figures['megapixels_per_s'] > 0
            assert figures['seconds_per_round']['min_s'] <= figures['seconds_per_round'][
                'max_s']
        assert demo[case]['pytorch_fp32']['speedup'] == 1.0
        # Two backends: a near-tie may go either way.
        assert demo[case]['onnxruntime_fp32']['label_agreement'] >= 0.999
    assert demo['scan']['image'] == [96, 128] and demo['scan']['tile_size'] == [384, 384]
    assert demo['export']['checks'][0]['label_agreement'] >= 0.999
    assert demo['int8']['tiles'] == 2


def test_benchmark_arguments():
    backends = load_tool(TOOLS / 'benchmark_backends.py')
    assert backends.parse_args([]).backends == [
        'pytorch_fp32', 'pytorch_bf16', 'onnxruntime_fp32', 'onnxruntime_int8']
    with pytest.raises(SystemExit):
        backends.parse_args(['--backends', 'tensorrt'])
    model = load_tool(TOOLS / 'benchmark_model.py')
    args = model.parse_args([str(DEMO_CONFIG), '--iters', '3'])
    assert args.configs == [str(DEMO_CONFIG)] and args.iters == 3
    with pytest.raises(SystemExit) as error:
        model.parse_args([str(DEMO_CONFIG), '--rounds', '0'])
    assert error.value.code == 2
    assert load_tool(TOOLS / 'benchmark_infer.py').parse_args(['--height', '30']).height == 30


def test_model_benchmark_names_a_missing_config(tmp_path, capsys):
    out = tmp_path / 'model.json'
    missing = tmp_path / 'missing.py'
    assert load_tool(TOOLS / 'benchmark_model.py').main([str(missing), '--out', str(out)]) == 1
    assert f'error: config not found: {missing}' in capsys.readouterr().err
    assert not out.exists()
