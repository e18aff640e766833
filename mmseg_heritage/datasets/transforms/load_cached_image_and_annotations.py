from pathlib import Path
from typing import Optional, Sequence, Union

from mmcv.transforms import BaseTransform
from mmseg.registry import TRANSFORMS

from ..image_cache import ImageCache
from ..image_decoding import match_mask_to_image
from .load_artefact_annotations import relabel


@TRANSFORMS.register_module()
class LoadCachedImageAndAnnotations(BaseTransform):
    """MMCV's ``LoadImageFromFile`` and :class:`LoadArtefactAnnotations` in one, reading both
    through an :class:`~mmseg_heritage.datasets.image_cache.ImageCache`.

    The first time a file is read its entry is built (decoded, shrunk to ``fit``, written as
    ``.npy``); later reads load the entry without decoding. The image and its mask go through
    the same cache, so they always share one size. Images decode as ``LoadImageFromFile``'s
    default (in colour, BGR, with OpenCV); masks as :class:`LoadArtefactAnnotations` reads
    them: a file that cannot be decoded, values other than class ids or a size other than the
    image's are errors naming the file, and EXIF orientation and relabelling are handled
    alike.

    Use it in training pipelines, where the image is rescaled and cropped anyway. Validation
    and test pipelines should read the originals: metrics compare with masks at their
    original size, and a shrunk mask would change them.

    Required Keys:

    - img_path
    - seg_map_path
    - seg_fields
    - reduce_zero_label (optional, False if missing)
    - label_map (optional)

    Added Keys:

    - img (uint8 BGR)
    - img_shape
    - ori_shape (the shape as loaded, i.e. after the cache's shrinking)
    - gt_seg_map (uint8)
    - seg_fields (``gt_seg_map`` appended)

    Args:
        fit (tuple[int, int], optional): Largest (long side, short side) an entry keeps; see
            :class:`ImageCache`. Set it to ``RandomResize``'s scale times the top of its ratio
            range. None keeps full-size decoded copies. Defaults to None.
        cache_dir (str, optional): Root of the cache. Defaults to None: ``cache/`` beside the
            images folder, i.e. ``<data_root>/cache``.
    """

    def __init__(self, fit: Optional[Sequence[int]] = None,
                 cache_dir: Union[None, str, Path] = None) -> None:
        super().__init__()
        self.cache = ImageCache(fit, cache_dir)

    def transform(self, results: dict) -> dict:
        """Load the image and its mask.

        Args:
            results (dict): Result dict from the dataset.

        Returns:
            dict: ``results`` with the image and its mask.
        """
        image = self.cache.load(results['img_path'], 'image')
        seg_map = self.cache.load(results['seg_map_path'], 'annotation')
        seg_map = match_mask_to_image(seg_map, image.shape, results['img_path'],
                                      results['seg_map_path'])
        seg_map = relabel(seg_map, results.get('reduce_zero_label', False),
                          results.get('label_map'))
        results['img'] = image
        results['img_shape'] = image.shape[:2]
        results['ori_shape'] = image.shape[:2]
        results['gt_seg_map'] = seg_map
        results['seg_fields'].append('gt_seg_map')
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(fit={self.cache.fit}, '
                f'cache_dir={self.cache.cache_dir})')
