"""A damage inferencer predicts an image given band by band (a scan read from a IIIF server)
as it predicts the whole array, one row of tiles at a time; with a test pipeline that resizes,
it reads the image whole first."""
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmseg.registry import MODELS

from mmseg_heritage.apis import TiledInference, inference_pipeline
from mmseg_heritage.utils.image_rows import ImageRows

from helpers import DEMO_CONFIG


class Rows(ImageRows):
    """An array read band by band, recording the rows asked for."""

    def __init__(self, image):
        self.image, self.asked = image, []

    @property
    def height(self):
        return self.image.shape[0]

    @property
    def width(self):
        return self.image.shape[1]

    def rows(self, top, bottom):
        self.asked.append((top, min(bottom, self.height)))
        return self.image[top:bottom].copy()


class Inferencer(TiledInference):
    """The demo UNet (random weights) with its config's test pipeline."""

    def __init__(self, pipeline):
        cfg = Config.fromfile(str(DEMO_CONFIG))
        torch.manual_seed(0)
        self.model = MODELS.build(cfg.model).eval()
        self.pipeline = inference_pipeline(pipeline)
        self._init_tiles(None, (64, 64), (48, 48), 1)


@pytest.fixture(scope='module')
def image():
    return np.random.default_rng(0).integers(0, 256, (100, 130, 3), dtype=np.uint8)


def test_band_by_band_as_the_whole_array(image):
    inferencer = Inferencer(Config.fromfile(str(DEMO_CONFIG)).test_pipeline)
    rows = Rows(image)
    assert (inferencer.predict(rows) == inferencer.predict(image)).all()
    assert rows.asked == [(0, 64), (36, 100)]  # a row of tiles at a time


def test_a_resizing_pipeline_reads_the_image_whole(image):
    pipeline = [dict(type='LoadImageFromFile'), dict(type='Resize', scale=(65, 50)),
                dict(type='PackSegInputs')]
    inferencer = Inferencer(pipeline)
    rows = Rows(image)
    assert (inferencer.predict(rows) == inferencer.predict(image)).all()
    assert rows.asked == [(0, 100)]
