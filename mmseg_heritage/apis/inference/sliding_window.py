"""Sliding-window prediction whose memory grows with the image's width, not its area.

MMSeg's ``slide_inference`` keeps the logits of the whole image (classes x H x W floats) and
pads every tile's logits to that size before adding them, so a 12-megapixel scan needs
gigabytes. Here tiles are run one row of tiles at a time, their logits summed in one buffer
of a tile's height across the image (classes x tile height x W floats: 650 MB for 16 classes,
512 px tiles and a 20,000 px wide scan); as soon as no later tile can touch a row of pixels,
that row is finished and turned into class ids, and the rows still open move up in the buffer.
The tiles, their placement and the averaging of overlapping logits are the same as MMSeg's,
so the labels are too.

The image itself need not be held whole either: given as :class:`TensorRows`, its rows are
asked for one row of tiles at a time (a scan fetched from a IIIF server region by region).
"""
from typing import Iterator, List, Sequence, Tuple, Union

import numpy as np
import torch
import torch.nn.functional as F
from mmseg.structures import SegDataSample

# Logit buffers are processed in bands of about this many floats (64 MiB).
BAND_FLOATS = 16 * 2**20


class TensorRows:
    """An image as the model takes it (3 x H x W uint8), given band by band.

    Args:
        shape (tuple[int, int, int]): (channels, height, width).
        rows (Callable): ``rows(top, bottom)`` gives those rows, 3 x (bottom - top) x W;
            asked for from top to bottom.
    """

    def __init__(self, shape: Tuple[int, int, int], rows) -> None:
        self.shape, self.rows = tuple(shape), rows


def tile_starts(length: int, crop: int, stride: int) -> List[int]:
    """Start of each tile along one axis, placed as MMSeg's slide inference places them.

    The last tile is moved back to end at the border; an axis shorter than ``crop`` is one tile.
    """
    count = max(length - crop + stride - 1, 0) // stride + 1
    return [max(min(i * stride + crop, length) - crop, 0) for i in range(count)]


def _pad_to_multiple(batch: torch.Tensor, divisor: int) -> torch.Tensor:
    """Pad on the bottom and right with zeros (the normalised mean) to a multiple of divisor."""
    height, width = batch.shape[-2:]
    return F.pad(batch, (0, -width % divisor, 0, -height % divisor))


@torch.no_grad()
def preprocess_tiles(model, tiles: Sequence[torch.Tensor], size_divisor: int = 32) -> torch.Tensor:
    """Equally sized uint8 tiles (3 x h x w) as the model takes them: its data preprocessor's
    batch (channel order, normalisation, its own padding), padded to a multiple of
    ``size_divisor``."""
    # Data samples receive the padding the preprocessor's test_cfg may add (MaxViT's size).
    samples = [SegDataSample() for _ in tiles]
    batch = model.data_preprocessor(dict(inputs=list(tiles), data_samples=samples),
                                    False)['inputs']
    return _pad_to_multiple(batch, size_divisor)


@torch.no_grad()
def _tile_logits(model, tiles: Sequence[torch.Tensor], size_divisor: int) -> torch.Tensor:
    """Logits (N x classes x h x w) of equally sized uint8 tiles (3 x h x w)."""
    height, width = tiles[0].shape[-2:]
    batch = preprocess_tiles(model, tiles, size_divisor)
    shape = tuple(batch.shape[-2:])
    metas = [dict(img_shape=shape, pad_shape=shape, ori_shape=shape)] * len(tiles)
    return model.encode_decode(batch, metas)[..., :height, :width].float()


