import csv
import io
import json
import struct
import sys
import types
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

import mmseg_heritage.datasets.preparation.parquet_converter as converter
from mmseg_heritage.class_names import colourise
from mmseg_heritage.datasets import read_metadata
from mmseg_heritage.datasets.metadata import sanitise_id
from mmseg_heritage.datasets.preparation import read_split, sample_paths
from mmseg_heritage.datasets.preparation.parquet_converter import (JOURNAL_FILE,
                                                                   convert_artefact_parquet,
                                                                   download_artefact)
from mmseg_heritage.datasets.preparation.synthetic import (encode_image_cell, write_parquet_shard,
                                                           write_synthetic_parquet)
from mmseg_heritage.datasets.preparation.synthetic.parquet import (ARTEFACT_COLUMNS,
                                                                   OLD_ARTEFACT_COLUMNS)
from mmseg_heritage.utils import write_image_atomic

from helpers import read_mask

UNSAFE_ID = '../../evil/x y'
MATERIALS = ('Paper', 'Glass', 'Wood')
CONTENTS = ('Line art', 'Artistic depiction')


def make_row(sample_id, image_cell, mask_cell, index=0, columns=ARTEFACT_COLUMNS):
    """A row in the Hugging Face schema; the columns the converter ignores hold stand-ins."""
    row = dict(id=sample_id, image=image_cell, annotation=mask_cell, annotation_rgb=mask_cell,
               material=MATERIALS[index % 3], content=CONTENTS[index % 2], type='photograph',
               damage_description='d', llava_description='l', verified_description='v')
    return {name: row[name] for name in columns}


def random_mask(rng, height, width):
    mask = rng.integers(0, 16, (height, width)).astype(np.uint8)
    mask[:2] = 255  # background outside the artefact
    return mask


