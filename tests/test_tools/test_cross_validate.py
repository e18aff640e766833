"""tools/cross_validate.py end to end on CPU: a leave-one-material-out fold of the poc6
baseline and the in-domain reference on the synthetic data (a few iterations each), resumed,
and through Slurm (srun stand-in) with a training killed halfway. Summaries over several
folds are tested in tests/test_evaluation/test_cross_validation.py."""
import contextlib
import csv
import io
import itertools
import json
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from mmengine.config import Config

from mmseg_heritage.datasets.preparation import read_split
from mmseg_heritage.evaluation.cross_validation import in_domain_fold
from mmseg_heritage.evaluation import cross_validation_runner

from helpers import IN_PROCESS_LOADING, REPO, load_tool, run_main, tool_env

TOOL = REPO / 'tools/cross_validate.py'
CONFIG = REPO / 'configs/poc6/unet_s_synthetic_160_baseline.py'
FOLD = 'lime_plaster'  # by its folder name; 3 held-out images
RUN_NUMBERS = itertools.count()  # of the trainings and tests run in this process


def options(iters: int = 2) -> list:
    """In-process loading and a few iterations of 2 images, validated and saved at the end
    (the class weights come with --data-root)."""
    return [*IN_PROCESS_LOADING, f'train_cfg.max_iters={iters}', 'train_cfg.val_interval=2',
            'default_hooks.checkpoint.interval=2', 'default_hooks.logger.interval=1',
            'train_dataloader.batch_size=2']


def cross_validate(work_dir, data_root, *args, config=CONFIG, env=None, iters=2, returncode=0,
                   capfd=None) -> str:
    """Run the tool in this process (its trainings and tests are processes, started in
    ``work_dir``'s parent); return what it printed, and with ``capfd`` what they printed too."""
    printed = io.StringIO()
    with contextlib.ExitStack() as stack:
        stack.enter_context(contextlib.chdir(work_dir.parent))
        if capfd is None:
            stack.enter_context(contextlib.redirect_stdout(printed))
            stack.enter_context(contextlib.redirect_stderr(printed))
        result = run_main(TOOL, config, '--protocol', 'lomo', '--data-root', data_root,
                          '--work-dir', work_dir, *args, '--cfg-options', *options(iters),
                          capsys=capfd, env=env or tool_env())
    output = printed.getvalue() + (result.stdout + result.stderr if capfd else '')
    assert result.returncode == returncode, output[-6000:]
    return output


@contextlib.contextmanager
def tools_in_this_process():
    """The runner's local trainings and tests (``python tools/train.py ...``) called in this
    process: each saves a Python start and the ~7 s import of torch and MMSeg. The Slurm test
    runs them as processes, through the Slurm scripts."""
    def run(command, env=None, **kwargs):
        if command[0] != sys.executable:
            return subprocess.run(command, env=env, **kwargs)
        # Each its own MMEngine logger and message hub, as in a process of its own (MMEngine
        # names them by config and start second; metrics.json goes beside the log).
        assert '--cfg-options' in command
        return run_main(Path(command[1]), *command[2:],
                        f'experiment_name=cv_{next(RUN_NUMBERS)}', env=env)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cross_validation_runner, 'subprocess', SimpleNamespace(run=run))
        yield


def materials(data_root) -> dict:
    with open(data_root / 'metadata.csv', newline='') as f:
        return {row['id']: row['material'] for row in csv.DictReader(f)}


@pytest.fixture(scope='module')
def local_run(tmp_path_factory, synthetic_root):
    work_dir = tmp_path_factory.mktemp('cv') / 'lomo'
    with tools_in_this_process():
        return work_dir, cross_validate(work_dir, synthetic_root, '--folds', FOLD)


