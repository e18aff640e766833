"""Leave-one-material-out or leave-one-content-out cross-validation of a config, in one command.

    python tools/cross_validate.py CONFIG --protocol {lomo,locontent} [--folds NAME ...]
        [--data-root DIR] [--work-dir DIR] [--checkpoint {best,last}]
        [--no-in-domain | --in-domain-work-dir DIR]
        [--launcher slurm --partition PARTITION [--job-name NAME]] [--cfg-options KEY=VALUE ...]

One fold per held-out material (lomo) or content type (locontent), from the data root's
splits/splits.json; --folds picks some by name ("Lime plaster") or folder (lime_plaster). Each
fold trains on its train and val split files (tools/train.py, in WORK_DIR/<fold>/train) and
tests the best checkpoint, else the last, on the held-out images (tools/test.py, in
WORK_DIR/<fold>/test). The in-domain reference is the same config on splits/{train,val,test}.txt
(WORK_DIR/in_domain), or an existing work dir of it (--in-domain-work-dir: its test metrics if
it has them, else its checkpoint is tested). --data-root goes to every run as train.py's and
test.py's --data-root: the loaders read it, and every path under the config's data_root (the
class weights, a cache) moves with it. --cfg-options go to every run; for a config with a
`domain_key` (CORAL), the protocol's column is set unless given there.

With --launcher slurm every training and test is a blocking srun job of tools/slurm_train.sh
and tools/slurm_test.sh (GPUS, GPUS_PER_NODE, CPUS_PER_TASK, SRUN_ARGS, GRES and PYTHON as
those scripts read them; PYTHON defaults to this interpreter).

Resumable: a fold already tested is skipped, an interrupted training resumes from its last
checkpoint; delete a fold's folder to run it again. At the end WORK_DIR/cross_validation.json
and cross_validation.md hold the scores of each fold, their mean and standard deviation (per
class too), the in-domain scores and the gap; the Markdown is printed. WORK_DIR defaults to
work_dirs/cv/<config name>/<protocol>. Relative paths are from the current folder.
"""
import argparse
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import List, Optional

from mmengine.config import Config, DictAction

from mmseg_heritage.datasets.preparation.splits import FOLD_PROTOCOLS, read_split
from mmseg_heritage.evaluation.cross_validation import (Fold, in_domain_fold, read_folds,
                                                        select_folds, summarise_folds,
                                                        summary_markdown)
from mmseg_heritage.evaluation.run_results import (RunResults, best_checkpoint, last_checkpoint,
                                                   load_run)
from mmseg_heritage.utils import write_json_atomic, write_text_atomic
from mmseg_heritage.utils.data_config import LOADERS
from mmseg_heritage.utils import data_root_of

TOOLS = Path(__file__).resolve().parent
PROTOCOL_NAMES = {'lomo': 'Leave-one-material-out', 'locontent': 'Leave-one-content-out'}
# Written beside a fold's training once it has finished: a finished training is never run
# again (resuming one would rebuild the runner and replay the data loader up to its last
# iteration for nothing).
TRAINING_DONE = 'training_done.json'


class RunFailed(RuntimeError):
    """A training or test command of a fold exited with an error."""


