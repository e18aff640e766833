"""Sliding-window prediction in bands gives MMSeg's labels with less memory."""
import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config, ConfigDict
from mmseg.registry import MODELS

from mmseg_heritage.apis import logit_bands, predict_labels, tile_starts
from mmseg_heritage.apis.inference.sliding_window import TensorRows

from helpers import DEMO_CONFIG, assert_labels_agree, winning_margin


@pytest.fixture(scope='module')
def model():
    cfg = Config.fromfile(str(DEMO_CONFIG))
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    return model.eval()


@pytest.mark.parametrize('length, crop, stride, expected', [
    (150, 64, 40, [0, 40, 80, 86]),
    (64, 64, 40, [0]),
    (30, 64, 40, [0]),
    (100, 50, 50, [0, 50]),
])
def test_tiles_are_placed_as_mmseg_places_them(length, crop, stride, expected):
    assert tile_starts(length, crop, stride) == expected


def mmseg_slide(model, image, crop, stride):
    model.test_cfg = ConfigDict(mode='slide', crop_size=crop, stride=stride)
    model.data_preprocessor.test_cfg = None  # windows over the image itself, not padded
    inputs = model.data_preprocessor(dict(inputs=[image]), False)['inputs']
    shape = tuple(image.shape[-2:])
    with torch.no_grad():
        return model.slide_inference(inputs, [dict(img_shape=shape, ori_shape=shape)])[0]


@pytest.mark.parametrize('size', [(150, 208), (48, 90)])
def test_bands_equal_mmseg_slide_inference(model, size):
    image = torch.randint(0, 256, (3, *size), dtype=torch.uint8)
    reference = mmseg_slide(model, image, (64, 64), (40, 40))
    bands = [(top, band.clone()) for top, band in logit_bands(  # views of one buffer
        model, image, (64, 64), (40, 40), batch_size=3, size_divisor=16)]
    tops = [top for top, _ in bands]
    assert tops == sorted(tops) and tops[0] == 0
    # Bands tile the rows exactly once, and none is taller than a tile.
    assert sum(band.shape[1] for _, band in bands) == size[0]
    assert all(band.shape[1] <= 64 for _, band in bands)
    torch.testing.assert_close(torch.cat([band for _, band in bands], dim=1), reference,
                               rtol=1e-5, atol=1e-5)
    labels = predict_labels(model, image, size, (64, 64), (40, 40), 3, 16)
    assert labels.dtype.name == 'uint8' and labels.shape == size
    # Other batches sum in another order: near-ties may go either way.
    assert_labels_agree(labels, reference.argmax(0).numpy(), winning_margin(reference))


def test_steps_under_half_a_tile_equal_mmseg_slide_inference(model):
    # The rows left open by a band overlap their new place in the buffer.
    image = torch.randint(0, 256, (3, 100, 70), dtype=torch.uint8)
    reference = mmseg_slide(model, image, (64, 64), (24, 24))
    labels = predict_labels(model, image, (100, 70), (64, 64), (24, 24), 2, 16)
    assert_labels_agree(labels, reference.argmax(0).numpy(), winning_margin(reference))


def test_resized_labels_equal_mmseg_bilinear_resize(model, monkeypatch):
    image = torch.randint(0, 256, (3, 96, 128), dtype=torch.uint8)
    reference = mmseg_slide(model, image, (64, 64), (48, 48))
    out_size = (301, 415)
    resized = F.interpolate(reference[None], size=out_size, mode='bilinear',
                            align_corners=False)[0]
    # Small bands, so that the output is assembled from many of them.
    monkeypatch.setattr('mmseg_heritage.apis.inference.sliding_window.BAND_FLOATS', 16 * 415 * 7)
    labels = predict_labels(model, image, out_size, (64, 64), (48, 48), 2, 16)
    assert_labels_agree(labels, resized.argmax(0).numpy(), winning_margin(resized))


def test_odd_sized_tiles_are_padded_for_the_backbone(model):
    # The UNet needs sides divisible by 8; MMSeg's own slide inference fails on 37 rows.
    image = torch.randint(0, 256, (3, 37, 53), dtype=torch.uint8)
    labels = predict_labels(model, image, (37, 53), (64, 64), (40, 40), 1, 16)
    assert labels.shape == (37, 53) and labels.max() < 16


def test_an_image_given_band_by_band_gives_the_same_labels(model):
    image = torch.randint(0, 256, (3, 150, 90), dtype=torch.uint8)
    asked = []

    def rows(top, bottom):
        asked.append((top, bottom))
        return image[:, top:bottom].clone()

    banded = predict_labels(model, TensorRows(image.shape, rows), (150, 90), (64, 64),
                            (40, 40), 2, 16)
    assert (banded == predict_labels(model, image, (150, 90), (64, 64), (40, 40), 2, 16)).all()
    # One row of tiles at a time, from top to bottom: never the whole image.
    assert asked == [(0, 64), (40, 104), (80, 144), (86, 150)]