def test_folds_train_and_test_on_their_splits(local_run, synthetic_root):
    work_dir, output = local_run
    material_of = materials(synthetic_root)
    held_out, name = 'Lime plaster', 'lime_plaster'
    splits = synthetic_root / 'splits/lomo' / name
    # The test is on the held-out material only, and all of it.
    [metrics_file] = (work_dir / name / 'test').glob('*/metrics.json')
    images = json.loads(metrics_file.read_text())['images']
    assert sorted(images) == sorted(read_split(splits / 'test.txt'))
    assert {material_of[i] for i in images} == {held_out}
    # Training validated on the fold's val split, which holds no held-out image.
    [val_file] = (work_dir / name / 'train').glob('*/metrics.json')
    val_images = json.loads(val_file.read_text())['images']
    assert sorted(val_images) == sorted(read_split(splits / 'val.txt'))
    assert held_out not in {material_of[i] for i in val_images}
    assert f'--work-dir {work_dir / name / "train"} --data-root {synthetic_root}' in output
    # --data-root moved the loss's class weights with the data (the runner dumps the config).
    ran = Config.fromfile(work_dir / name / 'train' / CONFIG.name,
                          import_custom_modules=False)
    assert ran.model.decode_head.loss_decode.class_weight == \
        f'{synthetic_root}/class_weights.json'
    assert f'train_dataloader.dataset.ann_file=splits/lomo/{name}/train.txt' in output
    assert f'{work_dir / name}/train/best_mIoU_iter_2.pth --work-dir' in output
    # The in-domain reference: the standard splits.
    [metrics_file] = (work_dir / 'in_domain/test').glob('*/metrics.json')
    assert sorted(json.loads(metrics_file.read_text())['images']) == sorted(
        read_split(synthetic_root / 'splits/test.txt'))


def test_aggregate_json_and_markdown(local_run, synthetic_root):
    work_dir, output = local_run
    record = json.loads((work_dir / 'cross_validation.json').read_text())
    assert record['protocol'] == 'lomo' and record['held_out'] == 'material'
    assert record['data_root'] == str(synthetic_root)
    assert list(record['folds']) == ['Lime plaster']
    [fold] = record['folds'].values()
    metrics = json.loads(open(fold['metrics_file']).read())['overall']
    assert fold['mIoU'] == metrics['mIoU'] and fold['aAcc'] == metrics['aAcc']
    assert fold['IoU']['Clean'] == metrics['classes']['Clean']['IoU']
    assert record['summary']['mIoU']['mean'] == pytest.approx(fold['mIoU'], abs=1e-4)
    assert record['summary']['mIoU']['std'] is None  # one fold
    assert record['summary']['IoU']['Clean']['folds'] == 1
    assert record['gap']['mIoU'] == pytest.approx(
        record['in_domain']['mIoU'] - record['summary']['mIoU']['mean'], abs=1e-4)
    markdown = (work_dir / 'cross_validation.md').read_text()
    assert markdown.startswith('# Leave-one-material-out cross-validation of '
                               'unet_s_synthetic_160_baseline.py')
    assert '| Lime plaster | 3 |' in markdown and '| gap (in-domain - mean) |' in markdown
    assert markdown in output  # printed at the end


def test_second_run_skips_tested_folds(local_run, synthetic_root):
    work_dir = local_run[0]
    before = (work_dir / 'cross_validation.json').read_text()
    runs = sorted(work_dir.glob('*/*/*/'))  # <fold>/<train or test>/<timestamp>/
    output = cross_validate(work_dir, synthetic_root, '--folds', FOLD)
    for name in ('lime_plaster', 'in_domain'):
        assert f'[cross_validate] {name}: already tested' in output
    assert 'train.py' not in output and 'test.py' not in output
    assert sorted(work_dir.glob('*/*/*/')) == runs  # nothing ran again
    assert (work_dir / 'cross_validation.json').read_text() == before


def test_slurm_resumes_a_killed_training(local_run, slurm_stand_ins, synthetic_root, tmp_path,
                                         capfd):
    env, stand_in_dir = slurm_stand_ins
    env.update(GPUS='1', GPUS_PER_NODE='1', GRES='')  # one CPU task per job
    config = tmp_path / 'baseline_with_kill_hook.py'
    config.write_text(f"_base_ = '{CONFIG}'\n"
                      "custom_imports = dict(imports=['mmseg_heritage', 'kill_hook'], "
                      "allow_failed_imports=False)\n"
                      "custom_hooks = [dict(type='KillHook')]\n")
    work_dir = tmp_path / 'cv'
    # The in-domain reference is the local run's test, used as it is (a training work dir's
    # checkpoint would be tested: test_existing_in_domain_test_is_used_as_it_is).
    args = ['--folds', 'wood', '--launcher', 'slurm', '--partition', 'cpu', '--job-name', 'dg',
            '--in-domain-work-dir', local_run[0] / 'in_domain/test']
    output = cross_validate(work_dir, synthetic_root, *args, config=config, iters=4,
                            env={**env, 'KILL_AFTER_ITER': '3'}, returncode=1, capfd=capfd)
    assert 'cross_validate.py: error: wood: train failed' in output
    assert (work_dir / 'wood/train/iter_2.pth').is_file()
    assert not (work_dir / 'wood/test').exists()
    assert not (work_dir / 'cross_validation.json').exists()

    output = cross_validate(work_dir, synthetic_root, *args, config=config, iters=4, env=env,
                            capfd=capfd)
    assert '--resume --cfg-options' in output
    assert f'load_from={work_dir}/wood/train/iter_2.pth' in output
    assert 'Distributed launcher: slurm' in output
    assert 'Iter(train) [4/4]' in output and 'Iter(train) [3/4]' in output
    # The last srun was the fold's test, of its training's best checkpoint.
    srun_args = (stand_in_dir / 'srun_args').read_text().splitlines()
    assert srun_args[:2] == ['-p', 'cpu'] and '--job-name=dg-wood-test' in srun_args
    [best] = (work_dir / 'wood/train').glob('best_mIoU_iter_*.pth')
    assert str(best) in srun_args
    record = json.loads((work_dir / 'cross_validation.json').read_text())
    assert list(record['folds']) == ['Wood']
    [metrics_file] = (local_run[0] / 'in_domain/test').glob('*/metrics.json')
    assert record['in_domain']['metrics_file'] == str(metrics_file)
    assert not (work_dir / 'in_domain').exists()