def parse_args(argv=None):
    summary, usage = __doc__.split('\n', 1)
    parser = argparse.ArgumentParser(description=summary, epilog=usage,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='training config')
    parser.add_argument('--protocol', required=True, choices=tuple(FOLD_PROTOCOLS),
                        help='lomo: leave one material out; locontent: leave one content out')
    parser.add_argument('--folds', nargs='+', metavar='NAME',
                        help='only these folds (held-out material or content type)')
    parser.add_argument('--data-root', help="dataset folder (default: the config's data_root)")
    parser.add_argument('--work-dir',
                        help='default: work_dirs/cv/<config name>/<protocol>')
    parser.add_argument('--checkpoint', choices=('best', 'last'), default='best',
                        help='checkpoint tested: the best on the fold\'s val split (the last '
                        'when the config saves no best) or the last (default: best)')
    in_domain = parser.add_mutually_exclusive_group()
    in_domain.add_argument('--no-in-domain', action='store_true',
                           help='leave out the in-domain reference')
    in_domain.add_argument('--in-domain-work-dir', metavar='DIR',
                           help='an existing work dir of CONFIG on the standard splits, '
                           'used as the in-domain reference instead of training one')
    parser.add_argument('--launcher', choices=('none', 'slurm'), default='none',
                        help='none: run train.py and test.py here; slurm: submit each through '
                        'tools/slurm_train.sh and slurm_test.sh')
    parser.add_argument('--partition', help='Slurm partition (with --launcher slurm)')
    parser.add_argument('--job-name', help='prefix of the Slurm job names '
                        '(default: <config name>-<protocol>)')
    parser.add_argument('--cfg-options', nargs='+', default=[], metavar='KEY=VALUE',
                        help='config overrides for every training and test, as in train.py')
    args = parser.parse_args(argv)
    if args.launcher == 'slurm' and not args.partition:
        parser.error('--launcher slurm needs --partition')
    return args


def load_config(path: str, options: List[str]) -> Config:
    """The config with ``options`` merged, without importing its custom modules."""
    parsed = argparse.Namespace()
    DictAction(option_strings=['--cfg-options'], dest='options')(None, parsed, options)
    cfg = Config.fromfile(path, import_custom_modules=False)
    cfg.merge_from_dict(parsed.options)
    return cfg


class CrossValidation:
    """Runs the folds of one cross-validation and keeps track of their work dirs.

    Args:
        args (argparse.Namespace): The command line.
        data_root (str): The dataset folder, as the runs' ``--data-root``.
        options (list[str]): ``--cfg-options`` of every run (the fold's split files added).
    """

    def __init__(self, args: argparse.Namespace, data_root: str, options: List[str]) -> None:
        self.args = args
        self.data_root = data_root
        self.options = options
        self.work_dir = Path(args.work_dir)
        self.env = {**os.environ, 'PYTHON': os.environ.get('PYTHON', sys.executable)}

    def fold_options(self, fold: Fold) -> List[str]:
        # The fold's split files come last so that nothing overrides them.
        return [*self.options, *(f'{part}_dataloader.dataset.ann_file={path}'
                                 for part, path in fold.split_files.items())]

    def launch(self, fold: Fold, stage: str, script_args: List) -> None:
        """Run ``train.py`` or ``test.py`` (``stage`` 'train' or 'test') here or via srun."""
        script_args = [str(arg) for arg in script_args]
        if self.args.launcher == 'slurm':
            job = f'{self.args.job_name}-{fold.name}-{stage}'
            command = [str(TOOLS / f'slurm_{stage}.sh'), self.args.partition, job, *script_args]
        else:
            command = [sys.executable, str(TOOLS / f'{stage}.py'), *script_args]
        print(f'[cross_validate] {fold.name}: {shlex.join(command)}', flush=True)
        if subprocess.run(command, env=self.env).returncode != 0:
            raise RunFailed(f'{fold.name}: {stage} failed (command above); run again to '
                            'resume')

    def train(self, fold: Fold, train_dir: Path) -> None:
        """Train the fold, resuming an interrupted training; skip a finished one."""
        if (train_dir / TRAINING_DONE).is_file():
            return
        args = [self.args.config, '--work-dir', train_dir, '--data-root', self.data_root]
        options = self.fold_options(fold)
        resume_from = last_checkpoint(train_dir) if train_dir.is_dir() else None
        if resume_from is not None:
            # Named explicitly: with a load_from in the config (pretrained weights), --resume
            # alone would resume from those weights instead.
            args.append('--resume')
            options.append(f'load_from={resume_from}')
        self.launch(fold, 'train', [*args, '--cfg-options', *options])
        write_json_atomic(train_dir / TRAINING_DONE,
                          dict(config=self.args.config, cfg_options=options))

    def test(self, fold: Fold, checkpoint_dir: Path, test_dir: Path) -> RunResults:
        """Test the chosen checkpoint of ``checkpoint_dir`` on the fold's test split."""
        checkpoint = last_checkpoint(checkpoint_dir)
        if self.args.checkpoint == 'best':
            checkpoint = best_checkpoint(checkpoint_dir) or checkpoint
        if checkpoint is None:
            raise RunFailed(f'{fold.name}: no checkpoint in {checkpoint_dir}')
        self.launch(fold, 'test', [self.args.config, checkpoint, '--work-dir', test_dir,
                                   '--data-root', self.data_root,
                                   '--cfg-options', *self.fold_options(fold)])
        run = load_run(test_dir)
        if run.metrics is None:
            raise RunFailed(f'{fold.name}: the test wrote no metrics.json in {test_dir}')
        return run

    def run(self, fold: Fold, trained_dir: Optional[Path] = None) -> RunResults:
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