def logit_bands(model, image: Union[torch.Tensor, TensorRows], crop: Tuple[int, int],
                stride: Tuple[int, int], batch_size: int = 1,
                size_divisor: int = 32) -> Iterator[Tuple[int, torch.Tensor]]:
    """Yield ``(first_row, logits)`` for consecutive bands of rows of ``image``.

    Args:
        model: An MMSeg segmentor (``data_preprocessor`` and ``encode_decode``), in eval mode.
        image (Tensor | TensorRows): 3 x H x W uint8, channels as the model's data
            preprocessor expects; as :class:`TensorRows`, asked for one row of tiles at a
            time.
        crop (tuple[int, int]): Tile (height, width).
        stride (tuple[int, int]): Step between tiles (height, width).
        batch_size (int): Tiles run together. Defaults to 1 (least memory).
        size_divisor (int): Tiles are padded to a multiple of this for the backbone.

    Yields:
        tuple: The band's first row and its logits (classes x rows x W), averaged over the
        overlapping tiles; the bands cover the image from top to bottom exactly once. A band
        is a view of the buffer the next one is summed in: use or copy it before asking for
        the next.
    """
    height, width = image.shape[-2:]
    crop_h, crop_w = min(crop[0], height), min(crop[1], width)
    rows = tile_starts(height, crop_h, stride[0])
    cols = tile_starts(width, crop_w, stride[1])
    # One row of tiles' logits, rows from its top (y) down: the only full-width buffer. The
    # rows a band leaves unfinished move up to its top for the next row of tiles.
    logits = torch.zeros(model.out_channels, crop_h, width)
    counts = torch.zeros(crop_h, width)
    for index, y in enumerate(rows):
        bottom = y + crop_h
        pixels = image[:, y:bottom] if isinstance(image, torch.Tensor) else image.rows(y, bottom)
        for start in range(0, len(cols), batch_size):
            xs = cols[start:start + batch_size]
            tiles = [pixels[:, :, x:x + crop_w] for x in xs]
            for x, tile in zip(xs, _tile_logits(model, tiles, size_divisor).cpu()):
                logits[:, :, x:x + crop_w] += tile
                counts[:, x:x + crop_w] += 1
        # No later tile starts above the next row of tiles: the rows above it are final.
        done = (rows[index + 1] if index + 1 < len(rows) else height) - y
        band = logits[:, :done]
        band /= counts[:done]
        yield y, band
        kept = crop_h - done
        if kept > done:  # the rows overlap their new place: through a copy
            logits[:, :kept] = logits[:, done:].clone()
            counts[:kept] = counts[done:].clone()
        else:
            logits[:, :kept] = logits[:, done:]
            counts[:kept] = counts[done:]
        logits[:, kept:] = 0
        counts[kept:] = 0


def _resized_rows(logits: torch.Tensor, out_size: Tuple[int, int], first: int,
                  last: int) -> torch.Tensor:
    """Rows ``first:last`` of ``logits`` bilinearly resized to ``out_size`` (H, W).

    Equal to the same rows of ``F.interpolate(..., mode='bilinear', align_corners=False)`` on
    the whole map, computed for one band only (``grid_sample`` samples at the same points).
    """
    out_h, out_w = out_size
    ys = (torch.arange(first, last, dtype=torch.float32) + 0.5) / out_h * 2 - 1
    xs = (torch.arange(out_w, dtype=torch.float32) + 0.5) / out_w * 2 - 1
    grid = torch.stack(torch.meshgrid(ys, xs, indexing='ij')[::-1], dim=-1)[None]
    return F.grid_sample(logits[None], grid, mode='bilinear', padding_mode='border',
                         align_corners=False)[0]


def predict_labels(model, image: Union[torch.Tensor, TensorRows], out_size: Tuple[int, int],
                   crop: Tuple[int, int], stride: Tuple[int, int], batch_size: int = 1,
                   size_divisor: int = 32) -> np.ndarray:
    """Class ids (H x W uint8) of ``image`` at ``out_size``, by sliding-window prediction.

    When ``out_size`` is the image's own size the bands become labels as they are finished,
    so memory stays at one row of tiles' logits. Otherwise (the test pipeline resized the image)
    the logits of the resized image are kept whole, as MMSeg does, and resized to ``out_size``
    band by band, as MMSeg's bilinear resize of the whole map would give them.
    """
    labels = np.empty(out_size, dtype=np.uint8)
    bands = logit_bands(model, image, crop, stride, batch_size, size_divisor)
    if tuple(image.shape[-2:]) == tuple(out_size):
        for top, band in bands:
            labels[top:top + band.shape[1]] = band.argmax(0).numpy()
        return labels
    logits = torch.cat([band.clone() for _, band in bands], dim=1)
    rows = max(1, BAND_FLOATS // (logits.shape[0] * out_size[1]))
    for first in range(0, out_size[0], rows):
        last = min(first + rows, out_size[0])
        labels[first:last] = _resized_rows(logits, out_size, first, last).argmax(0).numpy()
    return labels
