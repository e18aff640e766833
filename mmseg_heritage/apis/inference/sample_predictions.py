"""Predictions of a split's images beside their ground truth, scored image by image.

Each image is predicted at its own size with :class:`DamageInferencer` and scored against its
annotation at full resolution; only then are the image and both masks shrunk for display, and
only the shrunk arrays of the images to be shown are kept, so a split of thousands of large
scans can be searched for its worst predictions with little memory.
"""
import copy
import heapq
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, List, Optional, Sequence, Tuple, Union

import cv2
import numpy as np
from mmengine.config import Config
from mmengine.dataset import BaseDataset
from mmseg.registry import DATASETS

from ...class_names import CLASSES
from ...evaluation.metrics.artefact_metric import confusion_matrix, scores_from_confusion
from .damage_inferencer import DamageInferencer
from .tiled_inference import read_image

SPLITS = ('train', 'val', 'test')
# Rows scored at a time: the confusion matrix of a 100-megapixel scan needs no full-size
# int64 temporaries.
BAND_ROWS = 512


@dataclass
class SamplePrediction:
    """One image with its annotation and prediction, as drawn in a prediction grid.

    Attributes:
        name (str): Sample id (the image's file name without suffix).
        image (np.ndarray): HxWx3 RGB uint8.
        ground_truth (np.ndarray): HxW class ids, 255 where nothing is labelled.
        prediction (np.ndarray): HxW predicted class ids.
        mIoU (float, optional): Mean IoU in percent over the classes present in this image's
            ground truth; None when no pixel is labelled.
        accuracy (float, optional): Share of the labelled pixels predicted right, in percent;
            None when no pixel is labelled.
    """
    name: str
    image: np.ndarray
    ground_truth: np.ndarray
    prediction: np.ndarray
    mIoU: Optional[float] = None
    accuracy: Optional[float] = None


def score_image(ground_truth: np.ndarray, prediction: np.ndarray,
                classes: Sequence[str] = CLASSES) -> Tuple[Optional[float], Optional[float]]:
    """``(mIoU, accuracy)`` of one image in percent, as ``ArtefactMetric`` scores a split.

    Args:
        ground_truth (np.ndarray): HxW class ids, 255 ignored.
        prediction (np.ndarray): HxW predicted class ids.
        classes (Sequence[str]): Class names. Defaults to the ARTeFACT classes.

    Returns:
        tuple: mIoU over the classes present in ``ground_truth`` and pixel accuracy, both None
        when no pixel is labelled.
    """
    if ground_truth.shape != prediction.shape:
        raise ValueError(f'ground truth {ground_truth.shape} and prediction '
                         f'{prediction.shape} differ in size')
    confusion = sum(confusion_matrix(ground_truth[top:top + BAND_ROWS],
                                     prediction[top:top + BAND_ROWS], len(classes))
                    for top in range(0, ground_truth.shape[0], BAND_ROWS))
    scores = scores_from_confusion(confusion, classes)
    return scores['mIoU'], scores['aAcc']


def fit_within(array: np.ndarray, max_side: int, interpolation: int) -> np.ndarray:
    """``array`` shrunk so that its longer side is at most ``max_side`` (never enlarged)."""
    height, width = array.shape[:2]
    scale = max_side / max(height, width)
    if scale >= 1:
        return array
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return cv2.resize(array, size, interpolation=interpolation)


def split_dataset(config: Union[str, Path, Config], split: str = 'test') -> BaseDataset:
    """The dataset of ``split`` ('train', 'val' or 'test') as the config's dataloader builds
    it, without its pipeline (only the file paths are needed)."""
    if split not in SPLITS:
        raise ValueError(f'unknown split {split!r}; choose one of {", ".join(SPLITS)}')
    cfg = config if isinstance(config, Config) else Config.fromfile(str(config))
    loader = cfg.get(f'{split}_dataloader')
    if not loader:
        raise ValueError(f'the config has no {split}_dataloader')
    dataset_cfg = copy.deepcopy(loader.dataset)
    dataset_cfg.pipeline = []
    return DATASETS.build(dataset_cfg)


def _read_annotation(path: str) -> np.ndarray:
    mask = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    if mask is None or mask.ndim != 2:
        raise ValueError(f'{path}: not a single-channel mask of class ids')
    return mask