def test_an_in_domain_training_gets_its_best_checkpoint_tested(local_run, synthetic_root,
                                                              tmp_path):
    trained = local_run[0] / 'in_domain/train'
    work_dir = tmp_path / 'cv'
    shutil.copytree(local_run[0] / FOLD, work_dir / FOLD)  # the fold is tested already
    with tools_in_this_process():
        output = cross_validate(work_dir, synthetic_root, '--folds', FOLD,
                                '--in-domain-work-dir', trained)
    assert f'{FOLD}: already tested' in output
    assert f'{trained}/best_mIoU_iter_2.pth --work-dir {work_dir}/in_domain/test' in output
    assert not (work_dir / 'in_domain/train').exists()  # nothing trained again
    [metrics_file] = (work_dir / 'in_domain/test').glob('*/metrics.json')
    assert sorted(json.loads(metrics_file.read_text())['images']) == sorted(
        read_split(synthetic_root / 'splits/test.txt'))
    record = json.loads((work_dir / 'cross_validation.json').read_text())
    assert record['in_domain']['metrics_file'] == str(metrics_file)


@pytest.mark.parametrize('problem', ['config', 'evaluator', 'splits', 'fold', 'in_domain'])
def test_mistakes_stop_before_anything_is_written(problem, tmp_path, synthetic_root, capsys):
    args = [str(CONFIG), '--protocol', 'lomo', '--data-root', str(synthetic_root),
            '--work-dir', str(tmp_path / 'cv')]
    expected = {
        'config': 'missing.py: config not found',
        'evaluator': 'the test_evaluator is not ArtefactMetric',
        'splits': 'splits.json: not found',
        'fold': "unknown fold 'Marble'; the folds are: 'Canvas' (canvas)",
        'in_domain': 'no_run: no such work dir',
    }[problem]
    if problem == 'config':
        args[0] = str(tmp_path / 'missing.py')
    elif problem == 'evaluator':
        args[0] = str(tmp_path / 'iou_metric.py')
        (tmp_path / 'iou_metric.py').write_text(
            f"_base_ = '{CONFIG}'\ntest_evaluator = dict(type='IoUMetric')\n")
    elif problem == 'splits':
        args[4] = str(tmp_path)
    elif problem == 'fold':
        args += ['--folds', 'Canvas', 'Marble']
    else:
        args += ['--in-domain-work-dir', str(tmp_path / 'no_run')]
    assert load_tool(TOOL).main(args) == 2
    assert expected in capsys.readouterr().err
    assert not (tmp_path / 'cv').exists()


def test_slurm_needs_a_partition(synthetic_root):
    with pytest.raises(SystemExit) as error:
        load_tool(TOOL).main([str(CONFIG), '--protocol', 'lomo', '--launcher', 'slurm'])
    assert error.value.code == 2


def test_existing_in_domain_test_is_used_as_it_is(local_run, synthetic_root):
    fold = in_domain_fold(synthetic_root)
    # A local name: imported into the module, pytest would collect it as a test.
    tested_in_domain = cross_validation_runner.tested_in_domain
    tested = tested_in_domain(local_run[0] / 'in_domain/test', fold, str(synthetic_root))
    assert tested is not None and tested.metrics['num_images'] == 2
    # A training work dir's newest metrics are a validation's: its checkpoint is to be tested.
    assert tested_in_domain(local_run[0] / 'in_domain/train', fold, str(synthetic_root)) is None
