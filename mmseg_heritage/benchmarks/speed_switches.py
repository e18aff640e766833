"""Speed options (channels-last, bfloat16, torch.compile), each timed against float32."""
import copy
import statistics
from typing import Callable

import torch
from mmengine.optim import build_optim_wrapper

from .inference_speed import predict
from .timing import alternate, per_second, ratio, timed
from .training_speed import first_batch

TRAIN_SWITCHES = ('channels_last', 'bf16', 'compile')
INFER_SWITCHES = ('channels_last', 'bf16')  # mmengine compiles only the training step


def channels_last(model):
    """``model`` with its weights and its input images in channels-last memory format."""

    def inputs_channels_last(module, args, kwargs):
        if args:
            args = (args[0].contiguous(memory_format=torch.channels_last), ) + args[1:]
        else:
            kwargs['inputs'] = kwargs['inputs'].contiguous(memory_format=torch.channels_last)
        return args, kwargs

    model.to(memory_format=torch.channels_last)
    model.register_forward_pre_hook(inputs_channels_last, with_kwargs=True)
    return model


def train_switch(name: str, runner, cfg, settings: dict, clock: Callable[[], float]) -> dict:
    """Training images/s with one switch against float32, both through ``train_step``.

    Args:
        name (str): One of ``TRAIN_SWITCHES``.
        runner: A Runner that has trained (its model and optim wrapper are the baseline).
        cfg (Config): Its config (``optim_wrapper``, ``compile`` options).
        settings (dict): ``batch_size``, ``warmup``, ``iters`` and ``rounds``.
        clock (callable): Time source.

    Returns:
        dict: ``train_images_per_s``, ``baseline_train_images_per_s``, ``train_ratio``; for
        ``compile`` also ``compile_seconds`` (warm-up time beyond its steps).
    """
    model, optim_wrapper = runner.model, runner.optim_wrapper
    batch = first_batch(runner, settings['batch_size'])
    switched = copy.deepcopy(model)
    wrapper_cfg = copy.deepcopy(cfg.optim_wrapper)
    if name == 'channels_last':
        channels_last(switched)
    elif name == 'bf16':
        wrapper_cfg.type = 'BF16OptimWrapper'
    switched_wrapper = build_optim_wrapper(switched, wrapper_cfg)
    if name == 'compile':
        # As the Runner does for cfg.compile (True or a dict of torch.compile's options).
        options = cfg.get('compile')
        switched.train_step = torch.compile(switched.train_step,
                                            **(options if isinstance(options, dict) else {}))
    steps = dict(baseline=lambda: model.train_step(batch, optim_wrapper),
                 switched=lambda: switched.train_step(batch, switched_wrapper))
    warmup = [timed(steps['switched'], 1, clock) for _ in range(settings['warmup'])]
    seconds = alternate({key: lambda step=step: timed(step, settings['iters'], clock)
                         for key, step in steps.items()}, settings['rounds'])
    images = settings['batch_size'] * settings['iters']
    result = dict(train_images_per_s=per_second(images, seconds['switched']),
                  baseline_train_images_per_s=per_second(images, seconds['baseline']))
    result['train_ratio'] = ratio(result['train_images_per_s'],
                                  result['baseline_train_images_per_s'])
    if name == 'compile':
        step_seconds = statistics.median(seconds['switched']) / settings['iters']
        result['compile_seconds'] = round(sum(warmup) - len(warmup) * step_seconds, 2)
    return result


def inference_switch(name: str, model, image: torch.Tensor, settings: dict,
                     clock: Callable[[], float]) -> dict:
    """Whole-image inference images/s with one switch against float32.

    Args:
        name (str): One of ``INFER_SWITCHES``.
        model: A segmentor in eval mode with a ``whole`` test_cfg, under ``torch.no_grad``.
        image (torch.Tensor): BGR uint8 3 x H x W.
        settings (dict): ``warmup``, ``iters`` and ``rounds``.
        clock (callable): Time source.

    Returns:
        dict: ``infer_whole_images_per_s``, ``baseline_infer_whole_images_per_s`` and
        ``infer_whole_ratio``.
    """
    if name == 'channels_last':
        switched = channels_last(copy.deepcopy(model))

        def switched_step():
            return predict(switched, image)
    else:
        device_type = next(model.parameters()).device.type

        def switched_step():
            with torch.autocast(device_type, dtype=torch.bfloat16):
                return predict(model, image)

    timed(switched_step, settings['warmup'], clock)
    seconds = alternate(dict(
        baseline=lambda: timed(lambda: predict(model, image), settings['iters'], clock),
        switched=lambda: timed(switched_step, settings['iters'], clock)), settings['rounds'])
    result = dict(infer_whole_images_per_s=per_second(settings['iters'], seconds['switched']),
                  baseline_infer_whole_images_per_s=per_second(settings['iters'],
                                                               seconds['baseline']))
    result['infer_whole_ratio'] = ratio(result['infer_whole_images_per_s'],
                                        result['baseline_infer_whole_images_per_s'])
    return result
