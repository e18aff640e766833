"""Names of each run's own, for processes that build more than one runner.

MMEngine hands out the logger, message hub and visualizer first built under a name. A runner
names its logger and message hub after its experiment (``experiment_name``, by default the
config's file name, and the second it started), and our configs name their visualizer
``visualizer``, as MMSeg's do (MMSeg's ``browse_dataset.py`` builds it by that name). So a
second runner in one process (``tools/train_starter.py``'s evaluation, a second demo in a
notebook) would write its config and curves into the first run's ``vis_data``, and its log
into the first run's file where both started in the same second.
"""
import copy
import itertools
from pathlib import Path

from mmengine.config import Config

_RUNS = itertools.count(1)  # runners named in this process


def name_run(cfg: Config) -> Config:
    """A copy of ``cfg`` whose experiment (its logger and message hub) and visualizer have
    names no other run named here in this process has: their own, followed by the run's number
    in the process. ``cfg`` itself, which may get published, keeps its names."""
    run = next(_RUNS)
    cfg = copy.deepcopy(cfg)
    experiment = cfg.get('experiment_name') or (Path(cfg.filename).stem if cfg.filename
                                                else 'run')
    cfg.experiment_name = f'{experiment}_run{run}'
    if cfg.get('visualizer') and cfg.visualizer.get('name'):  # else it takes the experiment's
        cfg.visualizer.name = f'{cfg.visualizer.name}_run{run}'
    return cfg
