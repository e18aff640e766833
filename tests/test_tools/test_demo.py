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
