"""The registered visualiser draws ARTeFACT's colours and names by default."""
import numpy as np
import torch
from mmengine.structures import PixelData
from mmseg.registry import VISUALIZERS
from mmseg.structures import SegDataSample

from mmseg_heritage.class_names import CLASSES, PALETTE


def test_defaults_are_artefact_and_drawing_uses_the_palette():
    visualizer = VISUALIZERS.build(dict(type='ArtefactVisualizer', name='artefact_vis_test',
                                        alpha=1.0))
    assert visualizer.dataset_meta['classes'] == list(CLASSES)
    image = np.full((20, 20, 3), 128, np.uint8)
    mask = np.zeros((20, 20), np.int64)
    mask[:10] = 4  # Scratch
    sample = SegDataSample()
    sample.pred_sem_seg = PixelData(data=torch.from_numpy(mask)[None])
    visualizer.add_datasample('scan', image, sample, draw_gt=False, with_labels=False)
    drawn = visualizer.get_image()
    assert tuple(drawn[15, 15]) == tuple(PALETTE[0])  # Clean, at alpha 1
    assert tuple(drawn[5, 5]) == tuple(PALETTE[4])


def test_explicit_classes_and_palette_are_not_swapped():
    classes, palette = ['a', 'b'], [[1, 2, 3], [4, 5, 6]]
    visualizer = VISUALIZERS.build(dict(type='ArtefactVisualizer', name='artefact_vis_test2',
                                        classes=classes, palette=palette))
    assert visualizer.dataset_meta == dict(classes=classes, palette=palette)
