import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
from conftest import REPO


def test_demo_writes_checkpoint_metrics_and_picture(tmp_path):
    work_dir, data_root = tmp_path / 'demo', tmp_path / 'data'
    result = subprocess.run(
        [sys.executable, str(REPO / 'tools/demo.py'), '--iters', '4', '--work-dir',
         str(work_dir), '--data-root', str(data_root), '--num-images', '14',
         '--image-size', '64', '--num-pictures', '2', '--allow-below-baseline'],
        capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]

    metrics = json.loads((work_dir / 'metrics.json').read_text())
    assert metrics['iterations'] == 4 and metrics['split'] == 'test'
    assert metrics['num_images'] == len((data_root / 'splits/test.txt').read_text().split())
    assert 0 <= metrics['metrics']['mIoU'] <= 100
    assert metrics['beats_baseline'] == (
        metrics['metrics']['mIoU'] > metrics['majority_class_baseline']['mIoU'])
    assert Path(metrics['checkpoint']).is_file()

    picture = cv2.imread(str(work_dir / 'predictions.png'))
    assert picture is not None and picture.shape[0] > 300 and picture.std() > 10

    # The data went through the parquet converter, as ARTeFACT does.
    assert list((tmp_path / 'data_parquet/data').glob('*.parquet'))
    assert (data_root / 'conversion_log.jsonl').is_file()
    assert (data_root / 'class_weights.json').is_file()

    # Damage maps of every test image, and the report.
    test_ids = (data_root / 'splits/test.txt').read_text().split()
    damage = json.loads((work_dir / 'damage_maps/report.json').read_text())
    assert damage['complete'] and damage['summary']['processed'] == len(test_ids)
    for sample_id in test_ids:
        mask = cv2.imread(str(work_dir / f'damage_maps/masks/{sample_id}.png'),
                          cv2.IMREAD_UNCHANGED)
        assert mask.shape == (64, 64) and mask.max() < 16
        assert (work_dir / f'damage_maps/overlays/{sample_id}.jpg').is_file()
    page = (work_dir / 'report.html').read_text()
    assert page.count('<img ') == 4 and 'The first 2 test images.' in page
    assert f"{metrics['metrics']['mIoU']:.2f}" in page
    report = (work_dir / 'report.md').read_text()
    assert f"mIoU {metrics['metrics']['mIoU']:.2f}" in report
    assert all(sample_id in report for sample_id in test_ids)
    # A second run reuses the converted data.
    again = subprocess.run(
        [sys.executable, str(REPO / 'tools/demo.py'), '--iters', '2', '--work-dir',
         str(work_dir), '--data-root', str(data_root), '--num-pictures', '1',
         '--allow-below-baseline'], capture_output=True, text=True, cwd=tmp_path)
    assert again.returncode == 0, again.stderr[-3000:]
    assert f'Using the dataset in {data_root}' in again.stdout


def test_majority_baseline_matches_a_hand_computation(tmp_path):
    sys.path.insert(0, str(REPO / 'tools'))
    from demo import majority_baseline
    masks = [np.array([[0, 0, 0, 255]], np.uint8), np.array([[0, 3, 3, 7]], np.uint8)]
    infos = []
    for i, mask in enumerate(masks):
        path = str(tmp_path / f'{i}.png')
        cv2.imwrite(path, mask)
        infos.append(dict(seg_map_path=path))
    # 7 valid pixels: 4 Clean, 2 Dust, 1 Fold -> Clean everywhere: IoU(Clean) = 4/7, the other
    # two present classes 0, absent classes left out of the mean.
    baseline = majority_baseline(infos)
    assert baseline['class_name'] == 'Clean'
    assert baseline['aAcc'] == round(100 * 4 / 7, 2)
    assert baseline['mIoU'] == round(100 * 4 / 7 / 3, 2)
