"""Decoding photographs and class-id masks, with errors that name what is wrong.

The parquet converter (which decodes the cells of a shard), the image cache, the loading
transforms and the inference tools share these rules, so they accept and refuse the same
inputs:

- A photograph becomes HxWx3 uint8 whatever its mode: alpha dropped, grey replicated, 16 bits
  scaled to 8.
- A mask holds one channel of class ids (Pillow mode L or P, or 16-bit), each 0-15 or 255
  (background); anything else is refused rather than clipped or wrapped.
- EXIF orientation: annotation tools show an image with its EXIF orientation applied, so a mask
  of that size goes with the image as displayed; a mask the size of the stored pixels (of an
  image turned a quarter) was drawn on those instead.

Errors are :class:`ImageFileError` (a ``ValueError``) whose message names the file (or the
parquet column) and the problem.
"""
import io
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Sequence, Tuple, Union

import cv2
import numpy as np
from PIL import ExifTags, Image, UnidentifiedImageError

from ..class_names import IGNORE_INDEX
from ..utils.pixel_counts import unknown_values

# The largest real image has 133 MP; anything beyond this is broken or hostile.
MAX_PIXELS = 300_000_000
SIXTEEN_BIT_MODES = ('I;16', 'I;16L', 'I;16B', 'I;16N', 'I')
MASK_MODES = ('L', 'P') + SIXTEEN_BIT_MODES
# The EXIF orientations that swap width and height, and how each is applied to the stored
# pixels, as Pillow's ImageOps.exif_transpose (and OpenCV) apply them.
_QUARTER_TURNS = {5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270,
                  7: Image.Transpose.TRANSVERSE, 8: Image.Transpose.ROTATE_90}
QUARTER_TURN_ORIENTATIONS = tuple(_QUARTER_TURNS)
# What Pillow raises on broken or oversized files (it has no common base class for them).
DECODER_ERRORS = (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError,
                  Image.DecompressionBombWarning)
PathLike = Union[str, Path]


class ImageFileError(ValueError):
    """An image or mask that cannot be used; the message names it and says why."""


@contextmanager
def pixel_limit(max_pixels: int = MAX_PIXELS) -> Iterator[None]:
    """Let Pillow open images up to ``max_pixels`` (its default stops at 89 MP) and make it
    refuse larger ones with an error rather than a warning; restores both on exit."""
    previous = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = max_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter('error', Image.DecompressionBombWarning)
            yield
    finally:
        Image.MAX_IMAGE_PIXELS = previous


@contextmanager
def decoding(name: str) -> Iterator[None]:
    """Turn Pillow's errors on a broken image into an :class:`ImageFileError` naming it."""
    try:
        yield
    except ImageFileError:
        raise
    except UnidentifiedImageError:  # its message names the buffer's address: not repeatable
        raise ImageFileError(f'{name} could not be decoded: not an image format Pillow '
                             'knows') from None
    except DECODER_ERRORS as error:
        raise ImageFileError(f'{name} could not be decoded: {error}') from None


def _check_not_empty(data: bytes, name: str) -> None:
    if not data:
        raise ImageFileError(f'{name} could not be decoded: the file is empty')


def mask_ids(mask: Image.Image, name: str = 'annotation') -> np.ndarray:
    """The class ids of a decoded mask as uint8, refusing other modes and unknown values.

    Args:
        mask (PIL.Image.Image): The loaded mask.
        name (str): What to call it in errors (a column or a file). Defaults to 'annotation'.

    Returns:
        np.ndarray: HxW uint8 class ids.

    Raises:
        ImageFileError: The mask has several channels, or values other than 0-15 and 255.
    """
    if mask.mode not in MASK_MODES:
        raise ImageFileError(f'{name} is {mask.mode}, expected class ids (a single-channel '
                             'L, P or 16-bit image)')
    # np.array, not asarray: Pillow's buffer is read-only, and transforms may write to masks.
    values = np.array(mask)  # mode P: the palette indices, which are the class ids
    if values.dtype != np.uint8:  # 16-bit masks are fine if every value is a class id
        unknown = np.unique(values[(values < 0) | (values > 255)]).tolist()
        values = values.astype(np.uint8)
    else:
        unknown = []
    unknown = unknown or unknown_values(values)
    if unknown:
        listed = ', '.join(map(str, unknown[:10])) + (', ...' if len(unknown) > 10 else '')
        raise ImageFileError(f'{name} has unknown values {listed} (class ids are 0-15, '
                             f'{IGNORE_INDEX} background)')
    return values


def decode_mask(data: bytes, name: str = 'annotation') -> np.ndarray:
    """Decode an encoded mask into checked uint8 class ids (see :func:`mask_ids`).

    Raises:
        ImageFileError: The bytes are empty or not an image, or the mask is not class ids.
    """
    _check_not_empty(data, name)
    with decoding(name):
        mask = Image.open(io.BytesIO(data))
        mask.load()
    return mask_ids(mask, name)


def decode_image(data: bytes, name: str = 'image') -> np.ndarray:
    """Decode an encoded photograph as MMCV's ``LoadImageFromFile`` does by default.

    OpenCV decodes it in colour: alpha dropped, grey replicated, 16 bits scaled to 8 and the
    EXIF orientation applied. When OpenCV cannot decode it (it gives no reason), Pillow is
    asked why, so the error says e.g. that the file is truncated.

    Args:
        data (bytes): The encoded image.
        name (str): What to call it in errors. Defaults to 'image'.

    Returns:
        np.ndarray: HxWx3 uint8, BGR.

    Raises:
        ImageFileError: The bytes are empty, truncated or not an image.
    """
    _check_not_empty(data, name)
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        with pixel_limit(), decoding(name):
            Image.open(io.BytesIO(data)).load()
        raise ImageFileError(f'{name} could not be decoded: OpenCV refuses it (corrupt or '
                             'truncated)')
    return image