def png_header_claiming(width, height):
    """A PNG whose header claims a huge size (Pillow checks the size when opening)."""
    data = bytearray(encode_image_cell(np.zeros((1, 1), np.uint8))['bytes'])
    data[16:24] = struct.pack('>II', width, height)
    data[29:33] = struct.pack('>I', zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def exif_with_orientation(orientation):
    exif = Image.Exif()
    exif[0x0112] = orientation
    return exif


def good_cases(rng):
    """id -> (image cell, mask cell, expected RGB pixels, expected mask)."""
    cases = {}
    rgb = rng.integers(0, 256, (24, 32, 3), dtype=np.uint8)
    cases['rgb'] = (rgb, rgb)
    rgba = rng.integers(0, 256, (24, 32, 4), dtype=np.uint8)
    cases['rgba'] = (rgba, rgba[..., :3])
    grey = rng.integers(0, 256, (24, 32), dtype=np.uint8)
    cases['grey'] = (grey, np.repeat(grey[..., None], 3, axis=2))
    palette = rng.integers(0, 256, (256, 3), dtype=np.uint8)
    indices = rng.integers(0, 256, (24, 32), dtype=np.uint8)
    palette_image = Image.fromarray(indices, 'P')
    palette_image.putpalette(palette.ravel().tolist())
    cases['palette'] = (palette_image, palette[indices])
    sixteen = rng.integers(0, 65536, (24, 32), dtype=np.uint16)
    grey16 = np.rint(sixteen / 257).astype(np.uint8)
    cases['sixteen_bit'] = (sixteen, np.repeat(grey16[..., None], 3, axis=2))
    odd = rng.integers(0, 256, (37, 53, 3), dtype=np.uint8)
    cases['odd_size'] = (odd, odd)
    stored = rng.integers(0, 256, (20, 30, 3), dtype=np.uint8)  # displayed rotated: 30 x 20
    cases['exif_displayed'] = (stored, np.rot90(stored, -1))
    cases['exif_stored'] = (stored, stored)
    cases[UNSAFE_ID] = (rgb, rgb)

    rows = {}
    for sample_id, (image, expected) in cases.items():
        mask = random_mask(rng, *expected.shape[:2])
        if sample_id.startswith('exif'):  # stored pixels with "rotate 90 degrees clockwise"
            buffer = io.BytesIO()
            Image.fromarray(image).save(buffer, 'PNG', exif=exif_with_orientation(6))
            image_cell = {'bytes': buffer.getvalue(), 'path': None}
        else:
            image_cell = encode_image_cell(image)
        rows[sample_id] = (image_cell, encode_image_cell(mask), expected, mask)
    # Masks stored as palette indices and as 16-bit class ids.
    mask = random_mask(rng, 24, 32)
    palette_mask = Image.fromarray(mask, 'P')
    palette_mask.putpalette(np.random.default_rng(0).integers(0, 256, 768).tolist())
    rows['palette_mask'] = (encode_image_cell(rgb), encode_image_cell(palette_mask), rgb, mask)
    rows['sixteen_bit_mask'] = (encode_image_cell(rgb),
                                encode_image_cell(mask.astype(np.uint16)), rgb, mask)
    jpeg = encode_image_cell(rgb, 'JPEG')
    decoded = np.asarray(Image.open(io.BytesIO(jpeg['bytes'])).convert('RGB'))
    rows['jpeg'] = (jpeg, encode_image_cell(mask), decoded, mask)
    return rows


def bad_cases(rng):
    """id -> (image cell, mask cell, a part of the reason)."""
    rgb = encode_image_cell(rng.integers(0, 256, (10, 12, 3), dtype=np.uint8))
    mask = random_mask(rng, 10, 12)
    unknown = mask.copy()
    unknown[5, 5] = 20
    return {
        'wrong_size': (rgb, encode_image_cell(mask[:, :10]),
                       'annotation is 10 x 10 but image is 12 x 10'),
        'unknown_class': (rgb, encode_image_cell(unknown), 'unknown values 20'),
        'corrupt_image': ({'bytes': b'\xff\xd8 not a jpeg', 'path': None},
                          encode_image_cell(mask), 'image could not be decoded'),
        'rgb_mask': (rgb, encode_image_cell(colourise(mask)),
                     'annotation is RGB, expected class ids'),
        'huge': ({'bytes': png_header_claiming(20000, 20000), 'path': None},
                 encode_image_cell(mask), 'exceeds limit of 300000000 pixels'),
    }


@pytest.fixture(scope='module')
def source(tmp_path_factory):
    """Two shards of good and bad rows (row groups of 2), with what they should become."""
    rng = np.random.default_rng(3)
    good, bad = good_cases(rng), bad_cases(rng)
    rows = [make_row(i, image, mask, n) for n, (i, (image, mask, *_)) in enumerate(good.items())]
    rows += [make_row(i, image, mask) for i, (image, mask, _) in bad.items()]
    rows.append(make_row('rgb', *good['grey'][:2]))  # a second row with the id 'rgb'
    folder = tmp_path_factory.mktemp('parquet')
    half = len(rows) // 2
    write_parquet_shard(folder / 'data/train-00000-of-00002.parquet', rows[:half], 2)
    write_parquet_shard(folder / 'data/train-00001-of-00002.parquet', rows[half:], 2)
    reasons = {i: reason for i, (*_, reason) in bad.items()}
    reasons['rgb'] = 'duplicate id'
    return folder, good, reasons


@pytest.fixture(scope='module')
def converted(source, tmp_path_factory):
    out = tmp_path_factory.mktemp('converted')
    return convert_artefact_parquet(source[0], out, progress=False)


def read_rgb(path):
    return cv2.imread(str(path), cv2.IMREAD_COLOR)[..., ::-1]



def all_files(root):
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob('*'))
            if p.is_file()}


def test_bad_rows_are_reported_and_the_rest_converts(source, converted):
    _, good, reasons = source
    assert sorted(converted.converted) == sorted(sanitise_id(i) for i in good)
    assert converted.kept == []
    found = {bad.id: bad for bad in converted.bad_rows}
    assert sorted(found) == sorted(reasons)
    for sample_id, reason in reasons.items():
        assert reason in found[sample_id].reason, found[sample_id]
    assert found['rgb'].shard == str(Path('data/train-00001-of-00002.parquet'))
    with open(converted.out_dir / 'bad_rows.csv', newline='') as f:
        listed = list(csv.DictReader(f))
    assert {row['id']: row['reason'] for row in listed} == {
        bad.id: bad.reason for bad in converted.bad_rows}
    assert Image.MAX_IMAGE_PIXELS == 89478485  # Pillow's limit is restored


def test_pixels_survive_exactly(source, converted):
    _, good, _ = source
    for raw_id, (_, _, expected_rgb, expected_mask) in good.items():
        paths = sample_paths(converted.out_dir, sanitise_id(raw_id))
        assert np.array_equal(read_rgb(paths['image']), expected_rgb), raw_id
        mask = read_mask(paths['annotation'])
        assert mask.dtype == np.uint8 and np.array_equal(mask, expected_mask), raw_id
        assert np.array_equal(read_rgb(paths['annotation_rgb']), colourise(mask)), raw_id


