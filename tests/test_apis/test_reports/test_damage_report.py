"""Finding the inputs of a collection, and the masks, overlays and report written for it."""
import csv
import json

import cv2
import numpy as np
import pytest

from mmseg_heritage.apis import area_percent, find_images, infer_collection
from mmseg_heritage.class_names import CLASSES, PALETTE
from mmseg_heritage.utils.image_rows import ImageRows
from mmseg_heritage.visualization import damage_overlay

from helpers import read_mask
from iiif_servers import manifest


def touch_image(path, size=(8, 12)):
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), np.full((*size, 3), 128, np.uint8))
    return path


def test_inputs_from_files_folders_and_patterns(tmp_path):
    a = touch_image(tmp_path / 'scans/a.png')
    b = touch_image(tmp_path / 'scans/box 1/b.tif')
    (tmp_path / 'scans/notes.txt').write_text('not an image')
    c = touch_image(tmp_path / 'other/c.jpg')
    assert find_images([str(tmp_path / 'scans')]) == {'a': a, 'box 1/b': b}
    assert find_images(str(c)) == {'c': c}
    assert find_images(str(tmp_path / '**/*.[pj]*g')) == {'scans/a': a, 'other/c': c}
    # The same file twice is processed once.
    assert find_images([str(c), str(c)]) == {'c': c}


def test_names_keep_the_suffix_only_when_needed(tmp_path):
    png = touch_image(tmp_path / 'a.png')
    jpg = touch_image(tmp_path / 'a.jpg')
    assert find_images([str(tmp_path)]) == {'a.jpg': jpg, 'a.png': png}
    touch_image(tmp_path / 'again/a.png')
    with pytest.raises(ValueError, match="would both be written as 'a.png'"):
        find_images([str(png), str(tmp_path / 'again/a.png')])


@pytest.mark.parametrize('make, message', [
    (lambda d: d / 'missing.png', 'no such file or folder'),
    (lambda d: d / 'nothing*.png', 'the pattern matches no file'),
    (lambda d: d, 'the folder holds no images'),
])
def test_bad_inputs_are_named(tmp_path, make, message):
    spec = str(make(tmp_path))
    with pytest.raises((FileNotFoundError, ValueError), match=message) as error:
        find_images([spec])
    assert spec in str(error.value)


def test_iiif_inputs_follow_the_files(tmp_path):
    a = touch_image(tmp_path / 'a.png')
    service = 'http://127.0.0.1:1/iiif/x'  # nothing is fetched to find the canvases
    (tmp_path / 'ms.json').write_text(json.dumps(manifest(3, 'http://127.0.0.1:1', [
        dict(width=10, height=8, label='front', service=service),
        dict(width=10, height=8, label='back', service=service)])))
    found = find_images([str(tmp_path / 'ms.json'), str(a), str(tmp_path / 'ms.json')])
    assert list(found) == ['a', 'ms/01_front', 'ms/02_back']  # the same canvas once
    assert found['a'] == a and str(found['ms/02_back']) == f'{service}/info.json'
    assert list(find_images([str(tmp_path / 'ms.json')], canvases=['2'])) == ['ms/02_back']
    (tmp_path / 'ms').mkdir()
    touch_image(tmp_path / 'ms/01_front.png')
    with pytest.raises(ValueError, match="would both be written as 'ms/01_front'"):
        find_images([str(tmp_path), str(tmp_path / 'ms.json')])
    with pytest.raises(ValueError, match='--canvas picks canvases of IIIF manifests'):
        find_images([str(a)], canvases=['1'])


def test_area_shares_count_every_pixel():
    mask = np.zeros((10, 10), np.uint8)
    mask[:2] = 3
    mask[9, 9] = 15
    shares = area_percent(mask, CLASSES)
    assert shares['Clean'] == 79.0 and shares[CLASSES[3]] == 20.0 and shares[CLASSES[15]] == 1.0
    assert sum(shares.values()) == pytest.approx(100.0)


class Rows(ImageRows):
    """An image given band by band."""

    def __init__(self, image):
        self.image = image

    height = property(lambda self: self.image.shape[0])
    width = property(lambda self: self.image.shape[1])

    def rows(self, top, bottom):
        return self.image[top:bottom].copy()


def test_overlay_of_an_image_read_band_by_band_and_shrunk():
    image = np.random.default_rng(0).integers(0, 256, (1100, 30, 3), dtype=np.uint8)
    mask = np.zeros((1100, 30), np.uint8)
    mask[500:700, 5:20] = 2
    full = damage_overlay(image, mask, PALETTE)
    assert (damage_overlay(Rows(image), mask, PALETTE) == full).all()
    shrunk = damage_overlay(Rows(image), mask, PALETTE, shrink=4)
    assert shrunk.shape == (275, 8, 3)  # sides divided by 4, rounded up
    expected = cv2.resize(full, (8, 275), interpolation=cv2.INTER_AREA)
    assert np.abs(shrunk.astype(int) - expected).max() <= 1


def test_overlay_tints_damage_only():
    image = np.full((600, 4, 3), 100, np.uint8)  # taller than one band of rows
    mask = np.zeros((600, 4), np.uint8)
    mask[550:, 1] = 1
    overlay = damage_overlay(image, mask, PALETTE, opacity=0.5)
    assert (overlay[mask == 0] == 100).all()
    expected = np.round(0.5 * 100 + 0.5 * np.array(PALETTE[1][::-1]))  # BGR
    assert np.abs(overlay[mask == 1].astype(int) - expected).max() <= 1
    with pytest.raises(ValueError, match='differ in size'):
        damage_overlay(image, mask[:10], PALETTE)


