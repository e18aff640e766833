import json
import runpy
import shutil
import sys

import cv2
import numpy as np
import pytest

from mmseg_heritage.class_names import CLASSES
from mmseg_heritage.datasets.metadata import read_metadata
from mmseg_heritage.datasets.preparation import (generate_synthetic_dataset, offline_augmentation,
                                                 write_sample)
from mmseg_heritage.datasets.preparation.offline_augmentation import (AUGMENTATION_FILE,
                                                                      augment_dataset, augment_pair,
                                                                      resolve_classes)
from mmseg_heritage.datasets.preparation.splits import SPLIT_PARTS, read_split
from mmseg_heritage.utils import count_pixels

from helpers import REPO, read_mask

RARE_SHARE = 0.002  # on this data: a few classes rare, so both copy counts occur


def read_annotation(root, sample_id):
    return read_mask(root / 'annotations' / f'{sample_id}.png')


def split_folders(root):
    """The main split's folder and every fold's."""
    manifest = json.loads((root / 'splits/splits.json').read_text())
    return [root / 'splits'] + [root / 'splits' / fold['path']
                                for protocol in manifest['folds'].values()
                                for fold in protocol['folds'].values()]


def read_parts(root):
    return {str(folder.relative_to(root)): {part: read_split(folder / f'{part}.txt')
                                            for part in SPLIT_PARTS}
            for folder in split_folders(root)}


def dataset_files(root):
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob('*'))
            if p.is_file()}


@pytest.fixture(scope='module')
def pristine(tmp_path_factory):
    return generate_synthetic_dataset(tmp_path_factory.mktemp('pristine') / 'data',
                                      num_images=20, size=48, seed=2)


@pytest.fixture
def fresh(pristine, tmp_path):
    """A private copy of the synthetic dataset, to augment."""
    return shutil.copytree(pristine, tmp_path / 'data')


@pytest.fixture(scope='module')
def augmented(pristine, tmp_path_factory):
    root = shutil.copytree(pristine, tmp_path_factory.mktemp('augmented') / 'data')
    summary = augment_dataset(root, rare_share=RARE_SHARE, progress=False)
    return root, summary


def test_augment_pair_keeps_size_alignment_and_mask_values():
    mask = np.zeros((96, 128), np.uint8)
    mask[:, 64:], mask[48:, :] = 3, 7
    mask[48:, 64:] = 0
    image = np.repeat((mask * 30 + 20)[..., None], 3, axis=2)  # one grey level per class
    seen_ignored = False
    for seed in range(40):
        out_image, out_mask = augment_pair(image, mask, np.random.default_rng(seed))
        assert out_image.shape == image.shape and out_mask.shape == mask.shape
        assert out_image.dtype == out_mask.dtype == np.uint8
        assert set(np.unique(out_mask)) <= {0, 3, 7, 255}
        seen_ignored |= bool((out_mask == 255).any())
        # Image and mask moved together: each class keeps one grey level (but where bilinear
        # interpolation blends it with a neighbour).
        for label in set(np.unique(out_mask)) - {255}:
            values = out_image[..., 0][out_mask == label].astype(int)
            assert np.mean(np.abs(values - np.median(values)) <= 2) > 0.85
    assert seen_ignored  # fills and holes happen
    first = augment_pair(image, mask, np.random.default_rng(5))
    second = augment_pair(image, mask, np.random.default_rng(5))
    assert all(np.array_equal(a, b) for a, b in zip(first, second))
    with pytest.raises(ValueError, match='differ in size'):
        augment_pair(image, mask[1:], np.random.default_rng(0))