def sample_predictions(config: Union[str, Path, Config], checkpoint: Union[str, Path],
                       split: str = 'test', images: Optional[Sequence[str]] = None,
                       worst: Optional[int] = None, device: Optional[str] = 'cpu',
                       max_side: int = 768, progress: bool = False) -> List[SamplePrediction]:
    """Predict and score the images of a split, for pictures of what a model gets wrong.

    Args:
        config (str | Path | Config): Config the model was trained with; its
            ``<split>_dataloader.dataset`` says where the images and annotations are.
        checkpoint (str | Path): Checkpoint file.
        split (str): 'train', 'val' or 'test'. Defaults to 'test'.
        images (Sequence[str], optional): Sample ids (file names without suffix) to return,
            in this order. Defaults to None.
        worst (int, optional): Return the ``worst`` images of lowest mIoU instead, lowest
            first (ties by name); images with no labelled pixel have no score and are left
            out. Defaults to None: every image of the split, in the split's order.
        device (str, optional): Device for the model. Defaults to 'cpu'; None picks the first
            GPU if there is one.
        max_side (int): Longer side, in pixels, of the returned arrays; larger images are
            shrunk after scoring. Defaults to 768.
        progress (bool): Show a progress bar. Defaults to False.

    Returns:
        list[SamplePrediction]: The chosen, worst or all images, scored at full resolution.

    Raises:
        FileNotFoundError: The config or checkpoint file does not exist.
        ValueError: An id of ``images`` that is not in the split, or both ``images`` and
            ``worst`` given.
    """
    if images is not None and worst is not None:
        raise ValueError('give either images or worst, not both')
    if worst is not None and worst < 1:
        raise ValueError(f'worst must be at least 1, not {worst}')
    if isinstance(config, Config):
        config = copy.deepcopy(config)  # the inferencer edits the config it is given
    elif not Path(config).is_file():
        raise FileNotFoundError(f'{config}: no such config file')
    else:
        config = str(config)  # MMEngine's inferencer takes str paths only
    if not Path(checkpoint).is_file():
        raise FileNotFoundError(f'{checkpoint}: no such checkpoint file')
    dataset = split_dataset(config, split)
    infos = [dataset.get_data_info(i) for i in range(len(dataset))]
    if images is not None:
        by_name = {Path(info['img_path']).stem: info for info in infos}
        unknown = [name for name in images if name not in by_name]
        if unknown:
            available = ', '.join(list(by_name)[:5])
            raise ValueError(f'image {unknown[0]!r} is not in the {split} split (available: '
                             f'{available}{", ..." if len(by_name) > 5 else ""}; '
                             f'{len(by_name)} in all)')
        infos = [by_name[name] for name in images]
    classes = dataset.metainfo['classes']
    inferencer = DamageInferencer(config, str(checkpoint), device=device)

    def predicted() -> Iterator[SamplePrediction]:
        items = infos
        if progress:
            from rich.progress import track
            items = track(infos, description=f'Predicting the {split} images')
        for info in items:
            image = read_image(info['img_path'])
            ground_truth = _read_annotation(info['seg_map_path'])
            if ground_truth.shape != image.shape[:2]:
                raise ValueError(f"{info['seg_map_path']}: annotation {ground_truth.shape} "
                                 f"and image {image.shape[:2]} differ in size")
            prediction = inferencer.predict(image)
            miou, accuracy = score_image(ground_truth, prediction, classes)
            yield SamplePrediction(
                name=Path(info['img_path']).stem,
                image=cv2.cvtColor(fit_within(image, max_side, cv2.INTER_AREA),
                                   cv2.COLOR_BGR2RGB),
                ground_truth=fit_within(ground_truth, max_side, cv2.INTER_NEAREST),
                prediction=fit_within(prediction, max_side, cv2.INTER_NEAREST),
                mIoU=miou, accuracy=accuracy)

    if worst is None:
        return list(predicted())
    # nsmallest keeps at most `worst` samples while it goes through the split.
    return heapq.nsmallest(worst, (s for s in predicted() if s.mIoU is not None),
                           key=lambda s: (s.mIoU, s.name))
