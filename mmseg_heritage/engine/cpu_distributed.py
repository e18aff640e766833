"""Distributed training and testing on CPU processes, for machines without GPUs.

mmengine 0.10.7 assumes CUDA in a distributed run: ``init_dist`` calls ``torch.cuda.set_device``,
``Runner.wrap_model`` gives DDP ``device_ids=[LOCAL_RANK]``, which DDP refuses for a CPU model,
and torch's SyncBatchNorm works only on GPUs. ``tools/train.py`` and ``tools/test.py`` call
:func:`setup_cpu_distributed` before building the runner; it starts ``torch.distributed`` over
gloo itself (the runner then skips its own start) and adapts the config. With a GPU, or without
a launcher, nothing changes.
"""
import datetime
import gc
import logging
import os
import subprocess
from typing import Any

import torch
import torch.distributed as torch_dist
from mmengine.config import Config
from mmengine.logging import print_log

# The launchers that can start CPU processes: torchrun (tools/dist_*.sh) and srun (slurm_*.sh).
CPU_LAUNCHERS = ('pytorch', 'slurm')


def setup_cpu_distributed(cfg: Config) -> Config:
    """Start a CPU distributed run (gloo) for ``cfg.launcher`` when there is no GPU.

    For the ``pytorch`` launcher rank, world size and master address come from torchrun's
    environment variables; for ``slurm`` they come from srun's, as in mmengine's
    ``_init_dist_slurm``. The config is changed by :func:`cpu_distributed_cfg`.

    Args:
        cfg (Config): The run's config, with ``launcher`` set by the tool.

    Returns:
        Config: ``cfg``, changed in place when a CPU distributed run was started.
    """
    launcher = cfg.get('launcher', 'none')
    if launcher == 'none' or torch.cuda.is_available():
        return cfg
    if launcher not in CPU_LAUNCHERS:
        raise RuntimeError(f"The '{launcher}' launcher needs GPUs; without them use "
                           f"{' or '.join(CPU_LAUNCHERS)} (tools/dist_train.sh, "
                           'tools/slurm_train.sh).')
    if launcher == 'slurm':
        _set_env_from_slurm()
    timeout = cfg.get('env_cfg', {}).get('dist_cfg', {}).get('timeout')
    kwargs = {} if timeout is None else {'timeout': datetime.timedelta(seconds=timeout)}
    torch_dist.init_process_group(backend='gloo', **kwargs)
    # Logged after the start, so that only rank 0 prints (mmengine's logger reads the rank).
    print_log(
        f'No GPU: started distributed run with the gloo backend on CPU, rank '
        f'{torch_dist.get_rank()} of world size {torch_dist.get_world_size()} '
        f"(master {os.environ['MASTER_ADDR']}:{os.environ['MASTER_PORT']}).",
        logger='current')
    return cpu_distributed_cfg(cfg)


def leave_distributed() -> None:
    """Leave the process group, if any, once the caller has dropped its runner.

    Torn down with the interpreter instead, the group (kept alive by DDP, and under srun
    holding rank 0's TCPStore server) can abort the process: "terminate called without an
    active exception".
    """
    gc.collect()  # the dropped runner's DDP wrapper still references the group
    if torch_dist.is_available() and torch_dist.is_initialized():
        torch_dist.destroy_process_group()


def cpu_distributed_cfg(cfg: Config) -> Config:
    """Adapt a config to distributed training on CPU processes, without starting anything.

    Sets the gloo backend in ``env_cfg.dist_cfg``, makes the model wrapper DDP on CPU
    (``device_ids=None``; the config's ``model_wrapper_cfg`` takes precedence over the
    runner's CUDA device ids) and replaces SyncBN by BN, since torch's SyncBatchNorm needs GPUs.

    Args:
        cfg (Config): The config to change in place.

    Returns:
        Config: ``cfg``.
    """
    cfg.setdefault('env_cfg', {}).setdefault('dist_cfg', {})['backend'] = 'gloo'
    if cfg.get('model_wrapper_cfg') is None:
        cfg.model_wrapper_cfg = dict(
            type='MMDistributedDataParallel', broadcast_buffers=False,
            find_unused_parameters=cfg.get('find_unused_parameters', False))
    cfg.model_wrapper_cfg.device_ids = None
    # The runner's sync_bn option turns BN into SyncBN after building the model.
    sync_bn = cfg.pop('sync_bn', None)
    if replace_sync_bn(cfg.model) or sync_bn is not None:
        print_log('No GPU: SyncBN is replaced by BN, so each process normalises over its own '
                  "images (torch's SyncBatchNorm works only on GPUs).",
                  logger='current', level=logging.WARNING)
    return cfg


def replace_sync_bn(model_cfg: Any) -> bool:
    """Replace every ``type='SyncBN'`` in a (nested) model config by ``'BN'``, in place.

    Args:
        model_cfg: A model config, or any part of one (dicts and lists are searched).

    Returns:
        bool: Whether anything was replaced.
    """
    replaced = False
    if isinstance(model_cfg, dict):
        if model_cfg.get('type') == 'SyncBN':
            model_cfg['type'] = 'BN'
            replaced = True
        children = model_cfg.values()
    elif isinstance(model_cfg, (list, tuple)):
        children = model_cfg
    else:
        return False
    for child in children:
        replaced |= replace_sync_bn(child)
    return replaced


def _set_env_from_slurm() -> None:
    """Set torch.distributed's environment variables from srun's, as mmengine does."""
    node_list = os.environ['SLURM_NODELIST']
    if 'MASTER_ADDR' not in os.environ:
        os.environ['MASTER_ADDR'] = subprocess.getoutput(
            f'scontrol show hostname {node_list} | head -n1')
    os.environ.setdefault('MASTER_PORT', '29500')  # torch.distributed's default port
    os.environ['WORLD_SIZE'] = os.environ['SLURM_NTASKS']
    os.environ['RANK'] = os.environ['SLURM_PROCID']
    # Only GPU selection reads the local rank, so a missing SLURM_LOCALID does not matter here.
    os.environ['LOCAL_RANK'] = os.environ.get('SLURM_LOCALID', '0')
