"""A model's speed on a GPU: training images/s with mixed precision (``--amp``) and inference
images/s by batch size and autocast precision. On a machine without GPU the same code runs on
the CPU (bfloat16 training), for trying it out at small sizes.

Run :func:`gpu_speed` through :func:`~.fresh_process.run_in_fresh_process`.
"""
import copy
import tempfile
from pathlib import Path

import torch
from mmengine.config import Config
from mmseg.utils import register_all_modules

from ..engine.mixed_precision import mixed_precision_cfg
from .process_memory import cuda_peak_mib, peak_rss_mib
from .speed_config import speed_config
from .timing import alternate, device_clock, per_second, timed
from .training_speed import train_through_runner

DTYPES = dict(fp32=torch.float32, fp16=torch.float16, bf16=torch.bfloat16)


def device_record() -> dict:
    """The GPU (or CPU) and the versions that ran the figures."""
    record = dict(torch=torch.__version__, cuda=torch.version.cuda,
                  cudnn=torch.backends.cudnn.version() if torch.cuda.is_available() else None)
    if torch.cuda.is_available():
        properties = torch.cuda.get_device_properties(0)
        record.update(device=properties.name, memory_gib=round(properties.total_memory / 2**30),
                      multiprocessors=properties.multi_processor_count)
    else:
        record.update(device='cpu', threads=torch.get_num_threads())
    return record


@torch.no_grad()
def inference_rates(model, crop: int, settings: dict, device: str) -> dict:
    """Images/s of ``encode_decode`` and the class ids (what a prediction costs without data
    loading) per batch size, the precisions of each batch size in alternating rounds.

    Args:
        model: A segmentor on ``device``, in eval mode.
        crop (int): Image side.
        settings (dict): ``batch_sizes``, ``precisions`` (of ``DTYPES``: autocast dtypes,
            fp32 none), ``warmup``, ``iters`` and ``rounds``.
        device (str): 'cuda' or 'cpu'.

    Returns:
        dict: ``batch_<n>`` -> precision -> images/s.
    """
    clock = device_clock(device)
    rates = {}
    for batch_size in settings['batch_sizes']:
        inputs = torch.randn(batch_size, 3, crop, crop, device=device)
        metas = [dict(img_shape=(crop, crop), pad_shape=(crop, crop))] * batch_size

        def step(precision, inputs=inputs, metas=metas):
            dtype = DTYPES[precision]
            with torch.autocast(device, dtype=dtype, enabled=dtype != torch.float32):
                return model.encode_decode(inputs, metas).argmax(1)

        steps = {p: lambda p=p: step(p) for p in settings['precisions']}
        for run in steps.values():
            timed(run, settings['warmup'], clock)
        seconds = alternate({p: lambda run=run: timed(run, settings['iters'], clock)
                             for p, run in steps.items()}, settings['rounds'])
        rates[f'batch_{batch_size}'] = {p: per_second(batch_size * settings['iters'], s)
                                        for p, s in seconds.items()}
    return rates


def gpu_speed(spec: dict) -> dict:
    """Training with mixed precision and inference of one config's model, random weights.

    Args:
        spec (dict): ``config``, ``crop``, ``train`` (``batch_size``, ``warmup``, ``iters``,
            ``rounds``) and ``infer`` (see :func:`inference_rates`).

    Returns:
        dict: ``device``, ``train`` (images/s through MMEngine's Runner with the optim
        wrapper ``--amp`` chooses: float16 ``AmpOptimWrapper`` on a GPU, bfloat16 on a CPU),
        ``infer`` (:func:`inference_rates`), peak memory.
    """
    register_all_modules(init_default_scope=True)
    torch.manual_seed(0)
    device = 'cuda' if torch.cuda.is_available() else 'cpu'
    torch.backends.cudnn.benchmark = True  # fixed sizes: let cuDNN pick its fastest kernels
    cfg = speed_config(Config.fromfile(spec['config']), spec['crop'])
    cfg.optim_wrapper = mixed_precision_cfg(cfg.optim_wrapper, device)
    settings = dict(spec['train'], crop=spec['crop'], device=device, compare=False)
    with tempfile.TemporaryDirectory() as tmp:
        runner, figures = train_through_runner(copy.deepcopy(cfg), Path(tmp), settings,
                                               device_clock(device))
    model = runner.model.eval()
    result = dict(config=spec['config'], device=device_record(), crop=spec['crop'],
                  train=dict(figures, batch_size=settings['batch_size'],
                             optim_wrapper=cfg.optim_wrapper['type']),
                  infer=inference_rates(model, spec['crop'], spec['infer'], device),
                  infer_settings=spec['infer'], peak_rss_mib=peak_rss_mib())
    if device == 'cuda':
        result['cuda_max_allocated_mib'] = cuda_peak_mib()
    return result
