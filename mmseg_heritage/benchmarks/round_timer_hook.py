"""Times the Runner's own training iterations in rounds."""
from typing import Callable, Optional

from mmengine.hooks import Hook
from mmseg.registry import HOOKS


@HOOKS.register_module()
class RoundTimerHook(Hook):
    """Times the Runner's training iterations in rounds of ``iters`` after ``warmup``.

    Args:
        warmup (int): Untimed iterations first.
        iters (int): Iterations per round.
        clock (callable): Time source in seconds.
        after_warmup (callable, optional): Called with the runner once warm-up is over.
            Defaults to None.
        between_rounds (callable, optional): Runs after every round (another loop's round,
            so that the two alternate) and returns its seconds. Defaults to None.

    Attributes:
        seconds (list[float]): Seconds of each round of the Runner's iterations.
        between_seconds (list[float]): What ``between_rounds`` returned after each round.
    """

    priority = 'LOWEST'  # a round ends after every other hook's work on its last iteration

    def __init__(self, warmup: int, iters: int, clock: Callable[[], float],
                 after_warmup: Optional[Callable] = None,
                 between_rounds: Optional[Callable[[], float]] = None) -> None:
        self.warmup, self.iters, self.clock = warmup, iters, clock
        self.after_warmup, self.between_rounds = after_warmup, between_rounds
        self.seconds, self.between_seconds = [], []
        self.start = None

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        end = self.clock()
        done = batch_idx + 1
        if done < self.warmup or (done - self.warmup) % self.iters:
            return
        if done == self.warmup:
            if self.after_warmup:
                self.after_warmup(runner)
        else:
            self.seconds.append(end - self.start)
            if self.between_rounds:
                self.between_seconds.append(self.between_rounds())
        self.start = self.clock()
