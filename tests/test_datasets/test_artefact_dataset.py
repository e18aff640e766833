import shutil

import numpy as np
import pytest

from mmseg_heritage.class_names import CLASSES, PALETTE
from mmseg_heritage.datasets import ArtefactDataset, read_metadata
from mmseg_heritage.datasets.preparation import read_split

PIPELINE = [dict(type='LoadImageFromFile'), dict(type='LoadAnnotations'),
            dict(type='PackArtefactInputs')]


def infos(dataset):
    return [dataset.get_data_info(i) for i in range(len(dataset))]


def test_classes_and_palette_match_artefact():
    assert len(CLASSES) == len(PALETTE) == 16
    assert CLASSES[0] == 'Clean' and CLASSES[15] == 'Lightleak'
    assert PALETTE[1] == [28, 230, 255] and PALETTE[15] == [246, 255, 27]


def test_dataset_reads_a_split_with_domains_in_metainfo(synthetic_root):
    dataset = ArtefactDataset(data_root=str(synthetic_root), ann_file='splits/val.txt',
                              pipeline=PIPELINE)
    ids = read_split(synthetic_root / 'splits/val.txt')
    assert len(dataset) == len(ids) > 0
    assert dataset.metainfo['classes'] == CLASSES
    sample = dataset[0]
    mask = sample['data_samples'].gt_sem_seg.data.numpy()
    assert sample['inputs'].shape == (3, 64, 64)
    # 255 (background) is kept as the ignore value, never folded into a class.
    assert set(np.unique(mask)) <= set(range(16)) | {255}
    assert dataset.ignore_index == 255 and not dataset.reduce_zero_label
    row = {r['id']: r for r in read_metadata(synthetic_root)}[ids[0]]
    meta = sample['data_samples'].metainfo
    assert (meta['sample_id'], meta['material'], meta['content']) == \
        (ids[0], row['material'], row['content'])


def test_dataset_without_split_file_uses_every_image(synthetic_root):
    dataset = ArtefactDataset(data_root=str(synthetic_root), pipeline=[])
    assert len(dataset) == 16


def test_material_and_content_filters(synthetic_root):
    rows = read_metadata(synthetic_root)
    material, content = rows[0]['material'], rows[0]['content']
    dataset = ArtefactDataset(data_root=str(synthetic_root), materials=material, pipeline=[])
    expected = sorted(r['id'] for r in rows if r['material'] == material)
    assert [info['sample_id'] for info in infos(dataset)] == expected
    dataset = ArtefactDataset(data_root=str(synthetic_root), materials=[material],
                              contents=[content], pipeline=[])
    assert {(i['material'], i['content']) for i in infos(dataset)} == {(material, content)}


def test_a_fold_holds_out_one_material(synthetic_root):
    material = read_metadata(synthetic_root)[0]['material']
    fold = f"splits/lomo/{material.lower().replace(' ', '_')}"
    test = ArtefactDataset(data_root=str(synthetic_root), ann_file=f'{fold}/test.txt',
                           pipeline=[])
    train = ArtefactDataset(data_root=str(synthetic_root), ann_file=f'{fold}/train.txt',
                            pipeline=[])
    assert {i['material'] for i in infos(test)} == {material}
    assert material not in {i['material'] for i in infos(train)}


def test_missing_split_file_is_named(synthetic_root):
    with pytest.raises(FileNotFoundError, match='missing.txt'):
        ArtefactDataset(data_root=str(synthetic_root), ann_file='splits/missing.txt',
                        pipeline=[])


def test_unknown_material_lists_the_known_ones(synthetic_root):
    with pytest.raises(ValueError, match=r"material \['Papper'\]; known values: \["):
        ArtefactDataset(data_root=str(synthetic_root), materials='Papper', pipeline=[])


def test_filter_matching_nothing_in_the_split_is_an_error(synthetic_root, tmp_path):
    rows = read_metadata(synthetic_root)
    split = tmp_path / 'one.txt'
    split.write_text(rows[0]['id'] + '\n')
    other = next(r['material'] for r in rows if r['material'] != rows[0]['material'])
    with pytest.raises(ValueError, match='one.txt: no images left'):
        ArtefactDataset(data_root=str(synthetic_root), ann_file=str(split), materials=other,
                        pipeline=[])
    split.write_text('# only a comment\n\n')
    with pytest.raises(ValueError, match='one.txt: no images left'):
        ArtefactDataset(data_root=str(synthetic_root), ann_file=str(split), pipeline=[])


def test_missing_files_and_unknown_ids_are_named(synthetic_root, tmp_path):
    root = tmp_path / 'copy'
    shutil.copytree(synthetic_root, root)
    first = read_metadata(root)[0]['id']
    (root / 'annotations' / f'{first}.png').unlink()
    with pytest.raises(FileNotFoundError, match=f'annotations/{first}.png'):
        ArtefactDataset(data_root=str(root), pipeline=[])
    split = tmp_path / 'split.txt'
    split.write_text('no_such_image\n')
    with pytest.raises(ValueError, match="'no_such_image' is not in metadata.csv"):
        ArtefactDataset(data_root=str(root), ann_file=str(split), pipeline=[])
