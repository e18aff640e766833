"""PyTorch fp32 and bf16 against ONNX Runtime fp32 and int8 on one model, side by side: speed on
crops and on a large scan, labels against PyTorch fp32, the int8 model's accuracy, and each
backend's peak memory on the scan in a process of its own.

Run :func:`backend_speed` and :func:`scan_memory` through
:func:`~.fresh_process.run_in_fresh_process`.
"""
import copy
import statistics
import time
from pathlib import Path
from typing import Callable, Dict

import numpy as np
import torch
from mmengine.config import Config
from mmseg.utils import register_all_modules

from ..apis import DamageInferencer, OnnxDamageInferencer, predict_labels, read_image
from ..datasets.preparation import make_sample, split_files
from ..deployment import export_onnx, quantize_int8, score_backends
from .process_memory import peak_rss_mib, reset_peak_rss, rss_mib
from .timing import alternate, timed

BACKENDS = ('pytorch_fp32', 'pytorch_bf16', 'onnxruntime_fp32', 'onnxruntime_int8')
REFERENCE = 'pytorch_fp32'


def build_backends(spec: dict, names=BACKENDS) -> Dict[str, object]:
    """The inferencers of ``names`` for ``spec`` (see :func:`backend_speed`), sharing one
    PyTorch model between fp32 and bf16."""
    tiles = dict(tile_size=spec['tile_size'] and tuple(spec['tile_size']),
                 tile_stride=spec['tile_stride'] and tuple(spec['tile_stride']),
                 native_resolution=spec['native_resolution'])
    inferencers = {}
    if any(name.startswith('pytorch') for name in names):
        cfg = Config.fromfile(spec['config'])
        pytorch = DamageInferencer(cfg, spec['checkpoint'], device='cpu', **tiles)
        for name in names:
            if name.startswith('pytorch'):
                inferencers[name] = copy.copy(pytorch)
                inferencers[name].precision = name.split('_')[1]
    for name in names:
        if name.startswith('onnxruntime'):
            inferencers[name] = OnnxDamageInferencer(spec['models'][name.split('_')[1]],
                                                     threads=spec['threads'], **tiles)
    return inferencers


def _crop_step(inferencer, crop: torch.Tensor) -> Callable[[], np.ndarray]:
    """One crop predicted whole (one tile) by an inferencer's model: preprocessing, model,
    class ids; without the test pipeline, whose resize would change the crop."""
    size = tuple(crop.shape[-2:])

    def step() -> np.ndarray:
        with inferencer.autocast():
            return predict_labels(inferencer.model, crop, size, size, size)

    return step


def _agreement(labels: Dict[str, np.ndarray]) -> Dict[str, float]:
    return {name: round(float((value == labels[REFERENCE]).mean()), 6)
            for name, value in labels.items()}


def _spread(seconds) -> dict:
    return dict(median_s=round(statistics.median(seconds), 4), min_s=round(min(seconds), 4),
                max_s=round(max(seconds), 4))


