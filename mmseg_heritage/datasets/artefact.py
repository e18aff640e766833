import os
import os.path as osp
from typing import Any, List, Optional, Sequence, Union

from mmseg.datasets import BaseSegDataset
from mmseg.registry import DATASETS

from ..class_names import CLASSES, IGNORE_INDEX, PALETTE
from .image_decoding import ImageFileError, check_sample_files
from .metadata import read_metadata
from .preparation.splits import read_split

def _as_list(names: Union[None, str, Sequence[str]]) -> Optional[List[str]]:
    return [names] if isinstance(names, str) else (list(names) if names is not None else None)


@DATASETS.register_module()
class ArtefactDataset(BaseSegDataset):
    """ARTeFACT damage segmentation dataset in the layout the converter and generator write.

    ``images/<id><img_suffix>`` holds the photographs, ``annotations/<id>.png`` the masks of
    class ids 0-15 with 255 for background, and ``metadata.csv`` the material and content of
    each image. ``ann_file`` (e.g. ``splits/train.txt`` or ``splits/lomo/glass/test.txt``)
    lists the ids of one split, one per line; without it every image in ``metadata.csv`` (or,
    without metadata, in ``images/``) is used. Each sample's ``sample_id``, ``material`` and
    ``content`` travel with it (``PackArtefactInputs`` puts them in its metainfo), so metrics
    can break results down by domain.

    A missing image or mask is an error when the dataset is built. When a sample's pipeline
    fails on a bad file (MMCV's ``LoadImageFromFile`` says only "failed to load image", or for
    an empty file not even which), the sample's files are checked and the error names the bad
    file and what is wrong with it (see ``image_decoding.py``).

    Args:
        materials (str | list[str], optional): Keep only images of these materials, e.g.
            ``['Paper', 'Parchment']``. Defaults to None (all).
        contents (str | list[str], optional): Keep only images of these content types.
            Defaults to None (all).
        metadata_file (str): Metadata table, relative to ``data_root``.
            Defaults to ``'metadata.csv'``.
        img_suffix (str): Suffix of the images. Defaults to '.png'.
        seg_map_suffix (str): Suffix of the masks. Defaults to '.png'.
        **kwargs: Passed to :class:`mmseg.datasets.BaseSegDataset` (``data_root``,
            ``data_prefix``, ``ann_file``, ``pipeline``, ...).
    """

    METAINFO = dict(classes=CLASSES, palette=PALETTE)

    def __init__(self, materials: Union[None, str, Sequence[str]] = None,
                 contents: Union[None, str, Sequence[str]] = None,
                 metadata_file: str = 'metadata.csv', img_suffix: str = '.png',
                 seg_map_suffix: str = '.png', **kwargs) -> None:
        self.materials = _as_list(materials)
        self.contents = _as_list(contents)
        self.metadata_file = metadata_file
        kwargs.setdefault('data_prefix', dict(img_path='images', seg_map_path='annotations'))
        super().__init__(img_suffix=img_suffix, seg_map_suffix=seg_map_suffix,
                         reduce_zero_label=False, ignore_index=IGNORE_INDEX, **kwargs)

    def prepare_data(self, idx: int) -> Any:
        """Sample ``idx`` through the pipeline; a failure caused by a bad image or mask file
        is raised as an ``ImageFileError`` that names the file and the problem."""
        try:
            return super().prepare_data(idx)
        except ImageFileError:
            raise
        except Exception:
            info = self.get_data_info(idx)
            check_sample_files(info['img_path'], info['seg_map_path'])
            raise

    def _read_metadata(self) -> Optional[dict]:
        path = osp.join(self.data_root or '', self.metadata_file)
        return {row['id']: row for row in read_metadata(path)} if osp.isfile(path) else None

    def _sample_ids(self, metadata: Optional[dict]) -> List[str]:
        if self.ann_file:
            return read_split(self.ann_file)
        if metadata is not None:
            return sorted(metadata)
        img_dir = self.data_prefix['img_path']
        return sorted(name[:-len(self.img_suffix)] for name in os.listdir(img_dir)
                      if name.endswith(self.img_suffix))

    def _check_filter(self, metadata: dict, column: str, wanted: Optional[List[str]]) -> None:
        known = {row[column] for row in metadata.values()}
        unknown = sorted(set(wanted or ()) - known)
        if unknown:
            raise ValueError(f'{self.metadata_file}: no image has {column} {unknown}; '
                             f'known values: {sorted(known)}')

    def load_data_list(self) -> List[dict]:
        """One info dict per image of the split that passes the material/content filters."""
        metadata = self._read_metadata()
        if metadata is None and (self.materials or self.contents):
            raise FileNotFoundError(
                f'{osp.join(self.data_root or "", self.metadata_file)}: filtering by material '
                'or content needs the metadata table that the converter writes')
        if metadata is not None:
            self._check_filter(metadata, 'material', self.materials)
            self._check_filter(metadata, 'content', self.contents)
        source = self.ann_file or self.data_prefix['img_path']
        data_list = []
        for sample_id in self._sample_ids(metadata):
            row = metadata.get(sample_id) if metadata is not None else dict(
                material='', content='')
            if row is None:
                raise ValueError(f'{source}: id {sample_id!r} is not in {self.metadata_file}')
            if ((self.materials and row['material'] not in self.materials)
                    or (self.contents and row['content'] not in self.contents)):
                continue
            info = dict(
                img_path=osp.join(self.data_prefix['img_path'], sample_id + self.img_suffix),
                seg_map_path=osp.join(self.data_prefix['seg_map_path'],
                                      sample_id + self.seg_map_suffix),
                sample_id=sample_id, material=row['material'], content=row['content'],
                label_map=self.label_map, reduce_zero_label=False, seg_fields=[])
            for key in ('img_path', 'seg_map_path'):
                if not osp.isfile(info[key]):
                    raise FileNotFoundError(f'{info[key]}: file of {sample_id!r} (listed in '
                                            f'{source}) not found')
            data_list.append(info)
        if not data_list:
            raise ValueError(f'{source}: no images left (materials={self.materials}, '
                             f'contents={self.contents})')
        return data_list
