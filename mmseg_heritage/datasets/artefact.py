from mmseg.datasets import BaseSegDataset
from mmseg.registry import DATASETS

# Mask value i is class CLASSES[i]; 255 marks background outside the artefact and is ignored
# (never folded into a real class). Names and colours as published with ARTeFACT.
CLASSES = ('Clean', 'Material loss', 'Peel', 'Dust', 'Scratch', 'Hair', 'Dirt', 'Fold',
           'Writing', 'Cracks', 'Staining', 'Stamp', 'Sticker', 'Puncture', 'Burn marks',
           'Lightleak')
PALETTE = [[0, 0, 0], [28, 230, 255], [255, 52, 255], [255, 74, 70], [0, 137, 65],
           [0, 111, 166], [163, 0, 89], [255, 165, 0], [122, 73, 0], [0, 0, 166],
           [99, 255, 172], [0, 77, 67], [143, 176, 255], [153, 125, 135], [128, 150, 147],
           [246, 255, 27]]
IGNORE_INDEX = 255
BACKGROUND_COLOUR = (90, 0, 7)  # how 255 is drawn in annotation_rgb renderings


@DATASETS.register_module()
class ArtefactDataset(BaseSegDataset):
    """ARTeFACT damage segmentation dataset in the layout our converter and generator write.

    ``images/<id><img_suffix>`` holds the photographs and ``annotations/<id>.png`` the masks of
    class ids 0-15 with 255 for background. ``ann_file`` (e.g. ``splits/train.txt``) lists the
    ids of one split, one per line; without it every image is used.

    Args:
        img_suffix (str): Suffix of the images. Defaults to '.png'.
        seg_map_suffix (str): Suffix of the masks. Defaults to '.png'.
        **kwargs: Passed to :class:`mmseg.datasets.BaseSegDataset` (``data_root``,
            ``data_prefix``, ``ann_file``, ``pipeline``, ...).
    """

    METAINFO = dict(classes=CLASSES, palette=PALETTE)

    def __init__(self, img_suffix: str = '.png', seg_map_suffix: str = '.png', **kwargs) -> None:
        kwargs.setdefault('data_prefix', dict(img_path='images', seg_map_path='annotations'))
        super().__init__(img_suffix=img_suffix, seg_map_suffix=seg_map_suffix,
                         reduce_zero_label=False, ignore_index=IGNORE_INDEX, **kwargs)
