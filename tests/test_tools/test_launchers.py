"""Our tools/train.py and test.py, alone and distributed over CPU processes (torchrun, srun)."""
import json
import re

import pytest
import torch
from mmengine.config import Config

from mmseg_heritage.engine import cpu_distributed_cfg, setup_cpu_distributed

from helpers import (DEMO_CONFIG, IN_PROCESS_LOADING, PYTHON, REPO, free_port, newest_log, run_main,
                     run_process, tool_env)

TOOLS = REPO / 'tools'
# The val split has 3 images: 2 processes get 2 each, so the sampler pads it with a repeat.
# (The test split's 2 images divide evenly and would not show whether padding is counted.)
EVAL_SPLIT = 'splits/val.txt'
METRICS = re.compile(r'Iter\(test\) \[(\d+)/(\d+)\]\s+(aAcc: \S+\s+mIoU: \S+.*?'
                     r'coarse_mIoU: \S+)')
GLOO_RANK0 = 'No GPU: started distributed run with the gloo backend on CPU, rank 0 of world size 2'


def run(command, cwd, env=None, returncode=0) -> str:
    """Run a tool; return its stdout and stderr together."""
    result = run_process(command, cwd=cwd, env=env or tool_env())
    output = result.stdout + result.stderr
    assert result.returncode == returncode, output[-6000:]
    return output


def data_options(data_root, split: str = EVAL_SPLIT) -> list:
    """Our synthetic data (``--data-root``: its class weights too), loaded in-process, and the
    split to test on; ends in ``--cfg-options``, so more options may follow."""
    return ['--data-root', data_root, '--cfg-options', *IN_PROCESS_LOADING,
            f'test_dataloader.dataset.ann_file={split}']


def train_options(data_root, iters: int) -> list:
    """A few iterations of 2 images (per process), validated and saved at the end."""
    return [*data_options(data_root), f'train_cfg.max_iters={iters}',
            f'train_cfg.val_interval={iters}', f'default_hooks.checkpoint.interval={iters}',
            'default_hooks.logger.interval=1', 'train_dataloader.batch_size=2']


def metrics_of(output: str) -> tuple:
    """(iterations run by rank 0, dataset size, metrics line) of a test run."""
    match = METRICS.search(output)
    assert match, output[-3000:]
    return int(match[1]), int(match[2]), match[3]


@pytest.fixture(scope='module')
def dist_train(tmp_path_factory, synthetic_root):
    """tools/dist_train.sh with 2 CPU processes, 4 iterations; each rank saves its weights."""
    work_dir = tmp_path_factory.mktemp('dist_train')
    # The demo config with SyncBN, as the poc configs, and tests/test_tools/rank_weights_hook.py
    # (custom_imports cannot be given in --cfg-options: loading the config file imports them).
    config = tmp_path_factory.mktemp('config') / 'demo_sync_bn_saving_rank_weights.py'
    config.write_text(
        f"_base_ = '{DEMO_CONFIG}'\n"
        "norm_cfg = dict(type='SyncBN', requires_grad=True)\n"
        "model = dict(backbone=dict(norm_cfg=norm_cfg), decode_head=dict(norm_cfg=norm_cfg))\n"
        "custom_imports = dict(imports=['mmseg_heritage', 'rank_weights_hook'], "
        "allow_failed_imports=False)\n"
        "custom_hooks = [dict(type='SaveRankWeightsHook')]\n")
    output = run([TOOLS / 'dist_train.sh', config, 2, '--work-dir', work_dir,
                  *train_options(synthetic_root, 4)],
                 cwd=work_dir, env=tool_env(PORT=str(free_port())))
    return work_dir, output, config.name


@pytest.fixture(scope='module')
def single_test(dist_train, synthetic_root):
    """tools/test.py, not distributed (in this process), on the checkpoint of the distributed
    training; its work dir and log."""
    work_dir = dist_train[0] / 'single_test'
    result = run_main(TOOLS / 'test.py', DEMO_CONFIG, dist_train[0] / 'iter_4.pth',
                      '--work-dir', work_dir, *data_options(synthetic_root))
    assert result.returncode == 0
    return work_dir, newest_log(work_dir)


def srun_args_before(command: list, gres=('--gres=gpu:2', )) -> list:
    return ['-p', 'cpu', '--job-name=heritage', *gres, '--ntasks=2',
            '--ntasks-per-node=2', '--cpus-per-task=1', '--kill-on-bad-exit=1', '--time=5',
            '--qos=debug', PYTHON, '-u', *map(str, command)]


