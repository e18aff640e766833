"""A visualizer of each run's own, for processes that build more than one runner.

MMEngine hands out the visualizer first built under a name, with that one's folder. Our
configs name theirs ``visualizer``, as MMSeg's do (MMSeg's ``browse_dataset.py`` builds it by
that name), so a second runner in one process (``tools/train_starter.py``'s evaluation, a
second demo in a notebook) would write its config and curves into the first run's
``vis_data``.
"""
import copy
import time

from mmengine.config import Config


def name_visualizer_for_run(cfg: Config) -> Config:
    """A copy of ``cfg`` whose visualizer has a name no other runner in this process has (its
    name and the time in nanoseconds); ``cfg`` itself, which may get published, keeps its
    own."""
    cfg = copy.deepcopy(cfg)
    if cfg.get('visualizer'):
        cfg.visualizer.name = f"{cfg.visualizer.get('name', 'visualizer')}_{time.time_ns()}"
    return cfg