def test_copies_only_of_training_originals_with_rare_counts(pristine, augmented):
    root, summary = augmented
    train = read_split(pristine / 'splits/train.txt')
    pixels = sum(count_pixels(read_annotation(root, i)) for i in train)
    share = pixels / pixels.sum()
    rare = [c for c in range(16) if 0 < share[c] < RARE_SHARE]
    rare_sources = {i for i in train if count_pixels(read_annotation(root, i))[rare].any()}
    assert 0 < len(rare_sources) < len(train)

    rows = {row['id']: row for row in read_metadata(root)}
    original_rows = {row['id']: row for row in read_metadata(pristine)}
    copies = {i: row for i, row in rows.items() if row['source_id'] != i}
    assert set(rows) - set(copies) == set(original_rows)
    expected = {f'{source}__aug{k:02d}': source for source in train
                for k in range(6 if source in rare_sources else 2)}
    assert {i: row['source_id'] for i, row in copies.items()} == expected
    for copy_id, row in copies.items():
        source = original_rows[row['source_id']]
        for field in ('material', 'content', 'type', 'width', 'height'):
            assert row[field] == source[field]
        mask, source_mask = read_annotation(root, copy_id), read_annotation(root, source['id'])
        image = cv2.imread(str(root / 'images' / f'{copy_id}.png'))
        assert mask.shape == image.shape[:2] == source_mask.shape
        assert set(np.unique(mask)) <= set(np.unique(source_mask)) | {255}
        assert (root / 'annotations_rgb' / f'{copy_id}.png').is_file()

    assert summary['sources'] == len(train)
    assert summary['rare_sources'] == len(rare_sources)
    assert summary['copies'] == summary['written'] == len(expected)
    assert summary['rare_classes'] == pytest.approx({CLASSES[c]: share[c] for c in rare})
    record = json.loads((root / AUGMENTATION_FILE).read_text())
    assert record['copies'] == expected and record['seed'] == 0
    assert record['rare_classes'] == summary['rare_classes']


def test_copies_stay_in_training_parts_and_originals_keep_their_parts(pristine, augmented):
    root, _ = augmented
    source = {row['id']: row['source_id'] for row in read_metadata(root)}
    before, after = read_parts(pristine), read_parts(root)
    assert before.keys() == after.keys() and len(after) > 1  # main split and the folds
    for folder, parts in after.items():
        for part in ('val', 'test'):
            assert all(source[i] == i for i in parts[part]), (folder, part)
        train = set(parts['train'])
        assert all(source[i] in train for i in train), folder
        originals = {part: [i for i in ids if source[i] == i] for part, ids in parts.items()}
        assert originals == before[folder], folder
        # Every training original brings all of its copies along.
        assert {i for i in train if source[i] != i} == {
            i for i, s in source.items() if s != i and s in train}


def test_rare_classes_by_name_or_id(fresh):
    assert resolve_classes(['Hair', 'burn marks', 5, '13']) == [5, 13, 14]
    with pytest.raises(ValueError, match='unknown class'):
        resolve_classes(['Mould'])
    summary = augment_dataset(fresh, copies=0, rare_copies=1, rare_classes=['Hair'],
                              progress=False)
    hair = {i for i in read_split(fresh / 'splits/train.txt') if '__aug' not in i
            and count_pixels(read_annotation(fresh, i))[5]}
    assert summary['rare_rule'] == 'given' and list(summary['rare_classes']) == ['Hair']
    assert {row['source_id'] for row in read_metadata(fresh)
            if row['source_id'] != row['id']} == hair


def test_copies_keep_the_image_format_of_their_source(fresh):
    source = read_split(fresh / 'splits/train.txt')[0]
    png = fresh / 'images' / f'{source}.png'
    cv2.imwrite(str(png.with_suffix('.jpg')), cv2.imread(str(png)))
    png.unlink()
    augment_dataset(fresh, copies=1, rare_copies=1, progress=False)
    assert [p.name for p in (fresh / 'images').glob(f'{source}__aug*')] == [
        f'{source}__aug00.jpg']


def test_augmentation_is_deterministic(augmented, fresh):
    root, _ = augmented
    augment_dataset(fresh, rare_share=RARE_SHARE, progress=False)
    assert dataset_files(fresh) == dataset_files(root)


