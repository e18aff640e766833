"""Deep Zoom (DZI) tile pyramids of huge scans, written band by band.

A pyramid holds the image at full size and halved again and again down to one pixel, each level
cut into tiles, so a viewer (OpenSeadragon) loads only the tiles on screen at the zoom shown.
Rows arrive from top to bottom; a level writes a row of tiles as soon as it has the rows, and
passes pairs of rows on, halved, to the next level down. Memory stays at a few rows of tiles
per level, whatever the scan's size.

Layout (Microsoft's DZI): ``NAME.dzi`` (XML: tile size, overlap, format, size) and
``NAME_files/LEVEL/COLUMN_ROW.FORMAT``, level 0 being 1 x 1 pixel.
"""
import math
from pathlib import Path
from typing import List, Optional, Sequence, Union

import cv2
import numpy as np

from ..utils.atomic_files import write_bytes_atomic, write_text_atomic

DZI_XML = ('<?xml version="1.0" encoding="UTF-8"?>\n'
           '<Image xmlns="http://schemas.microsoft.com/deepzoom/2008" Format="{format}" '
           'Overlap="{overlap}" TileSize="{tile_size}"><Size Width="{width}" '
           'Height="{height}"/></Image>\n')


def _halve(rows: np.ndarray, reduce: str) -> np.ndarray:
    """2 x 2 blocks of an even number of rows to one pixel (an odd last column is repeated)."""
    if rows.shape[1] % 2:
        rows = np.concatenate([rows, rows[:, -1:]], axis=1)
    blocks = [rows[0::2, 0::2], rows[0::2, 1::2], rows[1::2, 0::2], rows[1::2, 1::2]]
    if reduce == 'max':
        return np.maximum.reduce(blocks)
    total = sum(block.astype(np.uint16) for block in blocks)
    return ((total + 2) // 4).astype(np.uint8)


class _Level:
    """One level of the pyramid: its rows not yet tiled, and the level below."""

    def __init__(self, writer: 'DeepZoomWriter', index: int, width: int, height: int) -> None:
        self.writer, self.index, self.width, self.height = writer, index, width, height
        self.columns = math.ceil(width / writer.tile_size)
        self.tile_rows = math.ceil(height / writer.tile_size)
        self.exists = np.zeros((self.tile_rows, self.columns), bool)
        self.buffer: Optional[np.ndarray] = None  # rows [top, top + len(buffer))
        self.top = 0
        self.received = 0
        self.next_tile_row = 0
        self.unpaired: Optional[np.ndarray] = None  # an odd row waiting for its pair
        self.below = (_Level(writer, index - 1, math.ceil(width / 2), math.ceil(height / 2))
                      if index > 0 else None)

    def add(self, rows: np.ndarray) -> None:
        self.buffer = rows if self.buffer is None else np.concatenate([self.buffer, rows])
        self.received += len(rows)
        self._write_ready_tiles()
        if self.below is not None:
            if self.unpaired is not None:
                rows = np.concatenate([self.unpaired, rows])
            even = len(rows) - len(rows) % 2
            self.unpaired = rows[even:] if even < len(rows) else None
            if even:
                self.below.add(_halve(rows[:even], self.writer.reduce))

    def close(self) -> None:
        if self.below is not None:
            if self.unpaired is not None:  # the last odd row is its own pair
                self.below.add(_halve(np.concatenate([self.unpaired] * 2), self.writer.reduce))
            self.below.close()

    def _write_ready_tiles(self) -> None:
        size, overlap = self.writer.tile_size, self.writer.overlap
        while self.next_tile_row < self.tile_rows:
            row = self.next_tile_row
            first = max(row * size - overlap, 0)
            last = min((row + 1) * size + overlap, self.height)
            if self.received < last:
                return
            band = self.buffer[first - self.top:last - self.top]
            for column in range(self.columns):
                left = max(column * size - overlap, 0)
                right = min((column + 1) * size + overlap, self.width)
                self.exists[row, column] = self.writer.write_tile(
                    self.index, column, row, band[:, left:right])
            keep_from = min((row + 1) * size - overlap, self.height)  # the next row's first
            self.buffer = self.buffer[keep_from - self.top:]
            self.top = keep_from
            self.next_tile_row += 1


class DeepZoomWriter:
    """Writes a DZI pyramid of an image given as bands of rows, top to bottom.

    Two kinds of image: a photograph (HxWx3 BGR, JPEG tiles, levels averaged), or a damage
    layer (HxW, 255 where the damage is; PNG tiles in ``colour`` with that as alpha, levels
    by maximum so that thin damage stays visible zoomed out, empty tiles not written).

    Args:
        path: The ``.dzi`` file to write; the tiles go to ``<stem>_files/`` beside it.
        width (int): Image width.
        height (int): Image height.
        colour (Sequence[int], optional): RGB of a damage layer; None for a photograph.
        tile_size (int): Tile side without overlap. Defaults to 254 (256 with the overlap).
        overlap (int): Pixels each tile shares with its neighbours. Defaults to 1.
        jpeg_quality (int): For photographs. Defaults to 85.
    """

    def __init__(self, path: Union[str, Path], width: int, height: int,
                 colour: Optional[Sequence[int]] = None, tile_size: int = 254,
                 overlap: int = 1, jpeg_quality: int = 85) -> None:
        if width < 1 or height < 1:
            raise ValueError(f'{path}: cannot tile an empty image ({width} x {height})')
        self.path = Path(path)
        self.tiles = self.path.with_name(f'{self.path.stem}_files')
        self.width, self.height = width, height
        self.colour = None if colour is None else np.array(colour[::-1], np.uint8)  # BGR
        self.format = 'jpg' if colour is None else 'png'
        self.reduce = 'mean' if colour is None else 'max'
        self.tile_size, self.overlap, self.jpeg_quality = tile_size, overlap, jpeg_quality
        self.max_level = math.ceil(math.log2(max(width, height))) if max(width, height) > 1 else 0
        self.top_level = _Level(self, self.max_level, width, height)
        self.rows_added = 0

    def add_rows(self, rows: np.ndarray) -> None:
        """The next rows of the image (HxWx3 BGR for a photograph, HxW for a layer)."""
        if rows.shape[1] != self.width or self.rows_added + len(rows) > self.height:
            raise ValueError(f'{self.path}: rows of width {rows.shape[1]} after '
                             f'{self.rows_added} rows do not fit a {self.width} x '
                             f'{self.height} image')
        self.rows_added += len(rows)
        self.top_level.add(rows)

    def write_tile(self, level: int, column: int, row: int, tile: np.ndarray) -> bool:
        """Encode and write one tile; False for an empty damage tile, which is not written."""
        if self.colour is None:
            ok, data = cv2.imencode('.jpg', tile, [cv2.IMWRITE_JPEG_QUALITY, self.jpeg_quality])
        else:
            if not tile.any():
                return False
            coloured = np.empty((*tile.shape, 4), np.uint8)
            coloured[..., :3] = self.colour
            coloured[..., 3] = tile
            ok, data = cv2.imencode('.png', coloured)
        if not ok:
            raise ValueError(f'{self.tiles}: could not encode tile {level}/{column}_{row}')
        write_bytes_atomic(self.tiles / str(level) / f'{column}_{row}.{self.format}',
                           data.tobytes())
        return True

    def close(self) -> dict:
        """Finish the lower levels and write the ``.dzi`` file.

        Returns:
            dict: What a viewer needs: ``width``, ``height``, ``tile_size``, ``overlap``,
            ``format`` and, for a damage layer, ``tiles``: per level from 0, a string of
            '0'/'1' per tile (row by row) saying which tiles were written.
        """
        if self.rows_added != self.height:
            raise ValueError(f'{self.path}: {self.rows_added} of {self.height} rows were given')
        self.top_level.close()
        write_text_atomic(self.path, DZI_XML.format(
            format=self.format, overlap=self.overlap, tile_size=self.tile_size,
            width=self.width, height=self.height))
        info = dict(width=self.width, height=self.height, tile_size=self.tile_size,
                    overlap=self.overlap, format=self.format)
        if self.colour is not None:
            levels: List[str] = []
            level = self.top_level
            while level is not None:
                levels.append(''.join('1' if e else '0' for e in level.exists.ravel()))
                level = level.below
            info['tiles'] = levels[::-1]
        return info
