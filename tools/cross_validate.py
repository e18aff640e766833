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
import sys
from pathlib import Path

from mmseg_heritage.datasets.preparation.splits import FOLD_PROTOCOLS
from mmseg_heritage.evaluation.cross_validation_runner import CrossValidationRunner, RunFailed

TOOLS = Path(__file__).resolve().parent


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


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        study = CrossValidationRunner(
            args.config, args.protocol, TOOLS, data_root=args.data_root, work_dir=args.work_dir,
            folds=args.folds, checkpoint=args.checkpoint, in_domain=not args.no_in_domain,
            in_domain_work_dir=args.in_domain_work_dir, launcher=args.launcher,
            partition=args.partition, job_name=args.job_name, cfg_options=args.cfg_options)
    except (OSError, ValueError, SyntaxError) as error:
        print(f'cross_validate.py: error: {error}', file=sys.stderr)
        return 2
    try:
        _, markdown = study.run()
    except RunFailed as error:
        print(f'cross_validate.py: error: {error}', file=sys.stderr)
        return 1
    print(markdown)
    print(f'wrote {study.summary_path} and {study.summary_path.with_suffix(".md")}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
