import io

import cv2
import numpy as np
import pytest
from PIL import Image

from mmseg_heritage.datasets.image_decoding import (ImageFileError, decode_image, decode_mask,
                                                    mask_fits_displayed, match_mask_to_image,
                                                    read_image_file, read_mask_file)


def encoded(array, format='PNG', **params):
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format, **params)
    return buffer.getvalue()


def test_broken_images_say_why():
    jpeg = encoded(np.random.default_rng(0).integers(0, 256, (16, 16, 3), np.uint8), 'JPEG')
    with pytest.raises(ImageFileError, match='^scan: the image could not be decoded: '
                       '.*(?i:truncated)'):
        decode_image(jpeg[:len(jpeg) // 2], 'scan: the image')
    with pytest.raises(ImageFileError, match='could not be decoded: the file is empty'):
        decode_image(b'')
    with pytest.raises(ImageFileError, match='not an image format Pillow knows'):
        decode_image(b'plain text')


def test_masks_must_hold_class_ids():
    ids = np.array([[0, 1, 15, 255]], np.uint8)
    np.testing.assert_array_equal(decode_mask(encoded(ids)), ids)
    np.testing.assert_array_equal(decode_mask(encoded(ids.astype(np.uint16))), ids)
    palette = Image.fromarray(ids, 'P')
    palette.putpalette([7] * 768)  # the colours do not matter, the indices are the ids
    buffer = io.BytesIO()
    palette.save(buffer, 'PNG')
    np.testing.assert_array_equal(decode_mask(buffer.getvalue()), ids)
    with pytest.raises(ImageFileError, match=r'annotation has unknown values 16, 17, 18, 19, '
                       r'20, 21, 22, 23, 24, 25, \.\.\. \(class ids are 0-15, 255 background'):
        decode_mask(encoded(np.arange(16, 40, dtype=np.uint8)[None]))
    with pytest.raises(ImageFileError, match='annotation has unknown values 300'):
        decode_mask(encoded(np.array([[1, 300]], np.uint16)))
    with pytest.raises(ImageFileError, match='annotation is RGBA, expected class ids'):
        decode_mask(encoded(np.zeros((2, 2, 4), np.uint8)))


@pytest.mark.parametrize('orientation, stored, mask, displayed', [
    (1, (30, 20), (30, 20), True),
    (6, (30, 20), (20, 30), True),  # drawn on the image as shown
    (6, (30, 20), (30, 20), False),  # drawn on the stored pixels
    (3, (30, 20), (30, 20), True),  # a half turn keeps the size: the displayed image wins
    (8, (20, 20), (20, 20), True),
])
def test_a_mask_goes_with_the_displayed_image_first(orientation, stored, mask, displayed):
    assert mask_fits_displayed(orientation, stored, mask) is displayed


def test_a_mask_of_neither_size_is_refused():
    with pytest.raises(ImageFileError, match=r'^annotation is 30 x 19 but image is 20 x 30 '
                       r'\(width x height\)'):
        mask_fits_displayed(6, (30, 20), (30, 19))


def test_a_mask_of_the_stored_pixels_turns_with_its_image(tmp_path):
    stored = np.random.default_rng(1).integers(0, 256, (20, 30, 3), np.uint8)
    exif = Image.Exif()
    exif[0x0112] = 6  # shown turned a quarter clockwise
    image_path, mask_path = tmp_path / 'a.jpg', tmp_path / 'a.png'
    Image.fromarray(stored).save(image_path, exif=exif, quality=100)
    mask = (np.arange(20 * 30) % 16).astype(np.uint8).reshape(20, 30)
    cv2.imwrite(str(mask_path), mask)
    image = read_image_file(image_path)
    assert image.shape == (30, 20, 3)
    turned = match_mask_to_image(read_mask_file(mask_path), image.shape, image_path, mask_path)
    np.testing.assert_array_equal(turned, np.rot90(mask, -1))
    cv2.imwrite(str(mask_path), mask[:, :-1])
    with pytest.raises(ImageFileError, match=f'^{mask_path}: the mask is 29 x 20 but its '
                       f'image {image_path} is 20 x 30'):
        match_mask_to_image(read_mask_file(mask_path), image.shape, image_path, mask_path)


def test_missing_files_are_named(tmp_path):
    with pytest.raises(FileNotFoundError, match=f'{tmp_path}/x.png: image file not found'):
        read_image_file(tmp_path / 'x.png')
    with pytest.raises(FileNotFoundError, match=f'{tmp_path}/x.png: mask file not found'):
        read_mask_file(tmp_path / 'x.png')
