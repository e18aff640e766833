import copy
import time

from mmengine.runner import Runner

from mmseg_heritage.engine import name_run

SECOND = '20260101_000000'


def test_two_runs_of_one_config_started_in_one_second_keep_to_their_own_files(
        runner_case, tmp_path, monkeypatch):
    # What a notebook running the demo twice, or train_starter's evaluation, meets.
    strftime = time.strftime
    monkeypatch.setattr(time, 'strftime', lambda form, *args: SECOND
                        if form == '%Y%m%d_%H%M%S' else strftime(form, *args))
    cfg = copy.deepcopy(runner_case.iter_based_cfg)
    cfg.visualizer = dict(type='Visualizer', vis_backends=[dict(type='LocalVisBackend')],
                          name='visualizer')  # as our configs and MMSeg's name it
    experiment = cfg.get('experiment_name')
    runners = {}
    for run in ('first', 'second'):
        cfg.work_dir = str(tmp_path / run)
        runners[run] = Runner.from_cfg(name_run(cfg))
        runners[run].logger.info(f'this is the {run} run')
        runners[run].visualizer.add_scalars({'loss': 1.0})
    for run, other in (('first', 'second'), ('second', 'first')):
        log = (tmp_path / run / SECOND / f'{SECOND}.log').read_text()
        assert f'this is the {run} run' in log and f'the {other} run' not in log
        assert (tmp_path / run / SECOND / 'vis_data/scalars.json').is_file()
    assert runners['first'].message_hub is not runners['second'].message_hub
    assert runners['first'].visualizer is not runners['second'].visualizer
    # The config given keeps its names (train_starter publishes it).
    assert cfg.visualizer['name'] == 'visualizer'
    assert cfg.get('experiment_name') == experiment
