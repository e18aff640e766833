"""ARTeFACT scores from one confusion matrix per split, with per-domain and hierarchy breakdowns.

Each image contributes its confusion matrix (ground truth x prediction, ignored pixels left
out); the scores come from their sum over the split, never from a mean of per-image or
per-batch scores. Per class ``c`` with ``TP``, ``FP``, ``FN`` from that matrix:

    IoU = TP / (TP + FP + FN)    Dice = F1 = 2 TP / (2 TP + FP + FN)
    precision = TP / (TP + FP)   recall = accuracy = TP / (TP + FN)

A class with no ground-truth pixel in the split is *absent*: its scores are None in
``metrics.json`` and it is left out of every mean (mIoU, mDice, mF1, ...), even if predicted
(those pixels still count as errors against the classes they belong to). ``aAcc`` is the share
of labelled pixels predicted right. The 95 % interval of mIoU resamples images with replacement.
"""
import csv
import io
import os.path as osp
from collections import defaultdict
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmengine.dist import is_main_process
from mmengine.evaluator import BaseMetric
from mmengine.logging import MessageHub, MMLogger, print_log
from mmseg.registry import METRICS

from ...class_names import IGNORE_INDEX, build_level_luts, level_class_names
from ...utils.atomic_files import write_image_atomic, write_json_atomic, write_text_atomic

SCHEMA_VERSION = 1
PER_CLASS = ('IoU', 'Dice', 'F1', 'precision', 'recall', 'accuracy')


def confusion_matrix(label: np.ndarray, prediction: np.ndarray, num_classes: int,
                     ignore_index: int = IGNORE_INDEX) -> np.ndarray:
    """Pixels of ground-truth class i predicted as j, at [i, j]; ``ignore_index`` left out."""
    valid = label != ignore_index
    if valid.any() and int(label[valid].max()) >= num_classes:
        raise ValueError(f'ground truth holds class {int(label[valid].max())}, but there are '
                         f'only {num_classes} classes')
    if valid.any() and int(prediction[valid].max()) >= num_classes:
        # A model with more outputs than the dataset has classes would be miscounted silently.
        raise ValueError(f'prediction holds class {int(prediction[valid].max())}, but there '
                         f'are only {num_classes} classes')
    index = label[valid].astype(np.int64) * num_classes + prediction[valid].astype(np.int64)
    return np.bincount(index, minlength=num_classes**2).reshape(num_classes, num_classes)


def scores_from_confusion(confusion: np.ndarray, class_names: Sequence[str]) -> dict:
    """Per-class scores (None for absent classes), their means and aAcc, as plain data."""
    confusion = confusion.astype(np.float64)
    tp = np.diag(confusion)
    gt, predicted = confusion.sum(1), confusion.sum(0)
    present = gt > 0
    with np.errstate(divide='ignore', invalid='ignore'):
        per_class = dict(IoU=tp / (gt + predicted - tp), Dice=2 * tp / (gt + predicted),
                         precision=tp / predicted, recall=tp / gt)
    per_class['precision'] = np.where(predicted > 0, per_class['precision'], 0.0)
    per_class['F1'] = per_class['Dice']
    per_class['accuracy'] = per_class['recall']
    classes = {}
    for index, name in enumerate(class_names):
        classes[name] = dict(
            present=bool(present[index]), pixels=int(gt[index]),
            predicted_pixels=int(predicted[index]),
            **{key: (round(100 * float(per_class[key][index]), 4) if present[index] else None)
               for key in PER_CLASS})
    total = confusion.sum()
    mean_names = dict(IoU='mIoU', Dice='mDice', F1='mF1', precision='mPrecision',
                      recall='mRecall')
    means = {mean: round(100 * float(per_class[key][present].mean()), 4) if present.any()
             else None for key, mean in mean_names.items()}
    return dict(aAcc=round(100 * float(tp.sum() / total), 4) if total else None, **means,
                present_classes=int(present.sum()), classes=classes)


