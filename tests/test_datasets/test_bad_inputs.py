"""Bad and unusual files through the configs' pipelines and tools/infer.py's reader.

A bad file is an ``ImageFileError`` naming the file and the problem, in training (the image
cache, the synthetic configs' stock image loader) and in validation and test alike; RGBA, grey,
16-bit and EXIF-rotated images load as 3-channel uint8 with their mask on the right pixels.
"""
import re
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest
from mmcv.transforms import Compose
from mmengine.config import Config
from PIL import Image, ImageOps

from mmseg_heritage.apis import read_image
from mmseg_heritage.datasets import ArtefactDataset
from mmseg_heritage.datasets.image_decoding import ImageFileError
from mmseg_heritage.datasets.preparation import generate_synthetic_dataset

from helpers import read_mask

CONFIGS = Path(__file__).resolve().parents[2] / 'configs/_base_/datasets'
ARTEFACT = Config.fromfile(CONFIGS / 'artefact_384.py')
SYNTHETIC = Config.fromfile(CONFIGS / 'synthetic_artefact.py')
# The configs' pipelines; the training crop is left out (it needs class weights, and the
# loading is what is tested).
PIPELINES = dict(
    training_cache=[ARTEFACT.train_pipeline[0], dict(type='PackArtefactInputs')],
    test=ARTEFACT.test_pipeline,
    synthetic_training=SYNTHETIC.train_pipeline,
)
# Only the loading transforms, to compare the arrays they give.
LOADING = dict(training_cache=ARTEFACT.train_pipeline[:1],
               test=[ARTEFACT.test_pipeline[0], ARTEFACT.test_pipeline[2]],
               synthetic_training=SYNTHETIC.train_pipeline[:2])
HEIGHT, WIDTH = 24, 32


@pytest.fixture(scope='module')
def dataset_root(tmp_path_factory):
    return generate_synthetic_dataset(tmp_path_factory.mktemp('bad') / 'data', num_images=2,
                                      size=(HEIGHT, WIDTH), seed=5)


@pytest.fixture
def root(dataset_root, tmp_path):
    """A private copy: the tests break its first sample."""
    return shutil.copytree(dataset_root, tmp_path / 'data')


def first_files(root):
    """The image and mask of the first sample (index 0 of a dataset over every image)."""
    image = sorted((root / 'images').glob('*.png'))[0]
    return image, root / 'annotations' / image.name


def load_first(root, pipeline):
    dataset = ArtefactDataset(data_root=str(root), pipeline=PIPELINES[pipeline],
                              test_mode=pipeline == 'test')
    return dataset[0]


