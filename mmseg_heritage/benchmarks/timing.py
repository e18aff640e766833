"""Timing on a noisy machine: rounds taken in turn, rates from the median round."""
import statistics
import time
from typing import Callable, Dict, List, Sequence


def timed(step: Callable[[], object], iters: int,
          clock: Callable[[], float] = time.perf_counter) -> float:
    """Seconds taken by ``iters`` calls of ``step``.

    Args:
        step (callable): What is timed, called without arguments.
        iters (int): Calls in a row.
        clock (callable): Time source in seconds. Defaults to ``time.perf_counter``.

    Returns:
        float: Seconds from before the first call to after the last.
    """
    start = clock()
    for _ in range(iters):
        step()
    return clock() - start


def alternate(runs: Dict[str, Callable[[], float]], rounds: int) -> Dict[str, List[float]]:
    """Seconds of each of ``rounds`` rounds of every run, taken in turn (A B A B ...), so
    that a slow spell of a noisy machine falls on all of them alike.

    Args:
        runs (dict): Name to a function that runs one round and returns its seconds.
        rounds (int): Rounds of each run.

    Returns:
        dict: Name to the list of its rounds' seconds, in order.
    """
    seconds = {name: [] for name in runs}
    for _ in range(rounds):
        for name, run_round in runs.items():
            seconds[name].append(run_round())
    return seconds


def per_second(count: int, seconds: Sequence[float]) -> float:
    """Rate of ``count`` items per round, from the median round."""
    return round(count / statistics.median(seconds), 3)


def ratio(numerator: float, denominator: float) -> float:
    """``numerator / denominator``, rounded for the JSON."""
    return round(numerator / denominator, 4)


def device_clock(device: str) -> Callable[[], float]:
    """``time.perf_counter`` that first waits for the GPU's queued work on ``'cuda'``."""
    import torch

    def clock() -> float:
        if device == 'cuda':
            torch.cuda.synchronize()
        return time.perf_counter()

    return clock
