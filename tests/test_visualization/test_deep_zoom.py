"""Deep Zoom tile pyramids written band by band."""
import math

import cv2
import numpy as np
import pytest

from mmseg_heritage.visualization.deep_zoom import DeepZoomWriter

from helpers import read_mask


def write(folder, image, band_rows, **options):
    writer = DeepZoomWriter(folder / 'image.dzi', image.shape[1], image.shape[0], **options)
    for top in range(0, image.shape[0], band_rows):
        writer.add_rows(image[top:top + band_rows])
    return writer.close()


def tiles(folder):
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob('*')) if path.is_file()}


def test_levels_and_tiles_follow_the_dzi_layout(tmp_path):
    noise = np.random.default_rng(0).integers(0, 256, (300, 517, 3), np.uint8)
    image = cv2.GaussianBlur(noise, (0, 0), 4)  # smooth, as JPEG keeps it
    info = write(tmp_path, image, 64, tile_size=128, overlap=1)
    assert info == dict(width=517, height=300, tile_size=128, overlap=1, format='jpg')
    assert ('Format="jpg" Overlap="1" TileSize="128"><Size Width="517" Height="300"/>'
            in (tmp_path / 'image.dzi').read_text())
    max_level = math.ceil(math.log2(517))
    for level in range(max_level + 1):
        scale = 2 ** (max_level - level)
        width, height = math.ceil(517 / scale), math.ceil(300 / scale)
        files = sorted((tmp_path / f'image_files/{level}').iterdir())
        assert len(files) == math.ceil(width / 128) * math.ceil(height / 128), level
        # The last tile of a level ends at the level's edge; tiles overlap by one pixel.
        last = cv2.imread(str(files[-1]))
        columns, rows = math.ceil(width / 128), math.ceil(height / 128)
        assert last.shape[:2] == (height - (rows - 1) * 128 + (rows > 1),
                                  width - (columns - 1) * 128 + (columns > 1)), level
    top_left = cv2.imread(str(tmp_path / f'image_files/{max_level}/0_0.jpg'))
    assert top_left.shape == (129, 129, 3)
    assert np.abs(top_left.astype(int) - image[:129, :129]).mean() < 3  # JPEG


def test_bands_of_any_height_write_the_same_tiles(tmp_path):
    image = np.random.default_rng(1).integers(0, 256, (201, 333, 3), np.uint8)
    write(tmp_path / 'whole', image, 201, tile_size=64)
    for rows in (1, 7, 64):
        write(tmp_path / str(rows), image, rows, tile_size=64)
        assert tiles(tmp_path / str(rows)) == tiles(tmp_path / 'whole'), f'{rows} rows'


def test_damage_layers_skip_empty_tiles_and_stay_visible_zoomed_out(tmp_path):
    layer = np.zeros((400, 600), np.uint8)
    layer[300, 450:460] = 255  # a thin scratch in one corner
    info = write(tmp_path, layer, 100, colour=(255, 0, 0), tile_size=128)
    written = {path.relative_to(tmp_path / 'image_files').as_posix()
               for path in (tmp_path / 'image_files').rglob('*.png')}
    levels = info['tiles']
    assert len(levels) == math.ceil(math.log2(600)) + 1
    top = len(levels) - 1
    assert levels[top] == '0' * 13 + '1' + '0' * 6  # row 2, column 3 of 5 x 4 tiles
    for level, flags in enumerate(levels):
        columns = math.ceil(math.ceil(600 / 2 ** (top - level)) / 128)
        assert {f'{level}/{i % columns}_{i // columns}.png' for i, flag in enumerate(flags)
                if flag == '1'} == {name for name in written if name.startswith(f'{level}/')}
    # Halved eight times the scratch still shows, at full strength, in its class colour.
    smallest = read_mask(tmp_path / 'image_files/2/0_0.png')
    assert smallest[..., 3].max() == 255
    assert tuple(smallest[smallest[..., 3] > 0][0, :3]) == (0, 0, 255)  # BGR


def test_wrong_rows_are_refused(tmp_path):
    writer = DeepZoomWriter(tmp_path / 'x.dzi', 10, 4)
    with pytest.raises(ValueError, match='do not fit a 10 x 4 image'):
        writer.add_rows(np.zeros((2, 9, 3), np.uint8))
    writer.add_rows(np.zeros((2, 10, 3), np.uint8))
    with pytest.raises(ValueError, match='2 of 4 rows were given'):
        writer.close()
