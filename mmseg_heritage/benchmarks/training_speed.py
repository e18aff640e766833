"""Training images/s through MMEngine's Runner, and a plain PyTorch loop to compare it with."""
import copy
import statistics
from pathlib import Path
from typing import Callable, Tuple

import torch
from mmengine.model import is_model_wrapper
from mmengine.runner import Runner

from .in_memory_crops import InMemoryCrops
from .process_memory import cuda_peak_mib, peak_rss_mib
from .round_timer_hook import RoundTimerHook
from .timing import per_second, timed

UNUSED_PARTS = ('val_dataloader', 'val_cfg', 'val_evaluator', 'test_dataloader', 'test_cfg',
                'test_evaluator', 'load_from')


def plain_step(model, batch: dict, optimizer_cfg: dict) -> Callable[[], None]:
    """One training step of a plain PyTorch loop on ``model``.

    Args:
        model: A segmentor (with its data preprocessor).
        batch (dict): A collated batch, normalised once here, before any step.
        optimizer_cfg (dict): The config's optimizer; its ``lr`` and ``weight_decay`` go to
            AdamW.

    Returns:
        callable: One step: forward, summed losses, backward, AdamW step.
    """
    data = model.data_preprocessor(batch, True)
    inputs, data_samples = data['inputs'], data['data_samples']
    optimizer = torch.optim.AdamW(model.parameters(), lr=optimizer_cfg.get('lr', 1e-3),
                                  weight_decay=optimizer_cfg.get('weight_decay', 1e-2))

    def step() -> None:
        losses = model(inputs, data_samples, mode='loss')
        # As mmseg's parse_losses: accuracies ride along in the dict.
        loss = sum(value for name, value in losses.items() if 'loss' in name)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()

    return step


def train_through_runner(cfg, work_dir: Path, settings: dict,
                         clock: Callable[[], float]) -> Tuple[Runner, dict]:
    """Train with MMEngine's Runner on in-memory crops and time its rounds.

    Args:
        cfg (Config): The config (changed: in-memory crops, an iteration-based loop, no
            validation, test or checkpoint saving).
        work_dir (Path): The Runner's work dir.
        settings (dict): ``warmup``, ``iters``, ``rounds``, ``batch_size``, ``crop``,
            ``device`` and ``compare`` (alternate the rounds with a plain loop's).
        clock (callable): Time source.

    Returns:
        tuple: The runner, after training, and its figures (``train_images_per_s``,
        ``round_seconds``, ``peak_rss_mib`` once warm; with ``compare`` the plain loop's
        rate and ``framework_overhead``).
    """
    warmup, iters, rounds = settings['warmup'], settings['iters'], settings['rounds']
    batch_size = settings['batch_size']
    max_iters = warmup + rounds * iters
    cfg.work_dir = str(work_dir)
    cfg.train_dataloader = dict(
        batch_size=batch_size, num_workers=0, persistent_workers=False,
        sampler=dict(type='InfiniteSampler', shuffle=True),
        dataset=dict(type=InMemoryCrops.__name__, size=settings['crop'],
                     num_images=batch_size, length=batch_size * (max_iters + 1)))
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters,
                         val_interval=max_iters + 1)
    for key in UNUSED_PARTS:
        cfg[key] = None
    cfg.resume = False
    cfg.pop('compile', None)  # a switch of its own
    if cfg.get('default_hooks', {}).get('checkpoint'):
        # Saving a checkpoint is no part of a training step.
        cfg.default_hooks.checkpoint.update(interval=max_iters + 1, save_last=False)
    runner = Runner.from_cfg(cfg)
    figures = dict(method='mmengine Runner: IterBasedTrainLoop, the config\'s optim wrapper, '
                   'parameter schedulers and hooks; in-memory batches')
    plain = {}

    def after_warmup(runner) -> None:
        figures['peak_rss_mib'] = peak_rss_mib()
        if settings['device'] == 'cuda':
            figures['cuda_max_allocated_mib'] = cuda_peak_mib()
        if settings['compare']:
            model = runner.model.module if is_model_wrapper(runner.model) else runner.model
            copy_ = copy.deepcopy(model)  # the same weights as the Runner's model now
            plain['step'] = plain_step(copy_, first_batch(runner, batch_size),
                                       cfg.optim_wrapper.optimizer)
            timed(plain['step'], warmup, clock)

    timer = RoundTimerHook(warmup, iters, clock, after_warmup,
                           (lambda: timed(plain['step'], iters, clock))
                           if settings['compare'] else None)
    runner.register_hook(timer)
    runner.train()
    images = batch_size * iters
    figures['train_images_per_s'] = per_second(images, timer.seconds)
    figures['round_seconds'] = dict(framework=[round(s, 4) for s in timer.seconds])
    if settings['compare']:
        figures['plain_train_images_per_s'] = per_second(images, timer.between_seconds)
        figures['framework_overhead'] = round(
            statistics.median(timer.seconds) / statistics.median(timer.between_seconds) - 1, 4)
        figures['round_seconds']['plain'] = [round(s, 4) for s in timer.between_seconds]
    plain.clear()  # the hook still holds the plain loop: free its model and optimizer
    return runner, figures


def first_batch(runner: Runner, batch_size: int) -> dict:
    """The first ``batch_size`` items of the runner's training data, collated."""
    loader = runner.train_dataloader
    return loader.collate_fn([loader.dataset[i] for i in range(batch_size)])
