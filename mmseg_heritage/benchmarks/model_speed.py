"""Every speed figure of one config's model, measured in a process of its own."""
import copy
import os
import tempfile
from pathlib import Path

import torch
from mmengine.config import Config
from mmseg.utils import register_all_modules

from .in_memory_crops import packed_image
from .inference_speed import inference_figures
from .loader_speed import loader_workers
from .model_complexity import model_complexity
from .process_memory import cuda_peak_mib, peak_rss_mib
from .speed_config import speed_config
from .speed_switches import INFER_SWITCHES, TRAIN_SWITCHES, inference_switch, train_switch
from .timing import device_clock
from .training_speed import train_through_runner

SWITCHES = ('channels_last', 'bf16', 'compile', 'workers')


def model_speed(spec: dict) -> dict:
    """Training and inference speed of one config's model, with random weights.

    Run it through :func:`~.fresh_process.run_in_fresh_process`, so that its peak RSS is its
    own. Training runs through MMEngine's Runner on in-memory crops (data loading left out);
    a rate is the median of ``rounds`` rounds of ``iters`` steps after ``warmup`` steps.

    Args:
        spec (dict): ``config`` (file) and ``settings``: ``batch_size``, ``crop``, ``iters``,
            ``warmup``, ``rounds``, ``compare`` (also time a plain PyTorch loop),
            ``switches`` (of ``SWITCHES``, each against float32) and ``slide_size`` (H, W).

    Returns:
        dict: The figures: training (``train_images_per_s``, ``peak_rss_mib`` once warm, the
        framework overhead with ``compare``), inference (whole and sliding window, MMSeg's
        against ours), ``switches``, ``peak_rss_mib_process`` and ``params`` and ``flops``
        as :func:`~.model_complexity.model_complexity` counts them (CUDA memory on a GPU).
    """
    register_all_modules(init_default_scope=True)
    torch.manual_seed(0)
    settings = dict(spec['settings'], device='cuda' if torch.cuda.is_available() else 'cpu')
    clock = device_clock(settings['device'])
    config = Path(spec['config'])
    cfg = speed_config(Config.fromfile(str(config)), settings['crop'])
    result = dict(config=spec['config'], threads=torch.get_num_threads())
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        # An empty cache: compile_seconds is what a first run pays, whatever ran before.
        os.environ['TORCHINDUCTOR_CACHE_DIR'] = str(tmp / 'inductor')
        runner, figures = train_through_runner(copy.deepcopy(cfg), tmp / 'work_dir', settings,
                                               clock)
        result.update(figures)
        result['switch_method'] = ('train_step (data preprocessor, forward, losses, optim '
                                   'wrapper update) without the Runner\'s hooks; inference '
                                   'test_step')
        switches = {}
        for name in settings['switches']:
            if name in TRAIN_SWITCHES:
                switches[name] = train_switch(name, runner, cfg, settings, clock)
        model = runner.model
        with torch.no_grad():
            result.update(inference_figures(model, settings, clock))
            whole = packed_image(0, settings['crop'])['inputs']
            for name in settings['switches']:
                if name in INFER_SWITCHES:
                    switches[name].update(inference_switch(name, model, whole, settings,
                                                           clock))
        if 'workers' in settings['switches']:
            switches['workers'] = loader_workers(cfg, settings, result['train_images_per_s'],
                                                 tmp)
        result['switches'] = switches
        result['peak_rss_mib_process'] = peak_rss_mib()
        if settings['device'] == 'cuda':
            result['cuda_max_allocated_mib_process'] = cuda_peak_mib()
        complexity = model_complexity(config, (settings['crop'], ) * 2)
        result.update(params=complexity['params'], flops=complexity['flops'])
    return result