def run_options(cfg: Config, options: List[str], column: str) -> List[str]:
    """The ``--cfg-options`` of every run: ``options``, and for a model with a ``domain_key``
    (CORAL) the protocol's column, unless ``options`` set it."""
    options = list(options)
    if 'domain_key' in cfg.model and not any(option.startswith('model.domain_key=')
                                             for option in options):
        # Align the domains the protocol holds out (as the CORAL config's comment asks).
        options.append(f'model.domain_key={column}')
    return options


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


def main(argv=None) -> int:
    args = parse_args(argv)
    config = Path(args.config)
    args.work_dir = args.work_dir or str(Path('work_dirs/cv') / config.stem / args.protocol)
    args.job_name = args.job_name or f'{config.stem}-{args.protocol}'
    column = FOLD_PROTOCOLS[args.protocol]
    # Everything is checked before the first run, so that a mistake writes nothing.
    try:
        if not config.is_file():
            raise FileNotFoundError(f'{config}: config not found')
        cfg = load_config(args.config, args.cfg_options)
        check_config(config, cfg)
        data_root = args.data_root or data_root_of(cfg)
        if not data_root:
            raise ValueError(f'{config}: no data_root; give --data-root')
        folds = select_folds(read_folds(data_root, args.protocol), args.folds)
        in_domain = None if args.no_in_domain else in_domain_fold(data_root)
        in_domain_dir = tested = None
        if args.in_domain_work_dir:
            in_domain_dir = Path(args.in_domain_work_dir)
            tested = tested_in_domain(in_domain_dir, in_domain, data_root)
    except (OSError, ValueError, SyntaxError) as error:
        print(f'cross_validate.py: error: {error}', file=sys.stderr)
        return 2
    options = run_options(cfg, args.cfg_options, column)
    study = CrossValidation(args, data_root, options)
    try:
        results = {fold.held_out: study.run(fold) for fold in folds}
        reference = None
        if in_domain is not None:
            reference = tested or study.run(in_domain, trained_dir=in_domain_dir)
    except RunFailed as error:
        print(f'cross_validate.py: error: {error}', file=sys.stderr)
        return 1

    summary = summarise_folds(results, reference)
    record = dict(config=str(config), protocol=args.protocol, held_out=column,
                  data_root=data_root, work_dir=str(study.work_dir), checkpoint=args.checkpoint,
                  cfg_options=options, **summary)
    markdown = (f'# {PROTOCOL_NAMES[args.protocol]} cross-validation of {config.name}\n\n'
                f"Scores in % on each fold's held-out {column} (its test split), with the "
                f'{args.checkpoint} checkpoint of the training on the other images; '
                'in-domain: the standard splits; gap: in-domain minus the mean over the '
                'folds, in points.\n\n' + summary_markdown(summary, column))
    json_path = study.work_dir / 'cross_validation.json'
    write_json_atomic(json_path, record)
    write_text_atomic(json_path.with_suffix('.md'), markdown)
    print(markdown)
    print(f'wrote {json_path} and {json_path.with_suffix(".md")}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
