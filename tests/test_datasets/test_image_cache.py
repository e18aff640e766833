"""The image cache and LoadCachedImageAndAnnotations: entries, fit, atomicity, parity with the
stock loaders and with the uncached training pipeline."""
import os
import re
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest
from mmcv.transforms import Compose
from mmengine.config import Config
from mmseg.registry import TRANSFORMS

import mmseg_heritage  # noqa: F401  registers the transforms
from mmseg_heritage.datasets import ArtefactDataset
from mmseg_heritage.datasets.preparation import generate_synthetic_dataset
from mmseg_heritage.datasets.image_cache import ImageCache

CONFIGS = Path(__file__).resolve().parents[2] / 'configs/_base_/datasets'
STOCK_LOADING = [dict(type='LoadImageFromFile'), dict(type='LoadAnnotations')]


@pytest.fixture(scope='module')
def dataset_root(tmp_path_factory):
    """Six synthetic images of 90 x 120 pixels (height x width)."""
    return generate_synthetic_dataset(tmp_path_factory.mktemp('cache') / 'data', num_images=6,
                                      size=(90, 120), seed=3)


@pytest.fixture
def root(dataset_root, tmp_path):
    """A private copy (tests change files and write caches)."""
    return shutil.copytree(dataset_root, tmp_path / 'data')


def first(root, folder='images'):
    return sorted((root / folder).glob('*.png'))[0]


def sample_info(root, sample_id):
    return dict(img_path=str(root / 'images' / f'{sample_id}.png'),
                seg_map_path=str(root / 'annotations' / f'{sample_id}.png'),
                seg_fields=[], reduce_zero_label=False, label_map=None)


def files_in(folder):
    return sorted(p.name for p in Path(folder).iterdir())  # hidden partial files included


def test_entry_is_written_once_and_reused(root):
    cache = ImageCache(fit=(64, 32))
    source = first(root)
    image = cache.load(source, 'image')
    entry = cache.entry_path(source)
    assert entry.parent == root / 'cache' / '64x32' / 'images'
    assert files_in(entry.parent) == [entry.name]
    written = entry.stat().st_mtime_ns
    assert np.array_equal(cache.load(source, 'image'), image)
    assert entry.stat().st_mtime_ns == written
    assert cache.build(source, 'image') is False


def test_changed_source_is_cached_again(root):
    cache = ImageCache(fit=(64, 32))
    source = first(root)
    before = cache.load(source, 'image')
    old_entry = cache.entry_path(source)
    cv2.imwrite(str(source), np.full((90, 120, 3), 7, np.uint8))
    stat = source.stat()
    os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # a coarse clock
    after = cache.load(source, 'image')
    assert not np.array_equal(after, before) and (after == 7).all()
    assert files_in(old_entry.parent) == [cache.entry_path(source).name]  # old one removed


def test_a_failed_write_leaves_no_partial_entry(root, monkeypatch):
    cache = ImageCache(fit=(64, 32))
    source = first(root)

    def disk_full(file, array):
        file.write(b'\x93NUMPY half an entry')
        raise OSError(28, 'No space left on device')

    monkeypatch.setattr(np, 'save', disk_full)
    with pytest.raises(OSError, match='cannot write this cache entry .*No space left'):
        cache.load(source, 'image')
    assert files_in(cache.folder(source)) == []
    monkeypatch.undo()
    assert cache.load(source, 'image').shape == (32, 43, 3)


@pytest.mark.parametrize('fit, height, width, expected, folder', [
    ((64, 32), 90, 120, (32, 43), '64x32'),  # the short side bounds it
    ((32, 64), 90, 120, (32, 43), '64x32'),  # (long, short) in either order
    ((60, 50), 90, 120, (45, 60), '60x50'),  # the long side bounds it
    ((64, 32), 120, 90, (43, 32), '64x32'),  # portrait
    ((1000, 500), 90, 120, (90, 120), '1000x500'),  # never enlarged
    (None, 90, 120, (90, 120), 'full'),  # full-size decoded copies
])
def test_entries_fit_the_size(tmp_path, fit, height, width, expected, folder):
    source = tmp_path / 'images' / 'x.png'
    source.parent.mkdir()
    cv2.imwrite(str(source), np.random.randint(0, 256, (height, width, 3), np.uint8))
    cache = ImageCache(fit)
    assert cache.load(source, 'image').shape == (*expected, 3)
    assert cache.folder(source) == tmp_path / 'cache' / folder / 'images'


def test_shrunk_masks_keep_only_valid_values(tmp_path):
    rng = np.random.default_rng(0)
    classes = np.array([0, 1, 5, 14, 15, 255], np.uint8)
    mask = classes[rng.integers(len(classes), size=(300, 400))]  # averaging would mix these
    source = tmp_path / 'annotations' / 'x.png'
    source.parent.mkdir()
    cv2.imwrite(str(source), mask)
    shrunk = ImageCache(fit=(100, 50)).load(source, 'annotation')
    assert shrunk.shape == (50, 67) and shrunk.dtype == np.uint8
    assert set(np.unique(shrunk)) <= set(classes)
    assert len(np.unique(shrunk)) == len(classes)