def bootstrap_miou(confusions: np.ndarray, num_samples: int = 1000, seed: int = 0,
                   level: float = 0.95) -> Optional[List[float]]:
    """``[low, high]`` of mIoU (in %) over images resampled with replacement, or None for
    fewer than two images or none with a labelled pixel. Classes absent from a resample are
    left out of its mean; a resample of only unlabelled images has no mIoU and is left out."""
    if len(confusions) < 2:
        return None
    rng = np.random.default_rng(seed)
    num_images, num_classes = len(confusions), confusions.shape[1]
    picks = rng.integers(0, num_images, size=(num_samples, num_images))
    counts = np.stack([np.bincount(p, minlength=num_images) for p in picks]).astype(np.float64)
    sums = (counts @ confusions.reshape(num_images, -1)).reshape(-1, num_classes, num_classes)
    tp = np.diagonal(sums, axis1=1, axis2=2)
    gt, predicted = sums.sum(2), sums.sum(1)
    with np.errstate(divide='ignore', invalid='ignore'):
        iou = np.where(gt > 0, tp / (gt + predicted - tp), np.nan)
    # A resample of only unlabelled images has no mIoU; one NaN would make both percentiles NaN.
    scored = (gt > 0).any(1)
    if not scored.any():
        return None
    miou = 100 * np.nanmean(iou[scored], axis=1)
    tail = 100 * (1 - level) / 2
    return [round(float(v), 4) for v in np.percentile(miou, [tail, 100 - tail])]


def collapse(confusion: np.ndarray, lut: np.ndarray, num_classes: int) -> np.ndarray:
    """The confusion matrix of a coarser level: fine classes merged by ``lut``."""
    merged = np.zeros((num_classes, num_classes), confusion.dtype)
    ids = lut[:confusion.shape[0]].astype(np.int64)
    np.add.at(merged, (ids[:, None], ids[None, :]), confusion)
    return merged