def exif_orientation(image: Image.Image) -> int:
    """The EXIF orientation of an opened image (1, upright, when it has none)."""
    return image.getexif().get(ExifTags.Base.Orientation, 1)


def mask_fits_displayed(orientation: int, stored_size: Tuple[int, int],
                        mask_size: Tuple[int, int], image_name: str = 'image',
                        mask_name: str = 'annotation') -> bool:
    """Whether a mask goes with its image as displayed (EXIF orientation applied) or with the
    stored pixels.

    Args:
        orientation (int): The image's EXIF orientation.
        stored_size (tuple[int, int]): (width, height) of the image's stored pixels.
        mask_size (tuple[int, int]): (width, height) of the mask.
        image_name (str): What to call the image in errors. Defaults to 'image'.
        mask_name (str): What to call the mask in errors. Defaults to 'annotation'.

    Returns:
        bool: True for the image as displayed (preferred where both fit), False for the
        stored pixels.

    Raises:
        ImageFileError: The mask fits neither.
    """
    displayed = (stored_size[::-1] if orientation in QUARTER_TURN_ORIENTATIONS
                 else stored_size)
    if tuple(mask_size) == tuple(displayed):
        return True
    if tuple(mask_size) == tuple(stored_size):
        return False
    raise ImageFileError(f'{mask_name} is {mask_size[0]} x {mask_size[1]} but {image_name} '
                         f'is {displayed[0]} x {displayed[1]} (width x height)')


def read_file(path: PathLike, kind: str) -> bytes:
    """The bytes of an image or mask file.

    Raises:
        FileNotFoundError: The file does not exist (``kind`` says which file it was).
    """
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise FileNotFoundError(f'{path}: {kind} file not found') from None


def read_header(path: PathLike, name: str) -> Tuple[Tuple[int, int], int]:
    """(width, height) of a file's stored pixels and its EXIF orientation, without decoding
    the pixels."""
    with pixel_limit(), decoding(name), Image.open(path) as image:
        return image.size, exif_orientation(image)


def match_mask_to_image(mask: np.ndarray, image_shape: Sequence[int], image_path: PathLike,
                        mask_path: PathLike) -> np.ndarray:
    """A loaded mask paired with its image as loaded (OpenCV applies EXIF orientation).

    A mask of the image's loaded size is returned as it is. One drawn on the stored pixels of
    an image turned a quarter by its EXIF orientation is turned the same way, so its pixels
    stay on the image pixels they were drawn on (the converter keeps such pairs as stored;
    either way each mask pixel labels the same image pixel). Both may have been shrunk alike
    (the image cache): only their files' headers are compared with each other.

    Args:
        mask (np.ndarray): HxW class ids as loaded.
        image_shape (tuple): Shape of the image as loaded (``ori_shape``).
        image_path: The image file (its header is read only when the sizes differ).
        mask_path: The mask file.

    Returns:
        np.ndarray: The mask, of the image's loaded height and width.

    Raises:
        ImageFileError: The mask's size is not the image's, displayed or stored.
    """
    height, width = image_shape[:2]
    if mask.shape == (height, width):
        return mask
    stored_size, orientation = read_header(image_path, f'{image_path}: the image')
    mask_size, _ = read_header(mask_path, f'{mask_path}: the mask')
    if (not mask_fits_displayed(orientation, stored_size, mask_size, f'its image {image_path}',
                                f'{mask_path}: the mask')
            and mask.shape == (width, height)):
        return np.array(Image.fromarray(mask).transpose(_QUARTER_TURNS[orientation]))
    raise ImageFileError(f'{mask_path}: the mask, of {mask.shape[1]} x {mask.shape[0]} pixels '
                         f'as loaded, does not fit its image {image_path}, loaded as {width} x '
                         f'{height} (width x height)')


def read_image_file(path: PathLike) -> np.ndarray:
    """An image file as HxWx3 uint8 BGR (see :func:`decode_image`).

    Raises:
        FileNotFoundError: The file does not exist.
        ImageFileError: It is empty, truncated or not an image (the message names it).
    """
    return decode_image(read_file(path, 'image'), f'{path}: the image')


def read_mask_file(path: PathLike) -> np.ndarray:
    """A mask file as HxW uint8 class ids (see :func:`mask_ids`).

    Raises:
        FileNotFoundError: The file does not exist.
        ImageFileError: It cannot be decoded or holds other than class ids (the message names
            it).
    """
    return decode_mask(read_file(path, 'mask'), f'{path}: the mask')


def check_sample_files(image_path: PathLike, mask_path: PathLike) -> None:
    """Check that an image and its mask load and fit together, as the loading transforms
    read them.

    Raises:
        FileNotFoundError: A file does not exist.
        ImageFileError: A file is bad (see :func:`read_image_file`, :func:`read_mask_file` and
            :func:`match_mask_to_image`); the message names it.
    """
    image_shape = read_image_file(image_path).shape
    match_mask_to_image(read_mask_file(mask_path), image_shape, image_path, mask_path)
