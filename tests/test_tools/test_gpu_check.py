"""tools/gpu_check.sh: its measuring step on this CPU at tiny sizes (--dry-run), and the
message when the wheels it needs were not carried."""
import json
import os

from helpers import DEMO_CONFIG, REPO, run_process

SCRIPT = REPO / 'tools/gpu_check.sh'


def run(*args, **env):
    return run_process(['bash', SCRIPT, *args], cwd=REPO,
                       env={**os.environ, **{k: str(v) for k, v in env.items()}})


def test_dry_run_measures_and_writes_one_json_per_config(tmp_path):
    result = run('--dry-run', OUT=tmp_path, GPU_CHECK_CONFIGS=DEMO_CONFIG.relative_to(REPO))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    figures = json.loads((tmp_path / 'unet_s_synthetic_160_gpu.json').read_text())
    assert figures['dry_run'] and figures['crop'] == 64
    assert figures['train']['train_images_per_s'] > 0
    assert figures['train']['optim_wrapper'] == 'BF16OptimWrapper'  # --amp without a GPU
    assert set(figures['infer']) == {'batch_1', 'batch_2'}
    assert all(rate > 0 for rates in figures['infer'].values() for rate in rates.values())
    assert figures['scan']['fp32']['seconds'] > 0 and figures['scan']['bf16']['seconds'] > 0
    assert 'Done' in (tmp_path / 'gpu_check.log').read_text()


def test_without_the_carried_wheels_it_says_how_to_get_them(tmp_path):
    # (the script sends its errors to its log and the terminal: stdout)
    result = run(OUT=tmp_path, WHEELS=tmp_path / 'none')
    assert result.returncode == 2
    assert "run 'bash tools/gpu_check.sh fetch' where a registry is reachable" in result.stdout
