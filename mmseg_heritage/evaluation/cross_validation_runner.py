"""Running a leave-one-domain-out cross-validation: each fold's training and test (MMSeg's
``tools/train.py`` and ``tools/test.py``, here or as Slurm jobs), resumable, and the summary
of their scores (``cross_validation.json`` and ``.md``). ``tools/cross_validate.py`` is its
command line; :mod:`.cross_validation` finds the folds and summarises their results.
"""
import argparse
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from mmengine.config import Config, DictAction

from ..datasets.preparation.splits import FOLD_PROTOCOLS, read_split
from ..utils import data_root_of, write_json_atomic, write_text_atomic
from ..utils.data_config import LOADERS
from .cross_validation import (Fold, in_domain_fold, read_folds, select_folds, summarise_folds,
                               summary_markdown)
from .run_results import RunResults, best_checkpoint, last_checkpoint, load_run

PROTOCOL_NAMES = {'lomo': 'Leave-one-material-out', 'locontent': 'Leave-one-content-out'}
# Written beside a fold's training once it has finished: a finished training is never run
# again (resuming one would rebuild the runner and replay the data loader up to its last
# iteration for nothing).
TRAINING_DONE = 'training_done.json'


class RunFailed(RuntimeError):
    """A training or test command of a fold exited with an error."""


def load_config(path: str, options: Sequence[str]) -> Config:
    """The config with ``options`` (``KEY=VALUE``, as ``--cfg-options``) merged, without
    importing its custom modules."""
    parsed = argparse.Namespace()
    DictAction(option_strings=['--cfg-options'], dest='options')(None, parsed, list(options))
    cfg = Config.fromfile(path, import_custom_modules=False)
    cfg.merge_from_dict(parsed.options)
    return cfg


def check_config(config: Path, cfg: Config) -> None:
    """Stop on a config whose split files cannot be swapped per fold, or whose test writes
    no ``metrics.json``."""
    for loader in LOADERS:
        if 'ann_file' not in cfg.get(loader, {}).get('dataset', {}):
            raise ValueError(f'{config}: {loader}.dataset has no ann_file to set the split '
                             'files of a fold on (a dataset wrapper?)')
    evaluators = cfg.get('test_evaluator')
    if not isinstance(evaluators, (list, tuple)):
        evaluators = [evaluators]
    if not any(isinstance(e, dict) and e.get('type') == 'ArtefactMetric' for e in evaluators):
        raise ValueError(f'{config}: the test_evaluator is not ArtefactMetric, whose '
                         'metrics.json the summary reads')


def run_options(cfg: Config, options: Sequence[str], column: str) -> List[str]:
    """The ``--cfg-options`` of every run: ``options``, and for a model with a ``domain_key``
    (CORAL) the protocol's column, unless ``options`` set it."""
    options = list(options)
    if 'domain_key' in cfg.model and not any(option.startswith('model.domain_key=')
                                             for option in options):
        # Align the domains the protocol holds out (as the CORAL config's comment asks).
        options.append(f'model.domain_key={column}')
    return options


def tested_in_domain(work_dir: Path, fold: Fold, data_root: str) -> Optional[RunResults]:
    """An existing in-domain work dir's results if its newest metrics are a test on the
    standard test split; None if it holds a checkpoint to test instead.

    Raises:
        FileNotFoundError: ``work_dir`` is not a folder.
        ValueError: Neither such metrics nor a checkpoint in ``work_dir``.
    """
    run = load_run(work_dir)
    test_ids = read_split(Path(data_root) / fold.split_files['test'])
    # A training work dir's newest metrics.json is a validation's: told apart by its images.
    if run.metrics is not None and sorted(run.metrics['images']) == sorted(test_ids):
        return run
    if run.checkpoint is None:
        raise ValueError(f'{work_dir}: neither test metrics on {fold.split_files["test"]} nor '
                         'a checkpoint to test')
    return None


