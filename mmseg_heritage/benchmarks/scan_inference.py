"""Time and peak memory of predicting one large scan: loading alone, MMSeg's inferencer, or a
prediction script. Each is meant for a process of its own
(:func:`~.fresh_process.run_in_fresh_process`), whose peak RSS is then its own.

Every function takes a ``spec``: ``config`` (file), ``options`` (merged into it), ``checkpoint``,
``image`` and ``out_dir``; :func:`predict_with_script` takes ``script`` and ``argv`` instead.
"""
import runpy
import sys
import time
from pathlib import Path
from typing import Callable, Optional

import numpy as np
import torch
from mmengine.config import Config
from mmseg.registry import MODELS
from mmseg.utils import register_all_modules

from ..apis import DamageInferencer, read_image
from ..class_names import CLASSES, PALETTE
from .process_memory import peak_rss_mib


def random_checkpoint(config: str, path: Path, options: Optional[dict] = None) -> None:
    """Save the randomly initialised model of ``config`` (seed 0; with ``options``, as
    ``--cfg-options`` change it), with the class names, as a checkpoint: speed and memory do
    not depend on the weights."""
    register_all_modules()
    torch.manual_seed(0)
    cfg = Config.fromfile(config)
    cfg.merge_from_dict(options or {})
    model = MODELS.build(cfg.model)
    torch.save(dict(meta=dict(dataset_meta=dict(classes=CLASSES, palette=PALETTE)),
                    state_dict=model.state_dict()), path)


def _timed_run(run: Callable[[], None]) -> dict:
    start = time.perf_counter()
    run()
    return dict(seconds=round(time.perf_counter() - start, 2), peak_rss_mib=peak_rss_mib())


def _config(spec: dict) -> Config:
    cfg = Config.fromfile(spec['config'])
    cfg.merge_from_dict(spec['options'])
    return cfg


def load_model_and_scan(spec: dict) -> dict:
    """Load the model and read the image only: the baseline the predictions start from.

    Returns:
        dict: ``seconds`` and ``peak_rss_mib``.
    """
    cfg = _config(spec)

    def load() -> None:
        DamageInferencer(cfg, spec['checkpoint'], device='cpu')
        read_image(spec['image'])

    return _timed_run(load)


def predict_with_mmseg_inferencer(spec: dict) -> dict:
    """Predict with MMSeg's ``MMSegInferencer``; the mask goes to ``out_dir/stock_mask.npy``.

    Returns:
        dict: ``seconds`` and ``peak_rss_mib``.
    """
    from mmseg.apis import MMSegInferencer
    cfg = _config(spec)

    def predict() -> None:
        inferencer = MMSegInferencer(cfg, spec['checkpoint'], device='cpu')
        mask = inferencer(spec['image'])['predictions']
        np.save(Path(spec['out_dir']) / 'stock_mask.npy', mask.astype(np.uint8))

    return _timed_run(predict)


def predict_with_script(spec: dict) -> dict:
    """Run a prediction script (``tools/infer.py``) as its command line would, in this process.

    Args:
        spec (dict): ``script`` (file) and ``argv`` (its arguments).

    Returns:
        dict: ``seconds`` and ``peak_rss_mib``.

    Raises:
        RuntimeError: The script exited with an error status.
    """
    def run() -> None:
        sys.argv = [spec['script'], *spec['argv']]
        try:
            runpy.run_path(spec['script'], run_name='__main__')
        except SystemExit as exit_:
            if exit_.code:
                raise RuntimeError(f"{spec['script']} exited with {exit_.code}") from None

    return _timed_run(run)
