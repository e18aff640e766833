"""RunProvenanceHook: what a run's scores depend on (seed, config, package versions, split
files), recorded before the run for ArtefactMetric to write into metrics.json."""
import hashlib
from importlib.metadata import version
from pathlib import Path

import torch
from mmengine.config import Config

import mmseg_heritage
from mmseg_heritage.engine.hooks.run_provenance_hook import config_sha256, split_files


def test_recorded_before_the_run_and_left_out_of_checkpoints(runner_case):
    cfg = runner_case.iter_based_cfg
    cfg.train_cfg.max_iters = 2
    cfg.randomness = dict(seed=5)
    cfg.default_hooks.update(run_provenance=dict(type='RunProvenanceHook'),
                             checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=2))
    runner = runner_case.build_runner(cfg)
    runner.call_hook('before_run')
    provenance = runner.message_hub.get_info('provenance')
    assert provenance['seed'] == 5 and provenance['deterministic'] is False
    assert provenance['config_sha256'] == config_sha256(runner.cfg)
    assert provenance['packages']['torch'] == version('torch')
    assert provenance['packages']['mmseg_heritage'] == mmseg_heritage.__version__
    assert provenance['splits'] == {}  # the toy datasets read no split file

    runner.train()
    # A resumed run records its own rather than the first run's.
    checkpoint = torch.load(Path(runner.work_dir) / 'iter_2.pth', weights_only=False)
    assert 'provenance' not in checkpoint['message_hub']['runtime_info']


def test_config_hash_leaves_out_where_and_how_the_run_started():
    cfg = dict(model=dict(type='EncoderDecoder'), work_dir='a', resume=False)
    assert config_sha256(Config(cfg)) == config_sha256(
        Config(dict(cfg, work_dir='b', resume=True, launcher='slurm')))
    assert config_sha256(Config(cfg)) != config_sha256(
        Config(dict(cfg, model=dict(type='CoralEncoderDecoder'))))


def test_split_files_are_hashed_under_the_data_root(tmp_path):
    (tmp_path / 'splits').mkdir()
    (tmp_path / 'splits/train.txt').write_text('scan_1\nscan_2\n')
    dataset = dict(data_root=str(tmp_path), ann_file='splits/train.txt')
    cfg = Config(dict(train_dataloader=dict(dataset=dataset),
                      val_dataloader=dict(dataset=dict(dataset, ann_file='splits/val.txt'))))
    assert split_files(cfg) == {
        'train': dict(file=str(tmp_path / 'splits/train.txt'),
                      sha256=hashlib.sha256(b'scan_1\nscan_2\n').hexdigest()),
        'val': dict(file=str(tmp_path / 'splits/val.txt'), sha256=None),  # no such file
    }
