"""OpenMMLab's mim runs our configs by name from any folder: search, train and test."""
import json
import subprocess
import sys

from mmseg_heritage.zoo.model_index import zoo_configs

from helpers import IN_PROCESS_LOADING, REPO, data_root_options


def mim(*args, cwd):
    """``mim`` as its console script runs it, from ``cwd`` (not the checkout)."""
    result = subprocess.run([sys.executable, '-m', 'mim', *map(str, args)], cwd=cwd,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


def test_mim_search_lists_every_config(tmp_path):
    listed = mim('search', 'mmseg_heritage', cwd=tmp_path)
    for config in zoo_configs(REPO):
        assert f'config id: {config.stem}\n' in listed


def test_mim_trains_and_tests_the_demo_config_by_name(tmp_path, synthetic_root):
    options = ['--cfg-options', *data_root_options(synthetic_root), *IN_PROCESS_LOADING,
               'train_dataloader.batch_size=2', 'default_hooks.logger.interval=1']
    work_dir = tmp_path / 'run'
    log = mim('train', 'mmseg_heritage', 'unet_s_synthetic_160.py', '--work-dir', work_dir,
              *options, 'train_cfg.max_iters=2', 'train_cfg.val_interval=2',
              'default_hooks.checkpoint.interval=2', cwd=tmp_path)
    assert f'{REPO}/configs/demo/unet_s_synthetic_160.py' in log  # found by its name
    assert (work_dir / 'iter_2.pth').is_file()

    mim('test', 'mmseg_heritage', 'unet_s_synthetic_160.py', '--checkpoint',
        work_dir / 'iter_2.pth', '--work-dir', work_dir / 'test', *options, cwd=tmp_path)
    (record, ) = (work_dir / 'test').glob('*/metrics.json')
    record = json.loads(record.read_text())
    assert record['split'] == 'test'
    assert record['num_images'] == len((synthetic_root / 'splits/test.txt').read_text().split())
