import hashlib
import json
import os.path as osp
import platform
from importlib.metadata import PackageNotFoundError, version

from mmengine.hooks import Hook
from mmseg.registry import HOOKS

from ...utils import sha256_of_file

PACKAGES = ('mmseg_heritage', 'torch', 'torchvision', 'mmcv', 'mmengine', 'mmsegmentation',
            'timm', 'numpy')
# Settings of one run rather than of the experiment: two runs of one experiment differ here.
RUN_KEYS = ('work_dir', 'resume', 'launcher')
SPLITS = ('train', 'val', 'test')


def config_sha256(cfg) -> str:
    """SHA-256 of the config's settings, leaving out where and how this one run was started."""
    settings = {key: value for key, value in cfg.to_dict().items() if key not in RUN_KEYS}
    text = json.dumps(settings, sort_keys=True, default=repr)
    return hashlib.sha256(text.encode('utf-8')).hexdigest()


def package_versions() -> dict:
    versions = {'python': platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = None
    return versions


def split_files(cfg) -> dict:
    """``{split: {file, sha256}}`` of the split files the config's dataloaders read."""
    splits = {}
    for split in SPLITS:
        dataset = (cfg.get(f'{split}_dataloader') or {}).get('dataset') or {}
        ann_file = dataset.get('ann_file')
        if not ann_file:
            continue
        path = ann_file if osp.isabs(ann_file) else osp.join(dataset.get('data_root', ''),
                                                              ann_file)
        splits[split] = dict(file=path,
                             sha256=sha256_of_file(path) if osp.isfile(path) else None)
    return splits


def run_provenance(runner) -> dict:
    """What a run's scores depend on: seed, config, package versions and split files."""
    randomness = runner.cfg.get('randomness') or {}
    return dict(seed=runner.seed, deterministic=bool(randomness.get('deterministic', False)),
                config_file=runner.cfg.filename, config_sha256=config_sha256(runner.cfg),
                packages=package_versions(), splits=split_files(runner.cfg))


@HOOKS.register_module()
class RunProvenanceHook(Hook):
    """Record the run's provenance, and which split each evaluation scores, in the message
    hub, where ``ArtefactMetric`` reads them and writes them into ``metrics.json``. The
    schedules' ``default_hooks`` enable it."""

    priority = 'VERY_HIGH'

    def before_run(self, runner) -> None:
        # Not resumed from a checkpoint: a resumed run records its own.
        runner.message_hub.update_info('provenance', run_provenance(runner), resumed=False)

    def before_val_epoch(self, runner) -> None:
        runner.message_hub.update_info('evaluated_split', 'val', resumed=False)

    def before_test_epoch(self, runner) -> None:
        runner.message_hub.update_info('evaluated_split', 'test', resumed=False)