@METRICS.register_module()
class ArtefactMetric(BaseMetric):
    """Dataset-wide ARTeFACT scores: per class, per material and content, per hierarchy level.

    Args:
        ignore_index (int): Ground-truth value left out (background). Defaults to 255.
        coarse_groups (dict, optional): Damage groups for the coarse level, as in
            ``mmseg_heritage.class_names``. Defaults to the ARTeFACT default.
        bootstrap_samples (int): Resamples for the mIoU interval. Defaults to 1000.
        seed (int): Seed of the resampling. Defaults to 0.
        out_dir (str, optional): Where ``metrics.json`` and ``confusion_matrix.csv`` go.
            Defaults to the run's log folder (``work_dir/<timestamp>``); ``''`` writes nothing.
        output_dir (str, optional): Where to save each image's prediction as a PNG of class
            ids, named after the image (``<image stem>.png``), at the image's size; what
            ``tools/test.py --out DIR`` (ours and MMSeg's) sets. Defaults to None (not saved).
        keep_results (bool): Accepted because MMSeg's ``tools/test.py --out`` sets it (MMSeg's
            ``IoUMetric`` ignores it too); predictions in ``output_dir`` are always kept.
        collect_device (str): As in mmengine's ``BaseMetric``. Defaults to 'cpu'.
        prefix (str, optional): As in mmengine's ``BaseMetric``.
    """
    default_prefix: Optional[str] = None

    def __init__(self, ignore_index: int = IGNORE_INDEX, coarse_groups: Optional[dict] = None,
                 bootstrap_samples: int = 1000, seed: int = 0, out_dir: Optional[str] = None,
                 output_dir: Optional[str] = None, keep_results: bool = True,
                 collect_device: str = 'cpu', prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.ignore_index = ignore_index
        self.coarse_groups = coarse_groups
        self.bootstrap_samples = bootstrap_samples
        self.seed = seed
        self.out_dir = out_dir
        self.output_dir = output_dir

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        """Keep each image's confusion matrix and domain (small: classes^2 counts)."""
        num_classes = len(self.dataset_meta['classes'])
        for sample in data_samples:
            prediction = sample['pred_sem_seg']['data'].squeeze().cpu().numpy()
            label = sample['gt_sem_seg']['data'].squeeze().cpu().numpy()
            self.results.append(dict(
                confusion=confusion_matrix(label, prediction, num_classes, self.ignore_index),
                sample_id=sample.get('sample_id', osp.basename(sample.get('img_path', ''))),
                material=sample.get('material'), content=sample.get('content')))
            if self.output_dir is not None:
                stem = osp.splitext(osp.basename(sample['img_path']))[0]
                write_image_atomic(osp.join(self.output_dir, f'{stem}.png'),
                                   prediction.astype(np.uint8))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Scores of the split; writes the full record, returns the headline numbers."""
        classes = list(self.dataset_meta['classes'])
        confusions = np.stack([r['confusion'] for r in results])
        record = self.evaluate_confusions(confusions, classes,
                                          [r['material'] for r in results],
                                          [r['content'] for r in results])
        record['images'] = [r['sample_id'] for r in results]
        # Which split this is, and seed, config hash, package versions and split hashes
        # (RunProvenanceHook).
        message_hub = MessageHub.get_current_instance()
        record['split'] = message_hub.get_info('evaluated_split')
        record['provenance'] = message_hub.get_info('provenance')
        self._log_table(record)
        self._write(record, confusions.sum(0), classes)
        overall = record['overall']
        headline = {key: overall[key] for key in ('aAcc', 'mIoU', 'mDice', 'mF1', 'mPrecision',
                                                  'mRecall')}
        if record['mIoU_ci95']:
            headline['mIoU_ci95_low'], headline['mIoU_ci95_high'] = record['mIoU_ci95']
        headline['binary_IoU_damage'] = record['binary']['classes']['Damage']['IoU']
        headline['coarse_mIoU'] = record['coarse']['mIoU']
        return {key: (np.nan if value is None else value) for key, value in headline.items()}

    def evaluate_confusions(self, confusions: np.ndarray, classes: Sequence[str],
                            materials: Sequence[Optional[str]] = (),
                            contents: Sequence[Optional[str]] = ()) -> dict:
        """The whole ``metrics.json`` record from per-image confusion matrices."""
        total = confusions.sum(0)
        luts = build_level_luts(self.coarse_groups, len(classes))
        names = level_class_names(self.coarse_groups)
        record = dict(schema_version=SCHEMA_VERSION, num_images=len(confusions),
                      overall=scores_from_confusion(total, classes),
                      mIoU_ci95=bootstrap_miou(confusions, self.bootstrap_samples, self.seed))
        for level in ('binary', 'coarse'):
            record[level] = scores_from_confusion(
                collapse(total, luts[level], len(names[level])), names[level])
        for key, domains in (('per_material', materials), ('per_content', contents)):
            groups = defaultdict(list)
            for index, domain in enumerate(domains):
                if domain is not None:
                    groups[domain].append(index)
            record[key] = {domain: dict(num_images=len(indices), **scores_from_confusion(
                confusions[indices].sum(0), classes)) for domain, indices in sorted(groups.items())}
        return record

    def _log_table(self, record: dict) -> None:
        lines = [f"{'class':<15}{'IoU':>8}{'Dice':>8}{'prec.':>8}{'recall':>8}{'pixels':>12}"]
        for name, scores in record['overall']['classes'].items():
            cells = ''.join(f"{'absent' if scores[k] is None else f'{scores[k]:.2f}':>8}"
                            for k in ('IoU', 'Dice', 'precision', 'recall'))
            lines.append(f"{name:<15}{cells}{scores['pixels']:>12}")
        interval = record['mIoU_ci95']
        lines.append(f"mIoU {record['overall']['mIoU']}"
                     + (f' (95 % CI {interval[0]:.2f}-{interval[1]:.2f} over images)'
                        if interval else ''))
        print_log('ARTeFACT scores over the split:\n' + '\n'.join(lines), logger='current')

    def _write(self, record: dict, confusion: np.ndarray, classes: Sequence[str]) -> None:
        out_dir = self.out_dir
        if out_dir is None:
            log_file = getattr(MMLogger.get_current_instance(), 'log_file', None)
            out_dir = osp.dirname(log_file) if log_file else ''
        if not out_dir or not is_main_process():
            return
        write_json_atomic(osp.join(out_dir, 'metrics.json'), record)
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator='\n')
        writer.writerow(['ground truth \\ prediction', *classes])
        for name, row in zip(classes, confusion):
            writer.writerow([name, *map(int, row)])
        write_text_atomic(osp.join(out_dir, 'confusion_matrix.csv'), buffer.getvalue())
        print_log(f'wrote {osp.join(out_dir, "metrics.json")} and confusion_matrix.csv',
                  logger='current')


