"""MMSeg's visualiser with ARTeFACT's class names and palette as its defaults."""
from typing import Dict, List, Optional

import numpy as np
from mmseg.registry import VISUALIZERS
from mmseg.visualization import SegLocalVisualizer

from ..class_names import CLASSES, PALETTE


@VISUALIZERS.register_module()
class ArtefactVisualizer(SegLocalVisualizer):
    """``SegLocalVisualizer`` that draws ARTeFACT's classes and colours unless told otherwise.

    MMSeg's falls back to Cityscapes' names and colours wherever no dataset meta is set (the
    inferencer before its first image, a visualiser built by hand), and its ``__init__`` passes
    ``classes`` and ``palette`` to ``set_dataset_meta`` in swapped order; both are fixed here,
    as is drawing labels on an image that is not C-contiguous (see ``_draw_sem_seg``).
    Arguments as ``SegLocalVisualizer``'s.
    """

    def __init__(self, name: str = 'visualizer', image: Optional[np.ndarray] = None,
                 vis_backends: Optional[Dict] = None, save_dir: Optional[str] = None,
                 classes: Optional[List] = None, palette: Optional[List] = None,
                 dataset_name: Optional[str] = None, alpha: float = 0.8, **kwargs) -> None:
        super().__init__(name, image, vis_backends, save_dir, alpha=alpha, **kwargs)
        self.set_dataset_meta(classes, palette, dataset_name)

    def set_dataset_meta(self, classes: Optional[List] = None, palette: Optional[List] = None,
                         dataset_name: Optional[str] = None) -> None:
        """As MMSeg's, with ARTeFACT's names and palette where neither they nor a
        ``dataset_name`` are given."""
        if dataset_name is None:
            classes = classes or list(CLASSES)
            palette = palette or [list(colour) for colour in PALETTE]
        super().set_dataset_meta(classes, palette, dataset_name)

    def _draw_sem_seg(self, image: np.ndarray, sem_seg, classes, palette,
                      with_labels: Optional[bool] = True) -> np.ndarray:
        """As MMSeg's, on a C-contiguous copy of ``image`` where it is not one.

        MMSeg draws the class labels into ``np.zeros_like(image)``, which keeps the layout of a
        non-contiguous image (MMSeg's ``browse_dataset.py`` passes a permuted tensor's array),
        and OpenCV's ``cv2.rectangle`` refuses such an array ("Layout of the output array img
        is incompatible with cv::Mat").
        """
        return super()._draw_sem_seg(np.ascontiguousarray(image), sem_seg, classes, palette,
                                     with_labels)
