import cv2
import numpy as np
import pytest

from mmseg_heritage.class_names import BACKGROUND_COLOUR, IGNORE_INDEX
from mmseg_heritage.datasets.preparation.synthetic.damage import DAMAGE_CLASSES, apply_damage
from mmseg_heritage.datasets.preparation.synthetic.sample import SyntheticSample, make_sample
from mmseg_heritage.datasets.preparation.synthetic.textures import CONTENTS, MATERIALS, draw_artefact


def test_a_seed_gives_one_sample_and_seeds_differ():
    sample, again = make_sample(7, 96), make_sample(7, 96)
    assert isinstance(sample, SyntheticSample)
    assert np.array_equal(sample.image, again.image) and np.array_equal(sample.mask, again.mask)
    assert (sample.material, sample.content) == (again.material, again.content)
    other = make_sample(8, 96)
    assert not np.array_equal(sample.image, other.image)
    assert not np.array_equal(sample.mask, other.mask)


@pytest.mark.parametrize('size, shape', [(48, (48, 48)), ((64, 96), (64, 96)),
                                         ((120, 50), (120, 50))])
def test_shapes_and_dtypes(size, shape):
    image, mask, material, content = make_sample(3, size)
    assert image.shape == shape + (3,) and image.dtype == np.uint8
    assert mask.shape == shape and mask.dtype == np.uint8
    assert set(np.unique(mask)) <= set(range(16)) | {IGNORE_INDEX}
    assert material in MATERIALS and content in CONTENTS


def test_given_material_and_content_are_honoured():
    for index, material in enumerate(MATERIALS):
        content = CONTENTS[index % len(CONTENTS)]
        sample = make_sample(index, 48, material=material, content=content)
        assert (sample.material, sample.content) == (material, content)
    drawn = make_sample(5, 48)
    named = make_sample(5, 48, material=drawn.material, content=drawn.content)
    assert np.array_equal(drawn.image, named.image) and np.array_equal(drawn.mask, named.mask)
    with pytest.raises(ValueError):
        make_sample(0, 48, material='Marble')


def test_classes_background_and_clean_share_over_40_seeds():
    samples = [make_sample(seed, 96) for seed in range(40)]
    masks = np.stack([sample.mask for sample in samples])
    assert set(np.unique(masks)) == set(range(16)) | {IGNORE_INDEX}
    clean_share = np.mean([np.mean(mask[mask != IGNORE_INDEX] == 0) for mask in masks])
    assert 0.7 < clean_share < 0.99  # clean dominates, as in ARTeFACT
    # Background is painted in the background colour, give or take a little.
    background = np.concatenate([s.image[s.mask == IGNORE_INDEX] for s in samples])
    assert np.abs(background.astype(int) - BACKGROUND_COLOUR).max() < 20


def test_rare_classes_are_drawn_less_often():
    counts = np.zeros(256)
    for seed in range(200):
        counts[np.unique(make_sample(seed, 48).mask)] += 1
    assert counts[[5, 13, 14]].mean() < counts[[1, 2, 10]].mean() / 2  # hair, puncture, burn


def _features(image: np.ndarray) -> np.ndarray:
    """Mean colour and the std of a high-pass per channel."""
    high_pass = image - cv2.GaussianBlur(image, (0, 0), 2)
    return np.concatenate([image.mean((0, 1)), high_pass.std((0, 1))])


def test_materials_differ_in_appearance():
    def features(seeds):
        return np.stack([[_features(draw_artefact(np.random.default_rng(seed), 64, 64, material))
                          for seed in seeds] for material in MATERIALS])  # material x seed x 6

    train, test = features(range(12)), features(range(100, 108))
    mean, std = train.reshape(-1, 6).mean(0), train.reshape(-1, 6).std(0)
    centroids = ((train - mean) / std).mean(1)
    distances = ((((test - mean) / std)[:, :, None] - centroids) ** 2).sum(-1)
    accuracy = np.mean(distances.argmin(-1) == np.arange(len(MATERIALS))[:, None])
    assert accuracy > 0.8


@pytest.mark.parametrize('class_id', DAMAGE_CLASSES)
def test_damage_is_visible_where_it_is_labelled(class_id):
    labelled = 0
    for seed in range(12):
        rng = np.random.default_rng(seed)
        shape = (96, 96) if seed % 3 else (64, 112)
        image = draw_artefact(rng, *shape, MATERIALS[seed % 10], CONTENTS[seed % 4])
        before, mask = image.copy(), np.zeros(shape, np.uint8)
        apply_damage(rng, image, mask, class_id)
        assert set(np.unique(mask)) <= {0, class_id}
        region = mask == class_id
        if region.any():
            labelled += 1
            change = np.abs(image - before).max(-1)
            assert np.mean(change[region] >= 6) > 0.8
    assert labelled >= 9


def test_damage_works_from_small_to_large_non_square_images():
    rng = np.random.default_rng(0)
    for shape in ((48, 72), (600, 400)):
        for class_id in DAMAGE_CLASSES:
            image = draw_artefact(rng, *shape, 'Paper')
            mask = np.zeros(shape, np.uint8)
            apply_damage(rng, image, mask, class_id)
            share = np.mean(mask == class_id)
            assert 0 < share < 0.6, (shape, class_id)  # drawn, and never swamping the artefact