def backend_speed(spec: dict) -> dict:
    """Export, quantise and time one model's four backends side by side.

    Args:
        spec (dict): ``config``, ``checkpoint``, ``work_dir`` (for the model files),
            ``threads``, ``crop`` (side), ``crop_images``, ``iters``, ``warmup``, ``rounds``,
            ``scan`` (image file), ``scan_rounds``, ``native_resolution``, ``tile_size`` and
            ``tile_stride`` (None: the model's), ``data_root`` (converted dataset),
            ``calibration_split``, ``calibration_tiles``, ``test_split`` (None: no accuracy)
            and ``test_images`` (None: all).

    Returns:
        dict: ``export`` and ``int8`` records, ``crops`` and ``scan`` (per backend
        ``images_per_s``, ``megapixels_per_s``, round spread, ``label_agreement`` with
        PyTorch fp32, ``speedup`` over it) and ``int8_accuracy`` (test split scores).
    """
    register_all_modules(init_default_scope=True)
    torch.set_num_threads(spec['threads'])
    work_dir = Path(spec['work_dir'])
    models = dict(fp32=str(work_dir / 'model.fp32.onnx'), int8=str(work_dir / 'model.onnx'))
    export = export_onnx(spec['config'], spec['checkpoint'], models['fp32'],
                         check_size=(spec['crop'], ) * 2)
    calibration = [image for image, _ in split_files(spec['data_root'],
                                                     spec['calibration_split'])]
    int8 = quantize_int8(models['fp32'], models['int8'], calibration, spec['calibration_tiles'],
                         calibration=dict(split=spec['calibration_split']))
    spec = dict(spec, models=models)
    inferencers = build_backends(spec, spec.get('backends') or BACKENDS)
    result = dict(threads=spec['threads'], export=export, int8=int8)

    # Crops, predicted whole: each backend's rounds in turn.
    crops = [torch.from_numpy(make_sample(seed, (spec['crop'], ) * 2).image[..., ::-1]
                              .transpose(2, 0, 1).copy()) for seed in range(spec['crop_images'])]
    labels = {name: np.stack([_crop_step(inf, crop)() for crop in crops])
              for name, inf in inferencers.items()}
    steps = {name: _crop_step(inf, crops[0]) for name, inf in inferencers.items()}
    for step in steps.values():
        timed(step, spec['warmup'])
    seconds = alternate({name: lambda step=step: timed(step, spec['iters'])
                         for name, step in steps.items()}, spec['rounds'])
    megapixels = spec['crop']**2 / 1e6
    result['crops'] = _figures(seconds, spec['iters'], megapixels, _agreement(labels))

    # The scan: one untimed prediction each (labels, warm caches), then alternating rounds.
    scan = read_image(spec['scan'])
    labels = {name: inf.predict(scan) for name, inf in inferencers.items()}
    seconds = alternate({name: lambda inf=inf: timed(lambda: inf.predict(scan), 1)
                         for name, inf in inferencers.items()}, spec['scan_rounds'])
    result['scan'] = _figures(seconds, 1, scan.shape[0] * scan.shape[1] / 1e6,
                              _agreement(labels))
    result['scan']['image'] = list(scan.shape[:2])
    result['scan']['tile_size'] = list(inferencers[REFERENCE].tile_size)

    if spec['test_split']:
        files = split_files(spec['data_root'], spec['test_split'])[:spec['test_images']]
        result['int8_accuracy'] = dict(split=spec['test_split'], **score_backends(
            {name: inferencers[name] for name in (REFERENCE, 'onnxruntime_fp32',
                                                  'onnxruntime_int8') if name in inferencers},
            files))
    return result


def _figures(seconds: dict, count: int, megapixels: float, agreement: dict) -> dict:
    """Rates, spread, agreement and speed-up over PyTorch fp32 of each backend's rounds, all
    from the median round (unrounded: a scan takes minutes, its rate is a small number)."""
    median = {name: statistics.median(rounds) for name, rounds in seconds.items()}
    return {name: dict(images_per_s=round(count / median[name], 5),
                       megapixels_per_s=round(count * megapixels / median[name], 4),
                       rounds=len(rounds), seconds_per_round=_spread(rounds),
                       label_agreement=agreement[name],
                       speedup=round(median[REFERENCE] / median[name], 3))
            for name, rounds in seconds.items()}


def scan_memory(spec: dict) -> dict:
    """Peak memory of one backend predicting the scan, in this (fresh) process.

    Args:
        spec (dict): As for :func:`backend_speed`, plus ``backend`` (one of ``BACKENDS``)
            and ``models`` (``fp32`` and ``int8`` files).

    Returns:
        dict: ``seconds``, ``peak_rss_mib`` (the process) and ``extra_peak_mib`` (above the
        loaded model and scan; None where the peak cannot be reset).
    """
    register_all_modules(init_default_scope=True)
    torch.set_num_threads(spec['threads'])
    inferencer = build_backends(spec, [spec['backend']])[spec['backend']]
    scan = read_image(spec['scan'])
    start_rss, reset = rss_mib(), reset_peak_rss()
    started = time.perf_counter()
    inferencer.predict(scan)
    seconds = time.perf_counter() - started
    return dict(seconds=round(seconds, 2), peak_rss_mib=peak_rss_mib(),
                extra_peak_mib=round(peak_rss_mib() - start_rss, 1) if reset else None)