def test_unsafe_id_is_sanitised_inside_the_output(source, converted):
    root = converted.out_dir.resolve()
    safe = sanitise_id(UNSAFE_ID)
    assert '/' not in safe and not safe.startswith('.')
    for path in sample_paths(root, safe).values():
        assert path.is_file() and root in path.resolve().parents
    assert not (root.parent / 'evil').exists() and not (root.parents[1] / 'evil').exists()
    row = next(r for r in read_metadata(root) if r['id'] == safe)
    assert row['original_id'] == UNSAFE_ID


def test_metadata_statistics_weights_and_splits(source, converted):
    root = converted.out_dir
    rows = read_metadata(root)
    assert sorted(r['id'] for r in rows) == sorted(converted.converted)
    for row in rows:
        mask = read_mask(root / 'annotations' / f"{row['id']}.png")
        assert (row['height'], row['width']) == mask.shape
        assert (row['original_width'], row['original_height']) == (row['width'], row['height'])
        assert row['source_id'] == row['id'] and row['type'] == 'photograph'
        assert row['material'] in MATERIALS and row['content'] in CONTENTS

    statistics = json.loads((root / 'statistics.json').read_text())
    masks = [read_mask(root / 'annotations' / f"{r['id']}.png").ravel() for r in rows]
    counts = np.bincount(np.concatenate(masks), minlength=256)
    assert list(statistics['pixels'].values()) == counts[:16].tolist()
    assert statistics['background_pixels'] == counts[255]
    assert statistics['num_images'] == len(rows)
    per_material = np.sum([list(c.values()) for c in statistics['pixels_per_material'].values()],
                          axis=0)
    assert per_material.tolist() == counts[:16].tolist()
    assert (root / 'class_weights.json').is_file()

    parts = [set(read_split(root / 'splits' / f'{part}.txt')) for part in ('train', 'val', 'test')]
    assert not (parts[0] & parts[1] or parts[0] & parts[2] or parts[1] & parts[2])
    assert set.union(*parts) == {r['id'] for r in rows}


def test_max_long_side_shrinks_image_and_mask_alike(tmp_path):
    write_synthetic_parquet(tmp_path / 'src', 3, num_shards=1, size=(60, 90), seed=2)
    full = convert_artefact_parquet(tmp_path / 'src', tmp_path / 'full', progress=False)
    small = convert_artefact_parquet(tmp_path / 'src', tmp_path / 'small', max_long_side=32,
                                     progress=False)
    assert small.converted == full.converted and len(small.converted) == 3
    for row in read_metadata(small.out_dir):
        paths = sample_paths(small.out_dir, row['id'])
        image, mask = read_rgb(paths['image']), read_mask(paths['annotation'])
        full_paths = sample_paths(full.out_dir, row['id'])
        full_image, full_mask = read_rgb(full_paths['image']), read_mask(full_paths['annotation'])
        assert image.shape == (21, 32, 3) and mask.shape == (21, 32)
        assert (row['width'], row['height'], row['original_width'],
                row['original_height']) == (32, 21, 90, 60)
        assert set(np.unique(mask)) <= set(np.unique(full_mask))  # nearest: no new values
        shrunk = cv2.resize(full_image, (32, 21), interpolation=cv2.INTER_AREA)
        assert np.abs(image.astype(int) - shrunk).mean() < 4  # JPEG draft + area resize


def test_images_beyond_pillows_default_limit_decode(tmp_path):
    # 10000 x 9000 = 90 MP is over Pillow's default of 89 MP, as is ARTeFACT's 133 MP image.
    image = np.full((9000, 10000), 120, np.uint8)
    image[:4500] = 200
    mask = np.zeros((9000, 10000), np.uint8)
    mask[4500:] = 3
    row = make_row('big', encode_image_cell(image, 'JPEG'), encode_image_cell(mask))
    write_parquet_shard(tmp_path / 'big.parquet', [row], 1)
    report = convert_artefact_parquet(tmp_path / 'big.parquet', tmp_path / 'out',
                                      max_long_side=100, progress=False)
    assert report.converted == ['big'] and report.bad_rows == []
    small = read_mask(tmp_path / 'out/annotations/big.png')
    assert small.shape == (90, 100) and (small[:44] == 0).all() and (small[46:] == 3).all()


def test_old_six_column_schema_converts(tmp_path):
    write_synthetic_parquet(tmp_path / 'src', 2, num_shards=1, size=40,
                            columns=OLD_ARTEFACT_COLUMNS)
    report = convert_artefact_parquet(tmp_path / 'src', tmp_path / 'out', progress=False)
    assert len(report.converted) == 2
    assert [row['type'] for row in read_metadata(tmp_path / 'out')] == ['', '']