def test_dist_train_runs_two_gloo_processes(dist_train):
    work_dir, output, config_name = dist_train
    assert GLOO_RANK0 in output
    assert 'rank 1 of world size 2' not in output  # the other ranks log errors only
    assert 'Distributed launcher: pytorch' in output
    assert 'Distributed training: True' in output
    assert 'GPU number: 2' in output  # mmengine's name for the world size
    assert 'Iter(train) [4/4]' in output
    assert torch.load(work_dir / 'iter_4.pth', weights_only=True)['meta']['iter'] == 4
    # The config it ran (the runner dumps it into the work dir).
    assert 'No GPU: SyncBN is replaced by BN' in output
    ran = Config.fromfile(work_dir / config_name, import_custom_modules=False)
    assert 'SyncBN' not in str(ran.model)
    assert ran.env_cfg.dist_cfg.backend == 'gloo'
    assert ran.model_wrapper_cfg.device_ids is None  # DDP wraps the CPU model


def test_ranks_hold_identical_weights(dist_train):
    work_dir = dist_train[0]
    before, after = ([torch.load(work_dir / f'rank{rank}_{stage}.pth') for rank in (0, 1)]
                     for stage in ('before', 'after'))
    parameters = after[0]['parameters']
    assert parameters.keys() == after[1]['parameters'].keys()
    for name, value in parameters.items():
        # DDP averaged the gradients: both ranks made the same steps from the same start ...
        assert torch.equal(before[0]['parameters'][name], before[1]['parameters'][name]), name
        assert torch.equal(value, after[1]['parameters'][name]), name
        # ... and every weight was trained.
        assert not torch.equal(value, before[0]['parameters'][name]), name
    # ... on different images: each rank's BN statistics are its own (buffers are not synced).
    means = [name for name in after[0]['buffers'] if name.endswith('running_mean')]
    assert means and all(not torch.equal(after[0]['buffers'][name], after[1]['buffers'][name])
                         for name in means)
    # The checkpoint holds these weights.
    state_dict = torch.load(work_dir / 'iter_4.pth', weights_only=True)['state_dict']
    for name, value in parameters.items():
        assert torch.equal(state_dict[name], value), name


def test_test_py_evaluates_the_split_and_writes_metrics_json(single_test, synthetic_root):
    work_dir, output = single_test
    count = len((synthetic_root / EVAL_SPLIT).read_text().split())
    assert metrics_of(output)[:2] == (count, count)
    # mmengine dumps the headline metrics as <work_dir>/<timestamp>/<timestamp>.json, next to
    # ArtefactMetric's full metrics.json
    [run_dir] = work_dir.glob('*/')
    metrics = json.loads((run_dir / f'{run_dir.name}.json').read_text())
    mIoU = float(re.search(r'\bmIoU: (\S+)', output)[1])
    assert metrics['mIoU'] == pytest.approx(mIoU, abs=0.01)
    assert json.loads((run_dir / 'metrics.json').read_text())['overall']['mIoU'] == mIoU


def test_dist_test_gives_the_single_process_metrics(dist_train, single_test, synthetic_root):
    work_dir = dist_train[0]
    output = run([
        TOOLS / 'dist_test.sh', DEMO_CONFIG, work_dir / 'iter_4.pth', 2, '--work-dir',
        work_dir / 'dist_test', *data_options(synthetic_root)
    ], cwd=work_dir, env=tool_env(PORT=str(free_port())))
    assert GLOO_RANK0 in output
    count = len((synthetic_root / EVAL_SPLIT).read_text().split())
    rank0_iters, rank0_total, metrics = metrics_of(output)
    # Rank 0 tested half of the split padded to an even size, yet the metrics are those of
    # the whole split: mmengine gathers the ranks' results and drops the padding.
    assert count % 2 == 1 and rank0_iters == rank0_total == (count + 1) // 2
    assert metrics == metrics_of(single_test[1])[2]


def test_slurm_train(slurm_stand_ins, synthetic_root):
    env, tmp_path = slurm_stand_ins
    work_dir = tmp_path / 'work_dir'
    py_args = ['--work-dir', work_dir, *train_options(synthetic_root, 2)]
    output = run([TOOLS / 'slurm_train.sh', 'cpu', 'heritage', DEMO_CONFIG, *py_args],
                 cwd=tmp_path, env=env)
    recorded = (tmp_path / 'srun_args').read_text().splitlines()
    assert recorded == srun_args_before(
        [TOOLS / 'train.py', DEMO_CONFIG, '--launcher=slurm', *py_args])
    # Both tasks took the master address from scontrol, as mmengine does.
    assert (tmp_path / 'scontrol_args').read_text().splitlines() == ['show hostname node-[1]'] * 2
    assert f"rank 0 of world size 2 (master 127.0.0.1:{env['MASTER_PORT']})" in output
    assert 'Distributed launcher: slurm' in output
    assert 'GPU number: 2' in output
    assert torch.load(work_dir / 'iter_2.pth', weights_only=True)['meta']['iter'] == 2