def truncate(image, mask):
    data = image.read_bytes()
    image.write_bytes(data[:len(data) // 2])


def garbage_image(image, mask):
    image.write_bytes(b'\x89PNG\r\n\x1a\n' + b'not the rest of a png' * 8)


def empty_image(image, mask):
    image.write_bytes(b'')


def mask_of_other_size(image, mask):
    cv2.imwrite(str(mask), np.zeros((HEIGHT - 4, WIDTH), np.uint8))


def unknown_mask_values(image, mask):
    values = read_mask(mask)
    values[0, 0], values[1, 1] = 20, 200
    cv2.imwrite(str(mask), values)


def sixteen_bit_mask_beyond_255(image, mask):
    values = read_mask(mask).astype(np.uint16)
    values[0, 0] = 256 + 3  # MMSeg's LoadAnnotations would wrap it to 3 without a word
    cv2.imwrite(str(mask), values)


def rgb_mask(image, mask):
    values = read_mask(mask)
    cv2.imwrite(str(mask), np.dstack([values] * 3))


def garbage_mask(image, mask):
    mask.write_bytes(b'not a mask')


BAD_FILES = [
    (truncate, 'image', 'the image could not be decoded: image file is truncated'),
    (garbage_image, 'image', 'the image could not be decoded: '),
    (empty_image, 'image', 'the image could not be decoded: the file is empty'),
    (mask_of_other_size, 'mask', r'the mask is 32 x 20 but its image .* is 32 x 24 '
     r'\(width x height\)'),
    (unknown_mask_values, 'mask', r'the mask has unknown values 20, 200 \(class ids are '
     r'0-15, 255 background\)'),
    (sixteen_bit_mask_beyond_255, 'mask', 'the mask has unknown values 259'),
    (rgb_mask, 'mask', 'the mask is RGB, expected class ids'),
    (garbage_mask, 'mask', 'the mask could not be decoded: not an image format Pillow knows'),
]


@pytest.mark.parametrize('pipeline', list(PIPELINES))
@pytest.mark.parametrize('damage, bad, problem', BAD_FILES,
                         ids=[damage.__name__ for damage, *_ in BAD_FILES])
def test_a_bad_file_is_named_with_its_problem(root, pipeline, damage, bad, problem):
    image, mask = first_files(root)
    damage(image, mask)
    with pytest.raises(ImageFileError) as error:
        load_first(root, pipeline)
    message = str(error.value)
    bad_file = image if bad == 'image' else mask
    assert message.startswith(f'{bad_file}: '), message
    assert re.search(problem, message), message
    if damage is mask_of_other_size:
        assert str(image) in message


def test_a_missing_mask_is_named_when_the_dataset_is_built(root):
    image, mask = first_files(root)
    mask.unlink()
    with pytest.raises(FileNotFoundError, match=re.escape(f'{mask}: file of {image.stem!r}')):
        ArtefactDataset(data_root=str(root), pipeline=PIPELINES['test'])


def test_a_failure_that_is_not_a_bad_file_stays_as_it_was(root):
    # Every class weighs 1 but only class 0 has one: the crop refuses the sample's mask.
    pipeline = [*LOADING['synthetic_training'],
                dict(type='RareClassCrop', crop_size=8, prob=1.0, class_weights=[1.0])]
    dataset = ArtefactDataset(data_root=str(root), pipeline=pipeline)
    with pytest.raises(ValueError, match='has no class weight') as error:
        dataset[0]
    assert not isinstance(error.value, ImageFileError)


def rgb_cases():
    """name -> (how to write the image, the RGB pixels it should load as, tolerance)."""
    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 256, (HEIGHT, WIDTH, 3), dtype=np.uint8)
    alpha = rng.integers(0, 256, (HEIGHT, WIDTH), dtype=np.uint8)
    grey16 = rng.integers(0, 65536, (HEIGHT, WIDTH), dtype=np.uint16)
    rgb16 = rng.integers(0, 65536, (HEIGHT, WIDTH, 3), dtype=np.uint16)
    return {
        'rgba': (lambda path: Image.fromarray(np.dstack([rgb, alpha])).save(path), rgb, 0),
        'grey': (lambda path: Image.fromarray(rgb[..., 0]).save(path),
                 np.repeat(rgb[..., :1], 3, axis=2), 0),
        'grey_16_bit': (lambda path: cv2.imwrite(str(path), grey16),
                        np.repeat(grey16[..., None] / 257, 3, axis=2), 1),
        'rgb_16_bit': (lambda path: cv2.imwrite(str(path), rgb16[..., ::-1]), rgb16 / 257, 1),
    }


@pytest.mark.parametrize('case', list(rgb_cases()))
def test_images_of_any_mode_load_as_three_channel_uint8(root, case):
    write, expected_rgb, tolerance = rgb_cases()[case]
    image, _ = first_files(root)
    write(image)
    dataset = ArtefactDataset(data_root=str(root), pipeline=[])
    for pipeline, loading in LOADING.items():
        results = Compose(loading)(dataset.get_data_info(0))
        bgr = results['img']
        assert bgr.dtype == np.uint8 and bgr.shape == (HEIGHT, WIDTH, 3), pipeline
        difference = np.abs(bgr[..., ::-1].astype(np.float64) - expected_rgb)
        assert difference.max() <= tolerance, pipeline
        assert results['gt_seg_map'].shape == (HEIGHT, WIDTH)
        np.testing.assert_array_equal(read_image(image), bgr)  # tools/infer.py reads alike
    assert load_first(root, 'test')['inputs'].shape[0] == 3


def write_with_orientation(path, rgb, orientation):
    exif = Image.Exif()
    exif[0x0112] = orientation
    Image.fromarray(rgb).save(path, exif=exif)


# Masks drawn on the image as displayed, for every orientation; on the stored pixels for the
# quarter turns (for the others the two are the same size, and the displayed image wins).
ORIENTATIONS = [(o, 'displayed') for o in range(1, 9)] + [(o, 'stored') for o in (5, 6, 7, 8)]


@pytest.mark.parametrize('orientation, drawn_on', ORIENTATIONS)
def test_exif_orientation_is_applied_and_the_mask_stays_on_its_pixels(root, orientation,
                                                                      drawn_on):
    image, mask = first_files(root)
    stored = np.random.default_rng(orientation).integers(0, 256, (HEIGHT, WIDTH, 3),
                                                         dtype=np.uint8)
    write_with_orientation(image, stored, orientation)
    displayed = np.asarray(ImageOps.exif_transpose(Image.open(image)))
    # The class of each pixel follows from its red value, wherever the pixel ends up.
    drawn = displayed if drawn_on == 'displayed' else stored
    cv2.imwrite(str(mask), drawn[..., 0] % 16)
    dataset = ArtefactDataset(data_root=str(root), pipeline=[])
    for pipeline, loading in LOADING.items():
        results = Compose(loading)(dataset.get_data_info(0))
        np.testing.assert_array_equal(results['img'][..., ::-1], displayed, err_msg=pipeline)
        np.testing.assert_array_equal(results['gt_seg_map'], displayed[..., 0] % 16,
                                      err_msg=pipeline)
    np.testing.assert_array_equal(read_image(image)[..., ::-1], displayed)
