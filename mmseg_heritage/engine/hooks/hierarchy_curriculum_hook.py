from bisect import bisect_right
from typing import Dict, Mapping, Optional, Sequence, Tuple

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmseg.registry import HOOKS

from ...class_names import LEVELS


@HOOKS.register_module()
class HierarchyCurriculumHook(Hook):
    """Change the loss weights of the hierarchy's levels over training.

    Before every training iteration the hook computes each level's weight from the current
    iteration (or epoch) and sets ``decode_head.level_weights`` of the model (a
    :class:`~mmseg_heritage.models.decode_heads.HierarchicalUPerHead`), so training can learn
    the easy decisions (damage or clean, which group of damage) first and the fine classes
    later. Before the first milestone the first milestone's weights hold, after the last one
    the last one's. The weights are logged as ``level_weight_binary``, ``level_weight_coarse``
    and ``level_weight_fine`` in the training log lines. They depend only on the iteration (or
    epoch), so a resumed run continues the schedule where it stopped.

    Example (binary and coarse heavy early, fine heavy late)::

        custom_hooks = [
            dict(type='HierarchyCurriculumHook', milestones=[
                dict(begin=0, weights=dict(binary=1.0, coarse=1.0, fine=0.2)),
                dict(begin=4000, weights=dict(binary=0.5, coarse=0.5, fine=1.0)),
                dict(begin=12000, weights=dict(binary=0.2, coarse=0.2, fine=1.0)),
            ])
        ]

    Args:
        milestones (Sequence[Mapping]): ``dict(begin=N, weights=dict(binary=..., coarse=...,
            fine=...))`` items sorted by strictly increasing ``begin`` (an iteration, or an
            epoch with ``by_epoch``); each gives all three levels' weights from ``begin`` on.
        by_epoch (bool): Count ``begin`` in epochs instead of iterations. Defaults to False.
        interpolate (bool): Move linearly from one milestone's weights to the next one's;
            otherwise keep each milestone's weights until the next milestone (a step
            schedule). Defaults to True.
    """

    def __init__(self, milestones: Sequence[Mapping], by_epoch: bool = False,
                 interpolate: bool = True) -> None:
        self.milestones = [_parse_milestone(milestone) for milestone in milestones]
        if not self.milestones:
            raise ValueError('HierarchyCurriculumHook needs at least one milestone')
        self.begins = [begin for begin, _ in self.milestones]
        if any(a >= b for a, b in zip(self.begins, self.begins[1:])):
            raise ValueError('milestones must be sorted by strictly increasing begin, got '
                             f'begins {self.begins}')
        self.by_epoch = by_epoch
        self.interpolate = interpolate

    def weights_at(self, progress: int) -> Dict[str, float]:
        """Level weights at an iteration (or epoch with ``by_epoch``).

        Args:
            progress (int): The current iteration or epoch, counted from 0.

        Returns:
            dict[str, float]: The weight of each level.
        """
        index = bisect_right(self.begins, progress) - 1  # last milestone begun by progress
        if index < 0:
            return dict(self.milestones[0][1])
        begin, weights = self.milestones[index]
        if index == len(self.milestones) - 1 or not self.interpolate:
            return dict(weights)
        next_begin, next_weights = self.milestones[index + 1]
        fraction = (progress - begin) / (next_begin - begin)
        return {level: weights[level] + fraction * (next_weights[level] - weights[level])
                for level in LEVELS}

    def before_run(self, runner) -> None:
        _decode_head(runner)  # fail before training starts, not at the first iteration

    def before_train_iter(self, runner, batch_idx: int, data_batch: Optional[dict] = None
                          ) -> None:
        weights = self.weights_at(runner.epoch if self.by_epoch else runner.iter)
        _decode_head(runner).level_weights = weights
        for level, value in weights.items():
            runner.message_hub.update_scalar(f'train/level_weight_{level}', value)


def _parse_milestone(milestone: Mapping) -> Tuple[int, Dict[str, float]]:
    if not isinstance(milestone, Mapping) or set(milestone) != {'begin', 'weights'}:
        raise ValueError('each milestone must be dict(begin=N, weights=dict(binary=..., '
                         f'coarse=..., fine=...)), got {milestone!r}')
    weights = milestone['weights']
    if not isinstance(weights, Mapping) or set(weights) != set(LEVELS):
        raise ValueError(f'milestone weights must give exactly the levels {LEVELS}, '
                         f'got {weights!r}')
    begin = milestone['begin']
    if not isinstance(begin, int) or begin < 0:
        raise ValueError(f'milestone begin must be a non-negative integer, got {begin!r}')
    return begin, {level: float(weights[level]) for level in LEVELS}


def _decode_head(runner):
    model = runner.model.module if is_model_wrapper(runner.model) else runner.model
    head = getattr(model, 'decode_head', None)
    if not hasattr(head, 'level_weights'):
        raise TypeError('HierarchyCurriculumHook needs a decode head with level_weights '
                        f'(e.g. HierarchicalUPerHead), but the model {type(model).__name__} '
                        f'has decode head {type(head).__name__}')
    return head