def test_slurm_test(slurm_stand_ins, dist_train, single_test, synthetic_root):
    env, tmp_path = slurm_stand_ins
    checkpoint = dist_train[0] / 'iter_4.pth'
    py_args = ['--work-dir', tmp_path / 'work_dir', *data_options(synthetic_root)]
    # GRES= asks for no GPUs, as on a partition of CPU nodes.
    output = run([TOOLS / 'slurm_test.sh', 'cpu', 'heritage', DEMO_CONFIG, checkpoint,
                  *py_args], cwd=tmp_path, env={**env, 'GRES': ''})
    recorded = (tmp_path / 'srun_args').read_text().splitlines()
    assert recorded == srun_args_before(
        [TOOLS / 'test.py', DEMO_CONFIG, checkpoint, '--launcher=slurm', *py_args], gres=())
    assert 'Distributed launcher: slurm' in output
    assert metrics_of(output)[2] == metrics_of(single_test[1])[2]


def test_train_py_without_launcher(tmp_path, synthetic_root, capfd):
    # In this process (a process would spend most of its seconds importing MMSeg).
    result = run_main(TOOLS / 'train.py', DEMO_CONFIG, '--work-dir', tmp_path,
                      *train_options(synthetic_root, 2), capsys=capfd)
    output = result.stdout + result.stderr + newest_log(tmp_path)
    assert result.returncode == 0, output[-6000:]
    assert 'Distributed training: False' in output
    assert 'No GPU' not in output
    assert torch.load(tmp_path / 'iter_2.pth', weights_only=True)['meta']['iter'] == 2
    # --data-root moved the loss's class weights with the data (the runner dumps the config).
    ran = Config.fromfile(tmp_path / DEMO_CONFIG.name, import_custom_modules=False)
    assert ran.model.decode_head.loss_decode.class_weight == \
        f'{synthetic_root}/class_weights.json'
    assert ran.train_dataloader.dataset.data_root == str(synthetic_root)


@pytest.mark.skipif(torch.cuda.is_available(), reason='--amp works with a GPU')
@pytest.mark.parametrize('launcher, cuda', [('none', False), ('pytorch', True), ('slurm', True)])
def test_no_launcher_or_a_gpu_leaves_the_config_alone(launcher, cuda, monkeypatch):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: cuda)
    cfg = Config.fromfile(DEMO_CONFIG)
    cfg.launcher = launcher
    original = cfg.to_dict()
    assert setup_cpu_distributed(cfg) is cfg
    assert cfg.to_dict() == original
    assert not torch.distributed.is_initialized()


def test_mpi_without_gpu_is_refused(monkeypatch):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    cfg = Config(dict(launcher='mpi'))
    with pytest.raises(RuntimeError, match="'mpi' launcher needs GPUs"):
        setup_cpu_distributed(cfg)
    assert not torch.distributed.is_initialized()


def test_cpu_distributed_cfg_replaces_sync_bn_and_wraps_for_cpu():
    cfg = Config(dict(
        model=dict(
            backbone=dict(norm_cfg=dict(type='SyncBN', requires_grad=True)),
            auxiliary_head=[dict(norm_cfg=dict(type='SyncBN')), dict(norm_cfg=dict(type='GN'))]),
        env_cfg=dict(dist_cfg=dict(backend='nccl', timeout=60)),
        find_unused_parameters=True,
        sync_bn='torch'))
    cfg = cpu_distributed_cfg(cfg)
    assert cfg.model.backbone.norm_cfg == dict(type='BN', requires_grad=True)
    assert [head.norm_cfg.type for head in cfg.model.auxiliary_head] == ['BN', 'GN']
    assert 'sync_bn' not in cfg  # the runner would turn BN back into SyncBN
    assert cfg.env_cfg.dist_cfg == dict(backend='gloo', timeout=60)
    assert cfg.model_wrapper_cfg == dict(type='MMDistributedDataParallel', device_ids=None,
                                         broadcast_buffers=False, find_unused_parameters=True)
    assert not torch.distributed.is_initialized()


def test_cpu_distributed_cfg_on_a_sync_bn_config_with_its_own_wrapper():
    cfg = Config.fromfile(REPO / 'configs/poc59/upernet_convnext_tiny_384.py')
    assert 'SyncBN' in str(cfg.model)
    cfg.model_wrapper_cfg = dict(type='MMDistributedDataParallel', device_ids=[0],
                                 find_unused_parameters=True)
    cfg = cpu_distributed_cfg(cfg)
    assert 'SyncBN' not in str(cfg.model)
    assert cfg.model_wrapper_cfg == dict(type='MMDistributedDataParallel', device_ids=None,
                                         find_unused_parameters=True)
