"""tools/dataset_converters/build_damage_bank.py on the vendored cut-outs."""
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TOOL = REPO / 'tools/dataset_converters/build_damage_bank.py'


def run(*args):
    return subprocess.run([sys.executable, str(TOOL), *map(str, args)], capture_output=True,
                          text=True, cwd=REPO)


def test_the_vendored_cutouts_make_a_bank_with_a_mapped_folder(tmp_path):
    result = run('--out', tmp_path / 'bank', '--cutouts', 'resources/real_damage',
                 '--folder-class', 'lint=Dust')
    assert result.returncode == 0, result.stderr
    index = json.loads((tmp_path / 'bank/index.json').read_text())
    # 60 lint cut-outs counted as Dust instead of Hair (resources/real_damage/README.md).
    assert index['classes'] == {'Dust': 245, 'Scratch': 40, 'Hair': 250, 'Dirt': 70,
                                'Staining': 30}
    assert f"635 damage instances in {tmp_path / 'bank'}" in result.stdout


def test_a_missing_folder_exits_2_writing_nothing(tmp_path):
    result = run('--out', tmp_path / 'bank', '--cutouts', tmp_path / 'missing')
    assert result.returncode == 2 and 'missing: no folder of cut-outs' in result.stderr
    assert not list(tmp_path.iterdir())
