"""Paste real damage from a damage bank into training images, labelled where it shows."""
from pathlib import Path
from typing import Dict, Mapping, Optional, Sequence, Tuple, Union

import cv2
import numpy as np
from mmcv.transforms import BaseTransform
from mmseg.registry import TRANSFORMS

from ...class_names import CLASSES, IGNORE_INDEX
from ...utils.class_weights_file import load_class_weights
from ..damage_bank import DamageBank

BLEND_MODES = ('alpha', 'multiply', 'screen')
PAINTS = ('own', 'fixed', 'contrast')
# ITU-R BT.601 luma weights, in the BGR order of MMCV's images.
_LUMA_BGR = np.float32([0.114, 0.587, 0.299])


def luminance(image: np.ndarray) -> np.ndarray:
    """Luma (0-255, float32) of an HxWx3 BGR image."""
    return image.astype(np.float32) @ _LUMA_BGR


def transform_instance(colour: np.ndarray, alpha: np.ndarray, scale: float, angle: float,
                       flip: Tuple[bool, bool]) -> Tuple[np.ndarray, np.ndarray]:
    """An instance scaled, flipped and rotated (the canvas grows to hold it), colour and alpha
    alike."""
    if flip[0]:
        colour, alpha = colour[:, ::-1], alpha[:, ::-1]
    if flip[1]:
        colour, alpha = colour[::-1], alpha[::-1]
    height, width = alpha.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, scale)
    corners = np.float32([[0, 0, 1], [width, 0, 1], [0, height, 1], [width, height, 1]])
    placed = corners @ matrix.T
    low, high = placed.min(0), placed.max(0)
    matrix[:, 2] -= low
    size = tuple(int(v) for v in np.maximum(np.ceil(high - low), 1))
    colour = cv2.warpAffine(np.ascontiguousarray(colour), matrix, size, flags=cv2.INTER_LINEAR,
                            borderMode=cv2.BORDER_REPLICATE)
    alpha = cv2.warpAffine(np.ascontiguousarray(alpha), matrix, size, flags=cv2.INTER_LINEAR,
                           borderValue=0)
    return colour, np.clip(alpha, 0, 1)


def paste_damage(rng: np.random.Generator, image: np.ndarray, mask: np.ndarray,
                 colour: np.ndarray, alpha: np.ndarray, class_id: int, top_left: Tuple[int, int],
                 paint: str = 'own', blend: str = 'alpha', label_alpha: float = 0.3,
                 min_contrast: float = 10.0, ignore_index: int = IGNORE_INDEX) -> int:
    """Blend one damage instance into ``image`` at ``top_left`` and label it in ``mask``.

    Both arrays change in place. Pixels of ``ignore_index`` (background beyond the artefact)
    are left as they are. A pixel is labelled ``class_id`` where the instance's alpha reaches
    ``label_alpha`` and its luma changed by at least ``min_contrast``: damage that does not
    show against what lies under it (a white speck on white paper) is not labelled damage.

    Args:
        rng (np.random.Generator): Draws the paint's shade.
        image (np.ndarray): HxWx3 uint8 BGR.
        mask (np.ndarray): HxW uint8 class ids.
        colour (np.ndarray): hxwx3 uint8 BGR of the instance.
        alpha (np.ndarray): hxw float32 opacity in 0-1.
        class_id (int): Label of the instance.
        top_left (tuple): (row, column) of the instance's corner; it may hang over the edge.
        paint (str): ``'own'``: the instance's colour, turned negative if it would not stand
            out; ``'fixed'``: the instance's colour as it is (drawn damage: a crack shows the
            paper, visible or not); ``'contrast'``: a light shade on dark ground, a dark one on
            light ground (cut-outs, whose colour means nothing). Defaults to 'own'.
        blend (str): ``'alpha'``, ``'multiply'`` (darkens: used for paint darker than the
            ground, else alpha) or ``'screen'`` (lightens: for lighter paint, else alpha).
            Defaults to 'alpha'.
        label_alpha (float): Least alpha labelled. Defaults to 0.3.
        min_contrast (float): Least change of luma (0-255) labelled. Defaults to 10.
        ignore_index (int): Mask value never painted over. Defaults to 255.

    Returns:
        int: Pixels labelled.
    """
    if blend not in BLEND_MODES:
        raise ValueError(f'unknown blend {blend!r}; choose from {BLEND_MODES}')
    if paint not in PAINTS:
        raise ValueError(f'unknown paint {paint!r}; choose from {PAINTS}')
    row, col = top_left
    height, width = mask.shape
    rows = slice(max(row, 0), min(row + alpha.shape[0], height))
    cols = slice(max(col, 0), min(col + alpha.shape[1], width))
    if rows.start >= rows.stop or cols.start >= cols.stop:
        return 0
    inner = slice(rows.start - row, rows.stop - row), slice(cols.start - col, cols.stop - col)
    a = alpha[inner] * (mask[rows, cols] != ignore_index)
    if not a.any():
        return 0
    ground = image[rows, cols].astype(np.float32)
    under = float((luminance(ground) * a).sum() / a.sum())
    shade = colour[inner].astype(np.float32)
    if paint == 'contrast':
        level = rng.uniform(215, 255) if under < 128 else rng.uniform(10, 60)
        shade = np.broadcast_to(np.float32(level) * rng.uniform(0.92, 1.0, 3), shade.shape)
    elif paint == 'own' and \
            abs(float((luminance(shade) * a).sum() / a.sum()) - under) < 2 * min_contrast:
        shade = 255 - shade  # the instance's own colour would vanish on this ground
    lighter = float((luminance(shade) * a).sum() / a.sum()) > under
    if (blend == 'multiply' and lighter) or (blend == 'screen' and not lighter):
        blend = 'alpha'
    a3 = a[..., None]
    if blend == 'multiply':
        result = ground * (1 - a3 + a3 * shade / 255)
    elif blend == 'screen':
        result = 255 - (255 - ground) * (1 - a3 + a3 * (255 - shade) / 255)
    else:
        result = ground * (1 - a3) + shade * a3
    result = np.clip(result, 0, 255)
    shows = (a >= label_alpha) & (np.abs(luminance(result) - luminance(ground)) >= min_contrast)
    image[rows, cols] = np.rint(result).astype(np.uint8)
    mask[rows, cols][shows] = class_id
    return int(shows.sum())


