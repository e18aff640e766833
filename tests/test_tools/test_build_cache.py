"""tools/dataset_converters/build_cache.py builds the image cache ahead of training."""
import numpy as np
import pytest

from mmseg_heritage.datasets.preparation import generate_synthetic_dataset, read_split

from helpers import REPO, run_main

TOOL = REPO / 'tools/dataset_converters/build_cache.py'
CONFIG = REPO / 'configs/poc59/segformer_b3_384.py'


def build(*args, capsys):
    """The tool's ``main`` in this process."""
    return run_main(TOOL, *args, '--no-progress', capsys=capsys)


@pytest.fixture
def data_root(tmp_path):
    return generate_synthetic_dataset(tmp_path / 'data', num_images=6, size=(90, 120), seed=5)


def entries(folder):
    return {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}


def test_builds_a_configs_training_cache_then_finds_it_up_to_date(data_root, capsys):
    train_ids = read_split(data_root / 'splits/train.txt')
    options = ['--cfg-options', f'train_dataloader.dataset.data_root={data_root}']
    result = build(CONFIG, *options, capsys=capsys)
    assert result.returncode == 0, result.stderr
    cache = data_root / 'cache/3072x1536'
    assert f'{2 * len(train_ids)} entries written, 0 up to date, in {cache}' in result.stdout
    images, annotations = entries(cache / 'images'), entries(cache / 'annotations')
    assert sorted(name.split('.')[0] for name in images) == sorted(train_ids)  # training only
    assert len(annotations) == len(train_ids)
    # A temporary file that a killed writer left behind is cleared on the next run.
    (cache / 'images' / '.x.png.npy.partial-123.npy').write_bytes(b'half')

    result = build(CONFIG, *options, capsys=capsys)
    assert result.returncode == 0, result.stderr
    assert f'0 entries written, {2 * len(train_ids)} up to date' in result.stdout
    assert entries(cache / 'images') == images and entries(cache / 'annotations') == annotations


def test_builds_every_file_of_a_data_root_at_the_fit(data_root, tmp_path, capsys):
    result = build(data_root, '--fit', 64, 32, '--cache-dir', tmp_path / 'elsewhere',
                   capsys=capsys)
    assert result.returncode == 0, result.stderr
    assert '12 entries written, 0 up to date' in result.stdout
    cache = tmp_path / 'elsewhere/64x32'
    for folder in ('images', 'annotations'):
        shapes = {np.load(path).shape[:2] for path in (cache / folder).iterdir()}
        assert shapes == {(32, 43)}
    assert not (data_root / 'cache').exists()


def test_an_unreadable_source_is_named_and_the_rest_built(data_root, capsys):
    broken = sorted((data_root / 'images').iterdir())[0]
    broken.write_bytes(b'not a png')
    result = build(data_root, capsys=capsys)
    assert result.returncode == 1
    assert f'error: {broken}: the image could not be decoded' in result.stderr
    assert '11 entries written' in result.stdout


@pytest.mark.parametrize('target', ['data_root', 'config'])
def test_a_missing_data_root_exits_with_2(tmp_path, target, capsys):
    missing = tmp_path / 'no_such_data'
    args = ([missing] if target == 'data_root' else
            [CONFIG, '--cfg-options', f'train_dataloader.dataset.data_root={missing}'])
    result = build(*args, capsys=capsys)
    assert result.returncode == 2
    assert f'build_cache.py: error: {missing}: ' in result.stderr
    assert 'not found' in result.stderr and 'Traceback' not in result.stderr


def test_a_config_without_a_cache_exits_with_2(capsys):
    result = build(REPO / 'configs/demo/unet_s_synthetic_160.py', capsys=capsys)
    assert result.returncode == 2
    assert 'no dataloader of the config loads with LoadCachedImageAndAnnotations' in \
        result.stderr