class StubInferencer:
    """Predicts class 1 on the left half; stops the run on a file named ``stop``."""
    classes = tuple(CLASSES)
    palette = PALETTE

    def predict(self, image):
        if image.shape[0] == 7:
            raise KeyboardInterrupt
        mask = np.zeros(image.shape[:2], np.uint8)
        mask[:, :image.shape[1] // 2] = 1
        return mask


def test_report_matches_masks_and_names_bad_files(tmp_path):
    images = {'a': touch_image(tmp_path / 'in/a.png', (8, 12)),
              'b': tmp_path / 'in/b.jpg', 'c': touch_image(tmp_path / 'in/c.png', (4, 6))}
    images['b'].write_bytes(b'\xff\xd8 truncated')
    records = infer_collection(StubInferencer(), images, tmp_path / 'out', progress=False)
    assert [r['status'] for r in records] == ['ok', 'failed', 'ok']
    assert 'b.jpg: the image could not be decoded' in records[1]['error']
    mask = read_mask(tmp_path / 'out/masks/a.png')
    assert mask.shape == (8, 12) and (mask[:, :6] == 1).all() and (mask[:, 6:] == 0).all()
    assert cv2.imread(str(tmp_path / 'out/overlays/c.jpg')).shape == (4, 6, 3)
    report = json.loads((tmp_path / 'out/report.json').read_text())
    assert report['complete'] and report['summary']['processed'] == 2
    assert report['summary']['failed'] == 1
    assert report['summary']['area_percent'][CLASSES[1]] == 50.0
    assert report['summary']['files_with'][CLASSES[1]] == 2
    rows = list(csv.DictReader((tmp_path / 'out/report.csv').open()))
    assert [row['status'] for row in rows] == ['ok', 'failed', 'ok']
    assert float(rows[0][f'{CLASSES[1]} %']) == 50.0 and float(rows[0]['damaged_percent']) == 50
    assert rows[1]['error'] == records[1]['error']


def test_interrupted_run_still_writes_the_report(tmp_path):
    images = {'a': touch_image(tmp_path / 'a.png'), 'stop': touch_image(tmp_path / 's.png', (7, 7)),
              'z': touch_image(tmp_path / 'z.png')}
    with pytest.raises(KeyboardInterrupt):
        infer_collection(StubInferencer(), images, tmp_path / 'out', progress=False)
    report = json.loads((tmp_path / 'out/report.json').read_text())
    assert report['complete'] is False
    assert [r['file'] for r in report['files']] == [str(images['a'])]
    assert not list((tmp_path / 'out').rglob('.*partial*'))


class CountingInferencer(StubInferencer):
    """The stub, counting the scans it predicts."""

    def __init__(self):
        self.predicted = []

    def predict(self, image):
        self.predicted.append(image.shape)
        return super().predict(image)


def test_a_rerun_skips_what_is_done_and_redoes_what_changed(tmp_path):
    images = {name: touch_image(tmp_path / f'in/{name}.png', (8 + i, 12))
              for i, name in enumerate('abc')}
    images['bad'] = tmp_path / 'in/bad.png'
    images['bad'].write_bytes(b'')
    out = tmp_path / 'out'

    def run(**settings):
        inferencer = CountingInferencer()
        records = infer_collection(inferencer, images, out, progress=False, **settings)
        return len(inferencer.predicted), records

    assert run()[0] == 3
    count, records = run()
    assert count == 0  # a failed file is tried again, but fails before predicting
    assert [r['name'] for r in records] == ['a', 'b', 'c', 'bad']
    assert json.loads((out / 'report.json').read_text())['complete']
    touch_image(images['b'], (9, 14))  # a new scan under the same name
    assert run()[0] == 1
    (out / 'masks/c.png').unlink()  # an output gone
    assert run()[0] == 1
    assert run(opacity=0.8)[0] == 3  # other settings
    assert run(opacity=0.8, details=dict(threads=7))[0] == 0  # threads change no output
    lines = (out / 'journal/shard-0-of-1.jsonl').read_text().splitlines()
    assert len(lines) == 4 + 1 + 2 + 2 + 4 + 1  # 'bad' is tried again by every run
    assert read_mask(out / 'masks/b.png').shape == (9, 14)


def test_shards_write_one_report_from_their_journals(tmp_path):
    images = {name: touch_image(tmp_path / f'in/{name}.png', (8 + i, 12))
              for i, name in enumerate('abcde')}
    out = tmp_path / 'out'
    first = infer_collection(StubInferencer(), images, out, progress=False, shard=(1, 2))
    report = json.loads((out / 'report.json').read_text())
    assert not report['complete'] and 0 < len(first) < 5
    assert '<b>Incomplete:</b>' in (out / 'index.html').read_text()
    second = infer_collection(StubInferencer(), images, out, progress=False, shard=(0, 2))
    assert [r['name'] for r in second] == list('abcde')
    report = json.loads((out / 'report.json').read_text())
    assert report['complete'] and report['summary']['processed'] == 5
    assert {p.name for p in (out / 'journal').glob('*.jsonl')} == {'shard-0-of-2.jsonl',
                                                                   'shard-1-of-2.jsonl'}