def writable_image_and_mask(results: dict) -> Tuple[np.ndarray, np.ndarray]:
    """The sample's ``img`` and ``gt_seg_map`` to paint on, copied first where read-only (as
    cached arrays are)."""
    for key in ('img', 'gt_seg_map'):
        if not results[key].flags.writeable:
            results[key] = results[key].copy()
    return results['img'], results['gt_seg_map']


@TRANSFORMS.register_module()
class DamageCopyPaste(BaseTransform):
    """Paste damage instances from a damage bank into the image, and label them.

    With probability ``prob`` a sample gets ``num_instances`` instances. Each draws its class
    (``class_weights``), then an instance of it, scaled, rotated, flipped and made partly
    transparent at random, and blends it in where it does not cover background (255). Cut-outs
    (whose colour means nothing) are painted light on dark ground and dark on light ground;
    instances cut from annotated images keep their colour unless it would not stand out. The
    mask takes the instance's class where its alpha reaches ``label_alpha`` and it visibly
    changed the image (``min_contrast``), so pasted damage that does not show is not taught
    as damage. Against rare classes: ARTeFACT's Hair, Dust or Scratch are a few hundred pixels
    per image; pasting real instances of them shows the model many more.

    Randomness comes from ``np.random``, like MMSeg's transforms, so MMEngine's
    ``randomness.seed`` makes it reproducible.

    Required Keys: img (BGR uint8), gt_seg_map. Modified Keys: img, gt_seg_map.

    Args:
        bank (str | DamageBank): The damage bank folder.
        prob (float): Probability that a sample gets damage pasted. Defaults to 0.5.
        num_instances (tuple[int, int]): Least and most instances per sample. Defaults to
            (1, 4).
        class_weights (str | dict | list, optional): How often each class is drawn.
            ``'uniform'``: every class of the bank alike, so rare classes are pasted far more
            often than their share of instances; ``'instances'``: in proportion to the bank's
            instances; a dict of class name to weight (only those classes); or a
            ``class_weights.json`` / list of 16 weights (rarity weights of a dataset).
            Defaults to 'uniform'.
        scale (tuple[float, float]): Range of the instance's scale. Defaults to (0.5, 1.5).
        max_size (float): Largest side of an instance as a share of the image's shorter side;
            larger ones are shrunk to it. Defaults to 0.8.
        rotation (float): Rotation drawn in [-rotation, rotation] degrees. Defaults to 180.
        flip (bool): Flip instances at random. Defaults to True.
        opacity (tuple[float, float]): Range of the factor on the alpha. Defaults to (0.6, 1).
        blend_modes (Sequence[str]): Blends drawn from; ``multiply`` is used for dark paint
            and ``screen`` for light paint only. Defaults to all three.
        label_alpha (float): Least alpha labelled. Defaults to 0.3.
        min_contrast (float): Least change of luma (0-255) labelled. Defaults to 10.
        ignore_index (int): Background value never pasted on. Defaults to 255.
    """

    def __init__(self,
                 bank: Union[str, Path, DamageBank],
                 prob: float = 0.5,
                 num_instances: Tuple[int, int] = (1, 4),
                 class_weights: Union[str, Mapping[str, float], Sequence[float]] = 'uniform',
                 scale: Tuple[float, float] = (0.5, 1.5),
                 max_size: float = 0.8,
                 rotation: float = 180,
                 flip: bool = True,
                 opacity: Tuple[float, float] = (0.6, 1.0),
                 blend_modes: Sequence[str] = BLEND_MODES,
                 label_alpha: float = 0.3,
                 min_contrast: float = 10.0,
                 ignore_index: int = IGNORE_INDEX) -> None:
        super().__init__()
        if not 0 <= prob <= 1:
            raise ValueError(f'prob must be in [0, 1], got {prob}')
        if not 0 <= num_instances[0] <= num_instances[1]:
            raise ValueError(f'num_instances must be (least, most), got {num_instances}')
        unknown = sorted(set(blend_modes) - set(BLEND_MODES))
        if unknown or not blend_modes:
            raise ValueError(f'unknown blend modes {unknown}; choose from {BLEND_MODES}')
        self.bank = bank if isinstance(bank, DamageBank) else DamageBank(bank)
        self.prob = prob
        self.num_instances = tuple(num_instances)
        self.class_ids, self.class_probs = self._class_probs(class_weights)
        self.scale = tuple(scale)
        self.max_size = max_size
        self.rotation = rotation
        self.flip = flip
        self.opacity = tuple(opacity)
        self.blend_modes = tuple(blend_modes)
        self.label_alpha = label_alpha
        self.min_contrast = min_contrast
        self.ignore_index = ignore_index

    def _class_probs(self, class_weights) -> Tuple[np.ndarray, np.ndarray]:
        held = self.bank.class_ids
        if isinstance(class_weights, str) and class_weights in ('uniform', 'instances'):
            weights: Dict[int, float] = {
                c: 1.0 if class_weights == 'uniform' else len(self.bank.instances[c])
                for c in held}
        elif isinstance(class_weights, Mapping):
            weights = {}
            for name, weight in class_weights.items():
                if name not in CLASSES or CLASSES.index(name) not in held:
                    raise ValueError(f'class {name!r} of class_weights has no instance in the '
                                     f'bank {self.bank.root} (it holds '
                                     f'{[CLASSES[c] for c in held]})')
                weights[CLASSES.index(name)] = float(weight)
        else:  # a dataset's rarity weights: a class_weights.json or a list per class id
            per_class = load_class_weights(class_weights)
            weights = {c: per_class[c] for c in held}
        ids = np.array(sorted(weights))
        probs = np.array([weights[c] for c in ids], np.float64)
        if ids.size == 0 or (probs < 0).any() or probs.sum() <= 0:
            raise ValueError(f'class_weights {class_weights!r} leave no class of the bank to '
                             'draw')
        return ids, probs / probs.sum()

    def transform(self, results: dict) -> dict:
        """Paste instances into ``results['img']`` and label them in ``gt_seg_map``."""
        # One generator per sample, seeded from np.random: reproducible under MMEngine's seed.
        rng = np.random.default_rng(np.random.randint(2**31))
        if rng.random() >= self.prob:
            return results
        image, mask = writable_image_and_mask(results)
        for _ in range(rng.integers(self.num_instances[0], self.num_instances[1] + 1)):
            class_id = int(rng.choice(self.class_ids, p=self.class_probs))
            records = self.bank.instances[class_id]
            record = records[rng.integers(len(records))]
            self._paste(rng, image, mask, record, class_id)
        return results

    def _paste(self, rng, image, mask, record, class_id) -> None:
        colour, alpha = self.bank.load(record)
        colour = colour[..., ::-1]  # the bank's RGB to the image's BGR
        scale = rng.uniform(*self.scale)
        largest = self.max_size * min(mask.shape) / max(alpha.shape)
        flip = (bool(self.flip and rng.random() < 0.5), bool(self.flip and rng.random() < 0.5))
        colour, alpha = transform_instance(colour, alpha, min(scale, largest),
                                           rng.uniform(-self.rotation, self.rotation), flip)
        alpha = alpha * rng.uniform(*self.opacity)
        top_left = (int(rng.integers(-alpha.shape[0] // 2, mask.shape[0] - alpha.shape[0] // 2)),
                    int(rng.integers(-alpha.shape[1] // 2, mask.shape[1] - alpha.shape[1] // 2)))
        paint = 'contrast' if record['kind'] == 'cutout' else 'own'
        blend = self.blend_modes[rng.integers(len(self.blend_modes))]
        paste_damage(rng, image, mask, colour, alpha, class_id, top_left, paint, blend,
                     self.label_alpha, self.min_contrast, self.ignore_index)

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(bank={str(self.bank.root)!r}, prob={self.prob}, '
                f'num_instances={self.num_instances}, classes='
                f'{[CLASSES[c] for c in self.class_ids]})')
