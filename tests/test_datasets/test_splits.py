import json
from collections import Counter

import pytest

from mmseg_heritage.datasets.preparation.splits import (leave_one_out_folds, read_split,
                                                        stratified_split, write_splits)

MATERIALS = ['Paper'] * 18 + ['Parchment'] * 6 + ['Glass'] * 4 + ['Wood'] * 2
CONTENTS = ['Artistic depiction', 'Photographic depiction', 'Line art']


def records(with_copies=True):
    rows = [dict(id=f'img{i:02d}', source_id=f'img{i:02d}', material=material,
                 content=CONTENTS[i % 3]) for i, material in enumerate(MATERIALS)]
    if with_copies:  # two augmented copies of every image
        rows += [dict(row, id=f'{row["id"]}__aug{k}') for row in list(rows) for k in range(2)]
    return rows


def check_partition(parts, rows):
    """Disjoint, originals each exactly once, copies only in train beside their source."""
    ids = [i for part in parts.values() for i in part]
    assert len(ids) == len(set(ids))
    originals = {r['id'] for r in rows if r['id'] == r['source_id']}
    assert originals <= set(ids)
    source = {r['id']: r['source_id'] for r in rows}
    for part in ('val', 'test'):
        assert all(source[i] == i for i in parts[part])
    assert all(source[i] in parts['train'] for i in parts['train'])


def test_stratified_split_is_disjoint_complete_and_keeps_copies_with_sources():
    rows = records()
    parts = stratified_split(rows, seed=3)
    check_partition(parts, rows)
    originals = [i for i in parts['train'] if '__aug' not in i]
    assert (len(originals), len(parts['val']), len(parts['test'])) == (21, 5, 4)
    assert len(parts['train']) == 3 * 21  # each training image with its two copies
    material = {r['id']: r['material'] for r in rows}
    assert Counter(material[i] for i in originals)['Paper'] in (12, 13)  # 70 % of 18
    assert Counter(material[i] for i in parts['test'])['Paper'] in (2, 3)  # 15 % of 18


def test_split_depends_on_seed_only():
    assert stratified_split(records(), seed=1) == stratified_split(records()[::-1], seed=1)
    assert stratified_split(records(), seed=1) != stratified_split(records(), seed=2)
    # Adding augmented copies does not move any original image to another part.
    plain = stratified_split(records(with_copies=False), seed=1)
    with_copies = stratified_split(records(), seed=1)
    assert plain['val'] == with_copies['val'] and plain['test'] == with_copies['test']


@pytest.mark.parametrize('column, count', [('material', 4), ('content', 3)])
def test_each_fold_holds_out_exactly_one_group(column, count):
    rows = records()
    folds = leave_one_out_folds(rows, column, seed=0)
    assert len(folds) == count
    value = {r['id']: r[column] for r in rows}
    for held_out, parts in folds.items():
        assert {value[i] for i in parts['test']} == {held_out}
        assert held_out not in {value[i] for i in parts['train'] + parts['val']}
        ids = [i for part in parts.values() for i in part]
        assert len(ids) == len(set(ids))
        assert all(value[i] == held_out or i in ids for i in value if '__aug' not in i)
        assert not any('__aug' in i for i in parts['val'] + parts['test'])
    # Every original image is held out in exactly one fold.
    tested = Counter(i for parts in folds.values() for i in parts['test'])
    assert set(tested.values()) == {1} and len(tested) == len(MATERIALS)


def test_split_files_and_manifest(tmp_path):
    rows = records(with_copies=False)
    manifest = write_splits(tmp_path, rows, seed=5)
    parts = {p: read_split(tmp_path / 'splits' / f'{p}.txt') for p in ('train', 'val', 'test')}
    check_partition(parts, rows)
    assert json.loads((tmp_path / 'splits/splits.json').read_text()) == manifest
    assert manifest['seed'] == 5 and manifest['counts'] == {'train': 21, 'val': 5, 'test': 4}
    lomo = manifest['folds']['lomo']['folds']
    assert set(lomo) == {'Paper', 'Parchment', 'Glass', 'Wood'}
    assert read_split(tmp_path / 'splits' / lomo['Glass']['path'] / 'test.txt') == \
        [r['id'] for r in rows if r['material'] == 'Glass']
    assert (tmp_path / 'splits/locontent/line_art/train.txt').is_file()


def test_bad_ratios_and_empty_input(tmp_path):
    with pytest.raises(ValueError, match='three non-negative'):
        stratified_split(records(), ratios=(0.8, 0.2))
    with pytest.raises(ValueError, match='no images'):
        write_splits(tmp_path, [])
    with pytest.raises(FileNotFoundError, match='nope.txt'):
        read_split(tmp_path / 'nope.txt')