def test_transform_gives_what_the_stock_loaders_give(root):
    sample_id = first(root).stem
    stock = Compose(STOCK_LOADING)(sample_info(root, sample_id))
    cached = TRANSFORMS.build(dict(type='LoadCachedImageAndAnnotations', fit=(3072, 1536)))
    for _ in range(2):  # building the entry, then reading it
        results = cached(sample_info(root, sample_id))
        assert results.keys() == stock.keys()
        for key in ('img_shape', 'ori_shape', 'seg_fields'):
            assert results[key] == stock[key]
        for key in ('img', 'gt_seg_map'):
            assert results[key].dtype == stock[key].dtype
            assert np.array_equal(results[key], stock[key])
        assert results['img'].flags.writeable


def test_transform_relabels_as_the_stock_loader(root):
    sample_id = first(root).stem
    info = dict(sample_info(root, sample_id), reduce_zero_label=True,
                label_map={0: 3, 3: 0, 4: 255})
    stock = Compose(STOCK_LOADING)(dict(info, seg_fields=[]))
    cached = TRANSFORMS.build(dict(type='LoadCachedImageAndAnnotations'))(
        dict(info, seg_fields=[]))
    assert np.array_equal(cached['gt_seg_map'], stock['gt_seg_map'])


def test_shrunk_image_and_mask_share_their_size(root):
    results = TRANSFORMS.build(dict(type='LoadCachedImageAndAnnotations', fit=(64, 32)))(
        sample_info(root, first(root).stem))
    assert results['img'].shape == (32, 43, 3) and results['gt_seg_map'].shape == (32, 43)
    assert results['img_shape'] == results['ori_shape'] == (32, 43)


@pytest.mark.parametrize('folder', ['images', 'annotations'])
def test_a_missing_or_corrupt_source_is_named(root, folder):
    transform = TRANSFORMS.build(dict(type='LoadCachedImageAndAnnotations', fit=(64, 32)))
    info = sample_info(root, first(root).stem)
    source = first(root, folder)
    source.write_bytes(b'not an image')
    kind = 'image' if folder == 'images' else 'mask'
    with pytest.raises(ValueError, match=re.escape(f'{source}: the {kind} could not be decoded')):
        transform(info)
    source.unlink()
    with pytest.raises(FileNotFoundError, match=re.escape(str(source)) + ': .* file not found'):
        transform(dict(info, seg_fields=[]))


def training_pipelines(config, root, **crop):
    """The config's training pipeline, cached and with the stock loaders, on ``root``."""
    pipeline = Config.fromfile(CONFIGS / config).train_pipeline
    for transform in pipeline:
        if transform['type'] == 'RareClassCrop':
            transform.update(class_weights=str(root / 'class_weights.json'), **crop)
    assert pipeline[0]['type'] == 'LoadCachedImageAndAnnotations'
    return Compose(pipeline), Compose(STOCK_LOADING + pipeline[1:])


def run_both(cached, stock, info, seed):
    outputs = []
    for pipeline in (cached, stock):
        np.random.seed(seed)
        outputs.append(pipeline(dict(info, seg_fields=[])))
    return outputs


@pytest.mark.parametrize('config', ['artefact_384.py', 'artefact_256.py'])
def test_training_crops_equal_the_uncached_ones_below_the_fit(root, config):
    cached, stock = training_pipelines(config, root)
    dataset = ArtefactDataset(data_root=str(root), pipeline=[])
    for seed in range(3):
        for index in range(len(dataset)):
            ours, theirs = run_both(cached, stock, dataset.get_data_info(index), seed)
            assert ours['inputs'].shape[1:] == (int(config[9:12]), ) * 2
            assert ours['inputs'].equal(theirs['inputs'])
            assert ours['data_samples'].gt_sem_seg.data.equal(
                theirs['data_samples'].gt_sem_seg.data)


def test_training_crops_nearly_equal_the_uncached_ones_above_the_fit(tmp_path):
    # Images larger than the fit are shrunk twice (area, then RandomResize's bilinear) instead
    # of once. The cache halves these exactly, so both ways reach the same size (in general
    # rounding may differ by a pixel); random crops (prob=0: a class-centred crop depends on
    # the mask's pixel count) then cover the same place and differ only by interpolation.
    root = generate_synthetic_dataset(tmp_path / 'data', num_images=2, size=(400, 800), seed=4)
    cached, stock = training_pipelines('artefact_256.py', root, prob=0.0)
    cached.transforms[0] = TRANSFORMS.build(
        dict(type='LoadCachedImageAndAnnotations', fit=(400, 200)))  # halves 800 x 400
    for pipeline in (cached, stock):
        resize, = (t for t in pipeline.transforms if type(t).__name__ == 'RandomResize')
        resize.scale = (200, 100)  # half the fit, as in the configs
    dataset = ArtefactDataset(data_root=str(root), pipeline=[])
    for seed in range(4):
        for index in range(len(dataset)):
            ours, theirs = run_both(cached, stock, dataset.get_data_info(index), seed)
            assert ours['inputs'].shape == theirs['inputs'].shape
            difference = (ours['inputs'].float() - theirs['inputs'].float()).abs()
            assert difference.mean() < 10
            same_labels = ours['data_samples'].gt_sem_seg.data.eq(
                theirs['data_samples'].gt_sem_seg.data).float().mean()
            assert same_labels > 0.98
