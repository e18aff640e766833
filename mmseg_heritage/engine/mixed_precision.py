"""Mixed-precision training on the device at hand: float16 on GPUs, bfloat16 on CPUs."""
import logging

from mmengine.logging import print_log

# Devices on which mmengine's AmpOptimWrapper (float16 with loss scaling) runs.
AMP_DEVICES = ('cuda', 'npu', 'mlu', 'musa')
MIXED_PRECISION_WRAPPERS = ('AmpOptimWrapper', 'BF16OptimWrapper')


def mixed_precision_cfg(optim_wrapper: dict, device: str) -> dict:
    """The optim wrapper config for mixed-precision training on ``device``.

    On a GPU (``AMP_DEVICES``) a plain ``OptimWrapper`` becomes MMSeg's choice for ``--amp``,
    ``AmpOptimWrapper`` with dynamic loss scaling. Elsewhere (CPU) mmengine's
    ``AmpOptimWrapper`` refuses to start, so ``OptimWrapper`` and ``AmpOptimWrapper`` both
    become :class:`~mmseg_heritage.engine.BF16OptimWrapper` (its loss-scaling settings are
    dropped: bfloat16 needs none), with a logged line saying so.

    Args:
        optim_wrapper (dict): The config's ``optim_wrapper``.
        device (str): Device type of the run, e.g. mmengine's ``get_device()``.

    Returns:
        dict: A new optim wrapper config; ``optim_wrapper`` itself is left unchanged.

    Raises:
        ValueError: For another wrapper type, which may not allow mixed precision.
    """
    cfg = dict(optim_wrapper)
    kind = cfg.get('type', 'OptimWrapper')
    on_gpu = device in AMP_DEVICES
    if (kind == 'AmpOptimWrapper' and on_gpu) or kind == 'BF16OptimWrapper':
        print_log(f'Mixed-precision training is already enabled in your config ({kind}).',
                  logger='current', level=logging.WARNING)
        return cfg
    if kind not in ('OptimWrapper', 'AmpOptimWrapper'):
        raise ValueError('mixed precision is only supported when the optimizer wrapper type '
                         f'is OptimWrapper or one of {MIXED_PRECISION_WRAPPERS}, got {kind}')
    if on_gpu:
        return dict(cfg, type='AmpOptimWrapper', loss_scale='dynamic')
    for key in ('loss_scale', 'dtype', 'use_fsdp'):
        cfg.pop(key, None)
    print_log(f'No GPU ({device}): mixed-precision training in bfloat16 with '
              'BF16OptimWrapper (mmengine\'s float16 AmpOptimWrapper needs a GPU).',
              logger='current', level=logging.INFO)
    return dict(cfg, type='BF16OptimWrapper')