class CrossValidationRunner:
    """Runs the folds of one cross-validation of a config and summarises their scores.

    One fold per held-out material (``lomo``) or content type (``locontent``), from the data
    root's ``splits/splits.json``. Each fold trains on its train and val split files
    (``WORK_DIR/<fold>/train``) and tests the chosen checkpoint on the held-out images
    (``WORK_DIR/<fold>/test``); the in-domain reference is the same config on the standard
    splits (``WORK_DIR/in_domain``) or an existing work dir of it. A fold already tested is
    skipped, an interrupted training resumes from its last checkpoint. Everything is checked
    when the runner is made, so that a mistake writes nothing.

    Args:
        config (str): The training config.
        protocol (str): ``'lomo'`` or ``'locontent'``.
        tools_dir (str | Path): The folder of ``train.py``, ``test.py``, ``slurm_train.sh``
            and ``slurm_test.sh``.
        data_root (str, optional): The dataset folder, every run's ``--data-root``. Defaults
            to the config's ``data_root``.
        work_dir (str, optional): Defaults to ``work_dirs/cv/<config name>/<protocol>``.
        folds (list[str], optional): Only these folds, by held-out domain or folder name.
            Defaults to all of them.
        checkpoint (str): The checkpoint tested: ``'best'`` on the fold's val split (the last
            when the config saves no best) or ``'last'``. Defaults to ``'best'``.
        in_domain (bool): Whether to add the in-domain reference. Defaults to True.
        in_domain_work_dir (str, optional): An existing work dir of the config on the standard
            splits, used as the in-domain reference instead of training one: its test metrics
            if it has them, else its checkpoint is tested.
        launcher (str): ``'none'``: run the tools here; ``'slurm'``: as blocking srun jobs of
            the Slurm scripts. Defaults to ``'none'``.
        partition (str, optional): The Slurm partition (with ``launcher='slurm'``).
        job_name (str, optional): Prefix of the Slurm job names. Defaults to
            ``<config name>-<protocol>``.
        cfg_options (list[str]): ``KEY=VALUE`` config overrides for every training and test.

    Raises:
        FileNotFoundError: The config, the splits or the in-domain work dir is missing.
        ValueError: A config the folds cannot run with, an unknown fold, no data root.
    """

    def __init__(self, config: str, protocol: str, tools_dir, data_root: Optional[str] = None,
                 work_dir: Optional[str] = None, folds: Optional[Sequence[str]] = None,
                 checkpoint: str = 'best', in_domain: bool = True,
                 in_domain_work_dir: Optional[str] = None, launcher: str = 'none',
                 partition: Optional[str] = None, job_name: Optional[str] = None,
                 cfg_options: Sequence[str] = ()) -> None:
        self.config = config
        self.protocol = protocol
        self.tools_dir = Path(tools_dir)
        name = Path(config).stem
        self.work_dir = Path(work_dir or Path('work_dirs/cv') / name / protocol)
        self.checkpoint = checkpoint
        self.launcher = launcher
        self.partition = partition
        self.job_name = job_name or f'{name}-{protocol}'
        self.env = {**os.environ, 'PYTHON': os.environ.get('PYTHON', sys.executable)}
        if launcher not in ('none', 'slurm'):
            raise ValueError(f"launcher {launcher!r}: use 'none' or 'slurm'")
        if launcher == 'slurm' and not partition:
            raise ValueError('the slurm launcher needs a partition')
        if in_domain_work_dir and not in_domain:
            raise ValueError('an in-domain work dir is given but the in-domain run is off')
        if not Path(config).is_file():
            raise FileNotFoundError(f'{config}: config not found')
        cfg = load_config(config, cfg_options)
        check_config(Path(config), cfg)
        self.data_root = data_root or data_root_of(cfg)
        if not self.data_root:
            raise ValueError(f'{config}: no data_root; give --data-root')
        self.folds = select_folds(read_folds(self.data_root, protocol), folds)
        self.column = FOLD_PROTOCOLS[protocol]
        self.in_domain = in_domain_fold(self.data_root) if in_domain else None
        self.in_domain_dir = self.tested = None
        if in_domain_work_dir:
            self.in_domain_dir = Path(in_domain_work_dir)
            self.tested = tested_in_domain(self.in_domain_dir, self.in_domain, self.data_root)
        self.options = run_options(cfg, cfg_options, self.column)

    def fold_options(self, fold: Fold) -> List[str]:
        """Every run's ``--cfg-options`` and the fold's split files."""
        # The fold's split files come last so that nothing overrides them.
        return [*self.options, *(f'{part}_dataloader.dataset.ann_file={path}'
                                 for part, path in fold.split_files.items())]

    def launch(self, fold: Fold, stage: str, script_args: List) -> None:
        """Run ``train.py`` or ``test.py`` (``stage`` 'train' or 'test') here or via srun."""
        script_args = [str(arg) for arg in script_args]
        if self.launcher == 'slurm':
            job = f'{self.job_name}-{fold.name}-{stage}'
            command = [str(self.tools_dir / f'slurm_{stage}.sh'), self.partition, job,
                       *script_args]
        else:
            command = [sys.executable, str(self.tools_dir / f'{stage}.py'), *script_args]
        print(f'[cross_validate] {fold.name}: {shlex.join(command)}', flush=True)
        if subprocess.run(command, env=self.env).returncode != 0:
            raise RunFailed(f'{fold.name}: {stage} failed (command above); run again to '
                            'resume')

    def train(self, fold: Fold, train_dir: Path) -> None:
        """Train the fold, resuming an interrupted training; skip a finished one."""
        if (train_dir / TRAINING_DONE).is_file():
            return
        args = [self.config, '--work-dir', train_dir, '--data-root', self.data_root]
        options = self.fold_options(fold)
        resume_from = last_checkpoint(train_dir) if train_dir.is_dir() else None
        if resume_from is not None:
            # Named explicitly: with a load_from in the config (pretrained weights), --resume
            # alone would resume from those weights instead.
            args.append('--resume')
            options.append(f'load_from={resume_from}')
        self.launch(fold, 'train', [*args, '--cfg-options', *options])
        write_json_atomic(train_dir / TRAINING_DONE,
                          dict(config=self.config, cfg_options=options))

    def test(self, fold: Fold, checkpoint_dir: Path, test_dir: Path) -> RunResults:
        """Test the chosen checkpoint of ``checkpoint_dir`` on the fold's test split."""
        checkpoint = last_checkpoint(checkpoint_dir)
        if self.checkpoint == 'best':
            checkpoint = best_checkpoint(checkpoint_dir) or checkpoint
        if checkpoint is None:
            raise RunFailed(f'{fold.name}: no checkpoint in {checkpoint_dir}')
        self.launch(fold, 'test', [self.config, checkpoint, '--work-dir', test_dir,
                                   '--data-root', self.data_root,
                                   '--cfg-options', *self.fold_options(fold)])
        run = load_run(test_dir)
        if run.metrics is None:
            raise RunFailed(f'{fold.name}: the test wrote no metrics.json in {test_dir}')
        return run

    def run_fold(self, fold: Fold, trained_dir: Optional[Path] = None) -> RunResults:
        """Train (unless ``trained_dir`` holds the training) and test one fold, or return its
        existing test results."""
        fold_dir = self.work_dir / fold.name
        test_dir = fold_dir / 'test'
        if test_dir.is_dir():
            done = load_run(test_dir)
            if done.metrics is not None:
                print(f'[cross_validate] {fold.name}: already tested ({done.metrics_path})',
                      flush=True)
                return done
        if trained_dir is None:
            trained_dir = fold_dir / 'train'
            self.train(fold, trained_dir)
        return self.test(fold, trained_dir, test_dir)

    def run(self) -> Tuple[Dict, str]:
        """Run every fold and the in-domain reference, then write ``cross_validation.json``
        and ``cross_validation.md`` into the work dir.

        Returns:
            tuple[dict, str]: The record written as JSON and the Markdown.

        Raises:
            RunFailed: A training or test failed; running again resumes.
        """
        results = {fold.held_out: self.run_fold(fold) for fold in self.folds}
        reference = None
        if self.in_domain is not None:
            reference = self.tested or self.run_fold(self.in_domain,
                                                     trained_dir=self.in_domain_dir)
        summary = summarise_folds(results, reference)
        record = dict(config=str(Path(self.config)), protocol=self.protocol, held_out=self.column,
                      data_root=self.data_root, work_dir=str(self.work_dir),
                      checkpoint=self.checkpoint, cfg_options=self.options, **summary)
        markdown = (f'# {PROTOCOL_NAMES[self.protocol]} cross-validation of '
                    f'{Path(self.config).name}\n\n'
                    f"Scores in % on each fold's held-out {self.column} (its test split), with "
                    f'the {self.checkpoint} checkpoint of the training on the other images; '
                    'in-domain: the standard splits; gap: in-domain minus the mean over the '
                    'folds, in points.\n\n' + summary_markdown(summary, self.column))
        write_json_atomic(self.summary_path, record)
        write_text_atomic(self.summary_path.with_suffix('.md'), markdown)
        return record, markdown

    @property
    def summary_path(self) -> Path:
        """``cross_validation.json`` in the work dir (the Markdown beside it, ``.md``)."""
        return self.work_dir / 'cross_validation.json'
