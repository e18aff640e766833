import numpy as np
import pytest

from mmseg_heritage.datasets import CLASSES, PALETTE, ArtefactDataset


def test_classes_and_palette_match_artefact():
    assert len(CLASSES) == len(PALETTE) == 16
    assert CLASSES[0] == 'Clean' and CLASSES[15] == 'Lightleak'
    assert PALETTE[1] == [28, 230, 255] and PALETTE[15] == [246, 255, 27]


def test_dataset_reads_a_split(synthetic_root):
    dataset = ArtefactDataset(
        data_root=str(synthetic_root), ann_file='splits/val.txt',
        pipeline=[dict(type='LoadImageFromFile'), dict(type='LoadAnnotations'),
                  dict(type='PackSegInputs')])
    assert len(dataset) == 3
    assert dataset.metainfo['classes'] == CLASSES
    sample = dataset[0]
    mask = sample['data_samples'].gt_sem_seg.data.numpy()
    assert sample['inputs'].shape == (3, 64, 64)
    # 255 (background) is kept as the ignore value, never folded into a class.
    assert set(np.unique(mask)) <= set(range(16)) | {255}
    assert dataset.ignore_index == 255 and not dataset.reduce_zero_label


def test_dataset_without_split_file_uses_every_image(synthetic_root):
    dataset = ArtefactDataset(data_root=str(synthetic_root), pipeline=[])
    assert len(dataset) == 11


def test_missing_split_file_is_named(synthetic_root):
    with pytest.raises(Exception, match='missing.txt'):
        ArtefactDataset(data_root=str(synthetic_root), ann_file='splits/missing.txt',
                        pipeline=[])
