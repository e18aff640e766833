import cv2
import numpy as np
import pytest

from mmseg_heritage.utils import (atomic_path, remove_partial_files, write_image_atomic,
                                  write_json_atomic)

from helpers import read_mask


def test_failed_write_keeps_the_old_file_and_leaves_no_partial(tmp_path):
    path = tmp_path / 'metrics.json'
    write_json_atomic(path, {'mIoU': 1.0})
    with pytest.raises(RuntimeError):
        with atomic_path(path) as partial:
            partial.write_text('{"mIoU": ')
            raise RuntimeError('killed while writing')
    assert path.read_text() == '{\n  "mIoU": 1.0\n}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ['metrics.json']


def test_images_round_trip_in_rgb(tmp_path):
    image = np.zeros((4, 5, 3), np.uint8)
    image[..., 0] = 200  # red
    write_image_atomic(tmp_path / 'a.png', image)
    assert np.array_equal(cv2.imread(str(tmp_path / 'a.png'))[..., ::-1], image)
    mask = np.array([[0, 15, 255]], np.uint8)
    write_image_atomic(tmp_path / 'm.png', mask)
    assert np.array_equal(read_mask(tmp_path / 'm.png'), mask)


def test_leftover_partial_files_are_removed(tmp_path):
    (tmp_path / '.x.png.partial-123.png').write_bytes(b'half')
    (tmp_path / 'x.png').write_bytes(b'whole')
    assert remove_partial_files(tmp_path) == 1
    assert [p.name for p in tmp_path.iterdir()] == ['x.png']
