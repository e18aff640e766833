"""tools/benchmark.py runs and writes its JSON (the figures themselves are not asserted)."""
import json
import math
import subprocess
import sys

from conftest import DEMO_CONFIG, REPO
from mmengine.config import Config
from mmseg.registry import MODELS

sys.path.insert(0, str(REPO / 'tools'))
import benchmark  # noqa: E402


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


def test_model_benchmark_writes_side_by_side_figures(tmp_path):
    out = tmp_path / 'model.json'
    result = subprocess.run(
        [sys.executable, str(REPO / 'tools/benchmark.py'), 'model', str(DEMO_CONFIG),
         '--batch-size', '1', '--crop', '64', '--iters', '1', '--warmup', '1', '--compare',
         '--switches', 'channels_last', 'bf16', '--slide-size', '96', '128', '--out', str(out)],
        capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    results = json.loads(out.read_text())
    assert results['benchmark'] == 'model' and results['settings']['crop'] == 64
    figures = results['configs']['configs/demo/unet_s_synthetic_160.py']
    for key in ('train_images_per_s', 'plain_train_images_per_s', 'infer_whole_images_per_s',
                'infer_slide_images_per_s', 'infer_slide_tiled_images_per_s', 'peak_rss_mib',
                'peak_rss_mib_process', 'flops'):
        assert figures[key] > 0, key
    assert len(figures['round_seconds']['framework']) == 5  # the default --rounds
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


def test_rounds_alternate_and_rates_come_from_the_median():
    calls = []
    runs = {name: lambda name=name: calls.append(name) or len(calls) for name in 'AB'}
    assert benchmark.alternate(runs, 3) == dict(A=[1, 3, 5], B=[2, 4, 6])
    assert calls == list('ABABAB')
    # 4 images per round; the median round (2 s) counts, not the slow outlier.
    assert benchmark.per_second(4, [2.0, 9.0, 1.5]) == 2.0
    ticks = iter([10.0, 12.5])
    assert benchmark.timed(lambda: None, 3, lambda: next(ticks)) == 2.5


def test_round_timer_alternates_framework_and_plain_rounds():
    now = [0.0]
    plain_rounds = []

    def plain_round() -> float:
        plain_rounds.append(now[0])
        now[0] += 100  # the plain round's time is its own, not the framework's
        return 100.0

    timer = benchmark.RoundTimerHook(warmup=2, iters=3, clock=lambda: now[0],
                                     after_warmup=lambda runner: plain_rounds.append('warm'),
                                     between_rounds=plain_round)
    for batch_idx in range(2 + 2 * 3):
        now[0] += 1 + batch_idx  # iterations of 1, 2, 3, ... seconds
        timer.after_train_iter(None, batch_idx)
    assert timer.seconds == [3 + 4 + 5, 6 + 7 + 8]
    assert timer.between_seconds == [100.0, 100.0] and plain_rounds[0] == 'warm'


def test_benchmark_config_has_random_weights_and_fits_fixed_size_models(tmp_path):
    cfg = benchmark.benchmark_cfg(
        Config.fromfile(REPO / 'configs/poc59/upernet_maxvit_tiny_384.py'), 64)
    model = cfg.model
    assert model.backbone.img_size == (64, 64)
    assert model.data_preprocessor.size == (64, 64)
    assert model.data_preprocessor.test_cfg.size == (64, 64)
    assert model.test_cfg.crop_size == (64, 64) and model.test_cfg.stride == (42, 42)
    assert benchmark.sliding_window(model.test_cfg, 64) == dict(
        mode='slide', crop_size=(64, 64), stride=(42, 42))

    weights = tmp_path / 'class_weights.json'
    weights.write_text('[1.0, 2.0]')
    pretrained = Config(dict(model=dict(
        pretrained='/weights/model.safetensors', data_preprocessor=dict(size_divisor=32),
        backbone=dict(type='X', init_cfg=dict(type='Pretrained', checkpoint='x.pth')),
        decode_head=dict(loss_decode=dict(class_weight=str(weights))),
        auxiliary_head=dict(loss_decode=dict(class_weight=str(tmp_path / 'absent.json'))),
        test_cfg=dict(mode='whole'))))
    model = benchmark.benchmark_cfg(pretrained, 384).model
    assert model.pretrained is None and model.backbone.init_cfg is None
    # A weights file that is not there gives uniform weights; one that is stays.
    assert model.decode_head.loss_decode.class_weight == str(weights)
    assert model.auxiliary_head.loss_decode.class_weight is None
    assert benchmark.sliding_window(model.test_cfg, 384) == dict(
        mode='slide', crop_size=(384, 384), stride=(256, 256))


def test_a_config_first_means_the_model_benchmark():
    args = benchmark.parse_args([str(DEMO_CONFIG), '--iters', '3'])
    assert args.command == 'model' and args.configs == [str(DEMO_CONFIG)] and args.iters == 3
    assert benchmark.parse_args(['infer', '--height', '30']).command == 'infer'