def test_rerun_is_idempotent_and_replaces_copies_when_options_change(fresh):
    options = dict(copies=2, rare_copies=3, rare_share=RARE_SHARE, progress=False)
    augment_dataset(fresh, **options)
    files = dataset_files(fresh)
    summary = augment_dataset(fresh, **options)
    assert summary['written'] == summary['removed'] == 0 and summary['kept'] > 0
    assert dataset_files(fresh) == files

    # A copy that lost its image is the only one made again.
    first_copy = fresh / f"images/{read_split(fresh / 'splits/train.txt')[0]}__aug01.png"
    first_copy.unlink()
    assert augment_dataset(fresh, **options)['written'] == 1
    assert dataset_files(fresh) == files

    summary = augment_dataset(fresh, **dict(options, copies=1, rare_copies=1))
    assert summary['written'] == 0 and summary['removed'] > 0
    copies = [row['id'] for row in read_metadata(fresh) if row['source_id'] != row['id']]
    assert copies and all(i.endswith('__aug00') for i in copies)
    assert sorted(p.stem for p in (fresh / 'images').glob('*__aug*')) == sorted(copies)
    assert not list((fresh / 'annotations').glob('*__aug01.png'))

    first_copy = first_copy.with_name(first_copy.name.replace('__aug01', '__aug00'))
    kept = first_copy.read_bytes()
    summary = augment_dataset(fresh, **dict(options, copies=1, rare_copies=1, seed=1))
    assert summary['written'] == summary['copies'] == len(copies) and summary['kept'] == 0
    assert first_copy.read_bytes() != kept


def test_interrupted_run_is_redone(fresh, monkeypatch):
    options = dict(rare_share=RARE_SHARE, progress=False)
    augment_dataset(fresh, **options)
    files = dataset_files(fresh)
    written = []

    def write_then_fail(*args, **kwargs):
        if len(written) == 3:
            raise KeyboardInterrupt
        written.append(args[1])
        write_sample(*args, **kwargs)

    monkeypatch.setattr(offline_augmentation, 'write_sample', write_then_fail)
    with pytest.raises(KeyboardInterrupt):
        augment_dataset(fresh, **dict(options, seed=1))
    monkeypatch.undo()
    # Three copies were overwritten with seed 1 under their seed-0 metadata rows; the record
    # vouches for no copy any more, so all are made again, as if never interrupted.
    summary = augment_dataset(fresh, **options)
    assert summary['written'] == summary['copies'] and summary['kept'] == 0
    assert dataset_files(fresh) == files


def test_refuses_validation_images_and_empty_splits(fresh):
    with pytest.raises(ValueError, match='not in the training part'):
        augment_dataset(fresh, split='splits/val.txt', progress=False)
    (fresh / 'splits/empty.txt').write_text('')
    with pytest.raises(ValueError, match='empty split'):
        augment_dataset(fresh, split='splits/empty.txt', progress=False)
    assert all(row['source_id'] == row['id'] for row in read_metadata(fresh))


def test_command_line(fresh, monkeypatch, capsys):
    # In-process: starting Python and importing the package again takes seconds.
    tool = str(REPO / 'tools/dataset_converters/augment.py')
    monkeypatch.setattr(sys, 'argv', [
        tool, str(fresh), '--copies', '1', '--rare-copies', '2', '--rare-classes', 'Hair',
        'Burn marks', '--seed', '3', '--no-progress'])
    runpy.run_path(tool, run_name='__main__')
    stdout = capsys.readouterr().out
    assert 'copies (' in stdout and 'Hair' in stdout
    assert 'Burn marks' in stdout and '(given)' in stdout
    record = json.loads((fresh / AUGMENTATION_FILE).read_text())
    assert record['seed'] == 3 and list(record['rare_classes']) == ['Hair', 'Burn marks']

    # A wrong split is an error message, not a traceback.
    monkeypatch.setattr(sys, 'argv', [tool, str(fresh), '--split', 'splits/test.txt'])
    with pytest.raises(SystemExit, match='not in the training part'):
        runpy.run_path(tool, run_name='__main__')