def test_missing_columns_and_sources_are_clear_errors(tmp_path):
    rows = [{'id': 'a', 'image': encode_image_cell(np.zeros((2, 2, 3), np.uint8))}]
    write_parquet_shard(tmp_path / 'no_mask.parquet', rows, 1)
    with pytest.raises(ValueError, match=r'no_mask\.parquet: no column annotation'):
        convert_artefact_parquet(tmp_path / 'no_mask.parquet', tmp_path / 'out')
    (tmp_path / 'empty').mkdir()
    with pytest.raises(FileNotFoundError, match='no \\*.parquet files'):
        convert_artefact_parquet(tmp_path / 'empty', tmp_path / 'out')


def test_rerun_keeps_everything(source, tmp_path):
    first = convert_artefact_parquet(source[0], tmp_path, progress=False)
    samples = [p for folder in ('images', 'annotations', 'annotations_rgb')
               for p in (tmp_path / folder).iterdir()]
    mtimes = {p: p.stat().st_mtime_ns for p in samples}
    files = all_files(tmp_path)
    second = convert_artefact_parquet(source[0], tmp_path, progress=False)
    assert second.converted == [] and second.kept == first.converted
    assert second.bad_rows == first.bad_rows
    assert {p: p.stat().st_mtime_ns for p in samples} == mtimes
    assert all_files(tmp_path) == files


def test_interrupted_run_resumes_to_the_same_files(source, converted, tmp_path, monkeypatch):
    written = []

    def dies_during_the_fourth_sample(root, sample_id, image, mask, image_suffix='.png'):
        if len(written) == 3:  # killed after the image of the fourth sample
            write_image_atomic(sample_paths(root, sample_id, image_suffix)['image'], image)
            raise KeyboardInterrupt
        written.append(sample_id)
        real_write_sample(root, sample_id, image, mask, image_suffix)

    real_write_sample = converter.write_sample
    monkeypatch.setattr(converter, 'write_sample', dies_during_the_fourth_sample)
    with pytest.raises(KeyboardInterrupt):
        convert_artefact_parquet(source[0], tmp_path, progress=False)
    monkeypatch.undo()
    assert not (tmp_path / 'metadata.csv').exists()
    # What a kill can leave besides: a partial file and a half-written journal line.
    (tmp_path / 'annotations' / '.rgb.png.partial-99999.png').write_bytes(b'\x89PNG')
    with open(tmp_path / JOURNAL_FILE, 'a') as journal:
        journal.write('{"row": {"id": "gr')

    report = convert_artefact_parquet(source[0], tmp_path, progress=False)
    assert report.kept == written and len(report.converted) == len(converted.converted) - 3
    assert all_files(tmp_path) == all_files(converted.out_dir)


def test_other_options_in_the_same_folder_raise(tmp_path):
    write_synthetic_parquet(tmp_path / 'src', 2, num_shards=1, size=32)
    convert_artefact_parquet(tmp_path / 'src', tmp_path / 'out', progress=False)
    with pytest.raises(ValueError, match='new output folder'):
        convert_artefact_parquet(tmp_path / 'src', tmp_path / 'out', max_long_side=16,
                                 progress=False)
    with pytest.raises(ValueError, match='new output folder'):
        convert_artefact_parquet(tmp_path / 'src', tmp_path / 'out', image_format='jpg',
                                 progress=False)


def test_download_needs_huggingface_hub(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, 'huggingface_hub', None)  # makes the import fail
    with pytest.raises(ImportError, match='pip install -r requirements/runtime.txt'):
        download_artefact(tmp_path)


def test_download_then_convert_with_a_fake_hub(tmp_path, monkeypatch):
    calls = []

    def snapshot_download(repo_id, **kwargs):
        calls.append((repo_id, kwargs))
        write_synthetic_parquet(kwargs['local_dir'], 3, num_shards=1, size=32)
        return kwargs['local_dir']

    monkeypatch.setitem(sys.modules, 'huggingface_hub',
                        types.SimpleNamespace(snapshot_download=snapshot_download))
    folder = download_artefact(tmp_path / 'hub')
    assert calls[0][0] == 'danielaivanova/damaged-media'
    assert calls[0][1]['repo_type'] == 'dataset'
    assert calls[0][1]['allow_patterns'] == ['data/*.parquet']
    report = convert_artefact_parquet(folder, tmp_path / 'out', progress=False)
    assert len(report.converted) == 3

    def offline(repo_id, **kwargs):
        raise OSError('Name or service not known')

    monkeypatch.setitem(sys.modules, 'huggingface_hub',
                        types.SimpleNamespace(snapshot_download=offline))
    with pytest.raises(ConnectionError, match='unreachable.*pass their folder'):
        download_artefact(tmp_path / 'hub')
