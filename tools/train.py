# Copyright (c) OpenMMLab. All rights reserved.
# MMSeg 1.2.2's tools/train.py plus distributed training on CPU processes when there is no GPU
# (setup_cpu_distributed) and mixed precision without a GPU: --amp trains in bfloat16 there
# (BF16OptimWrapper), a misspelt top-level config key is an error rather than ignored, and
# --data-root points the config at another dataset (set_data_root: class weights move too).
# Launch it with tools/dist_train.sh or tools/slurm_train.sh for a distributed run.
import argparse
import os
import os.path as osp

from mmengine.config import Config, DictAction
from mmengine.device import get_device
from mmengine.runner import Runner

from mmseg.registry import RUNNERS

import mmseg_heritage  # noqa: F401  registers our modules
from mmseg_heritage.engine import leave_distributed, mixed_precision_cfg, setup_cpu_distributed
from mmseg_heritage.engine.mixed_precision import AMP_DEVICES
from mmseg_heritage.utils import check_config_keys
from mmseg_heritage.utils.data_config import set_data_root


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Train a segmentor')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--resume',
        action='store_true',
        default=False,
        help='resume from the latest checkpoint in the work_dir automatically')
    parser.add_argument(
        '--amp',
        action='store_true',
        default=False,
        help='enable automatic-mixed-precision training')
    parser.add_argument(
        '--data-root',
        help='dataset folder: every loader reads it, and every path under the '
        "config's data_root (class weights, cache) moves with it")
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override some settings in the used config, the key-value pair '
        'in xxx=yyy format will be merged into config file. If the value to '
        'be overwritten is a list, it should be like key="[a,b]" or key=a,b '
        'It also allows nested list/tuple values, e.g. key="[(a,b),(c,d)]" '
        'Note that the quotation marks are necessary and that no white space '
        'is allowed.')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    # When using PyTorch version >= 2.0.0, the `torch.distributed.launch`
    # will pass the `--local-rank` parameter to `tools/train.py` instead
    # of `--local_rank`.
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)

    return args


def main(argv=None):
    args = parse_args(argv)

    # load config
    cfg = Config.fromfile(args.config)
    cfg.launcher = args.launcher
    if args.data_root is not None:
        set_data_root(cfg, args.data_root)
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    # MMEngine ignores unknown keys: stop on a misspelt one before anything is written
    check_config_keys(cfg)

    # work_dir is determined in this priority: CLI > segment in file > filename
    if args.work_dir is not None:
        # update configs according to CLI args if args.work_dir is not None
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        # use config filename as default work_dir if cfg.work_dir is None
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])

    # enable automatic-mixed-precision training: float16 on a GPU as in MMSeg, bfloat16 on
    # CPU, where mmengine's AmpOptimWrapper (also when set in the config) would refuse to start
    device = get_device()
    if args.amp or (cfg.get('optim_wrapper', {}).get('type') == 'AmpOptimWrapper'
                    and device not in AMP_DEVICES):
        cfg.optim_wrapper = mixed_precision_cfg(cfg.optim_wrapper, device)

    # resume training
    cfg.resume = args.resume

    # without GPUs, start distributed training on CPU processes ourselves
    cfg = setup_cpu_distributed(cfg)

    # build the runner from config
    if 'runner_type' not in cfg:
        # build the default runner
        runner = Runner.from_cfg(cfg)
    else:
        # build customized runner from the registry
        # if 'runner_type' is set in the cfg
        runner = RUNNERS.build(cfg)

    # start training
    runner.train()
    del runner  # DDP holds the process group: drop it before leaving the group
    leave_distributed()


if __name__ == '__main__':
    main()
