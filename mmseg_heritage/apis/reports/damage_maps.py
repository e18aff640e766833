"""The damage maps a collection run wrote, read back as pictures with their damaged shares."""
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence, Tuple, Union

import cv2
import numpy as np

from ...class_names import CLASSES
from ...datasets.image_decoding import read_mask_file
from ...visualization.damage_map_sheet import DamageMap
from ..inference.tiled_inference import read_image
from .damage_report import find_images, infer_collection


def true_damaged_percent(annotation: np.ndarray) -> float:
    """Share of an annotation's pixels labelled as any damage class (1-15), in percent of the
    whole image, as the predicted share is counted."""
    damaged = np.count_nonzero((annotation > 0) & (annotation < len(CLASSES)))
    return 100 * damaged / max(annotation.size, 1)


def read_damage_maps(images: Mapping[str, Path], records: Sequence[dict],
                     out_dir: Union[str, Path],
                     annotations: Optional[Mapping[str, Union[str, Path]]] = None
                     ) -> List[DamageMap]:
    """One :class:`DamageMap` per image ``infer_collection`` mapped without error.

    Args:
        images: The name -> path mapping given to ``infer_collection``.
        records: The records it returned (in the same order).
        out_dir: The folder it wrote to.
        annotations: Optional name -> annotation file, for the true damaged share.
    """
    maps = []
    for name, record in zip(images, records):
        if record['status'] != 'ok':
            continue
        mask = cv2.imread(str(Path(out_dir) / record['mask']), cv2.IMREAD_UNCHANGED)
        truth = None
        if annotations and name in annotations:
            truth = true_damaged_percent(read_mask_file(annotations[name]))
        maps.append(DamageMap(name, read_image(images[name])[..., ::-1], mask, truth))
    return maps


def shares_by_path(maps: Sequence[DamageMap], images: Dict[str, Path],
                   root: Union[str, Path]) -> Dict[str, float]:
    """Predicted damaged share of each map, keyed by its image's path inside ``root``."""
    return {images[m.name].relative_to(root).as_posix(): round(m.damaged_percent, 4)
            for m in maps}


def map_photographs(inferencer, photos: Union[str, Path], out_dir: Union[str, Path],
                    details: Optional[dict] = None) -> Tuple[List[DamageMap], Dict[str, float]]:
    """Damage maps of every image in a folder and the predicted damaged share of each.

    Args:
        inferencer: A :class:`DamageInferencer`.
        photos (str | Path): The folder (searched as :func:`find_images` does).
        out_dir (str | Path): Where :func:`infer_collection` writes the maps and reports.
        details (dict, optional): The run's settings, for its report and journal.

    Returns:
        tuple[list[DamageMap], dict]: The maps, and each share by its image's path inside
        ``photos``.
    """
    images = find_images(str(photos))
    records = infer_collection(inferencer, images, out_dir, progress=False, details=details)
    maps = read_damage_maps(images, records, out_dir)
    return maps, shares_by_path(maps, images, photos)
