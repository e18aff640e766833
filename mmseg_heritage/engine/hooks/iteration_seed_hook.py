import numpy as np
import torch
from mmengine.dist import get_rank
from mmengine.hooks import Hook
from mmseg.registry import HOOKS


@HOOKS.register_module()
class IterationSeedHook(Hook):
    """Seed torch's generators from the run's seed and the iteration before each training step.

    Dropout and drop-path draw from torch's global generator, whose state MMEngine does not
    keep in checkpoints: a run resumed at iteration N would draw other masks than the
    uninterrupted run did and end with other weights. Seeded from (seed, iteration), every
    iteration draws the same whether or not the run was stopped before it. Data augmentation
    needs nothing: on resume MMEngine re-creates the seeded sampler and workers and replays the
    first N batches. With ``randomness.diff_rank_seed`` each rank gets its own stream, as in
    MMEngine. The schedules in ``configs/_base_/schedules/`` enable it (``default_hooks``).
    """

    priority = 'VERY_HIGH'

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        entropy = [runner.seed, runner.iter]
        if runner.cfg.get('randomness', {}).get('diff_rank_seed', False):
            entropy.append(get_rank())
        torch.manual_seed(int(np.random.SeedSequence(entropy).generate_state(1)[0]))
