import shutil

import cv2

from helpers import REPO, run_main

TOOL = REPO / 'tools/analysis/prediction_grid.py'


def run_tool(*args, capsys):
    return run_main(TOOL, *args, '--no-progress', capsys=capsys)


def test_worst_images_drawn_beside_the_checkpoint(trained_work_dir, synthetic_root, tmp_path,
                                                  capsys):
    checkpoint = tmp_path / 'run/iter_4.pth'  # a copy: the shared work dir stays as trained
    checkpoint.parent.mkdir()
    shutil.copy(trained_work_dir / 'iter_4.pth', checkpoint)
    result = run_tool(trained_work_dir / 'unet_s_synthetic_160.py', checkpoint, '--split', 'val',
                      '--worst', '2', capsys=capsys)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = tmp_path / 'run/analysis/worst_predictions.png'
    assert f'wrote {out}' in result.stdout
    val_ids = (synthetic_root / 'splits/val.txt').read_text().split()
    table = [line.split()[0] for line in result.stdout.splitlines()
             if line.split() and line.split()[0] in val_ids]
    assert len(table) == 2
    picture = cv2.imread(str(out))
    assert picture is not None and picture.shape[0] > 300 and picture.std() > 10


def test_chosen_images_to_a_named_file(trained_work_dir, synthetic_root, tmp_path, capsys):
    [first, *_] = (synthetic_root / 'splits/test.txt').read_text().split()
    out = tmp_path / 'grid.png'
    result = run_tool(trained_work_dir / 'unet_s_synthetic_160.py',
                      trained_work_dir / 'iter_4.pth', '--images', first, '--max-side', '32',
                      '--out', out, capsys=capsys)
    assert result.returncode == 0, result.stderr[-3000:]
    assert cv2.imread(str(out)) is not None and first in result.stdout


def test_missing_checkpoint_or_unknown_image_exit_2_writing_nothing(trained_work_dir,
                                                                    tmp_path, capsys):
    config = trained_work_dir / 'unet_s_synthetic_160.py'
    out = tmp_path / 'grid.png'
    missing = run_tool(config, tmp_path / 'missing.pth', '--out', out, capsys=capsys)
    assert missing.returncode == 2
    assert 'missing.pth' in missing.stderr and len(missing.stderr.strip().splitlines()) == 1
    unknown = run_tool(config, trained_work_dir / 'iter_4.pth', '--images', 'no_such_scan',
                       '--out', out, capsys=capsys)
    assert unknown.returncode == 2 and "'no_such_scan'" in unknown.stderr
    assert not list(tmp_path.iterdir())
