"""tools/dataset_converters/build_damage_bank.py on the vendored cut-outs."""
import json

from helpers import REPO, run_main

TOOL = REPO / 'tools/dataset_converters/build_damage_bank.py'


def test_the_vendored_cutouts_make_a_bank_with_a_mapped_folder(tmp_path, capsys):
    result = run_main(TOOL, '--out', tmp_path / 'bank', '--cutouts', REPO / 'resources/real_damage',
                      '--folder-class', 'lint=Dust', capsys=capsys)
    assert result.returncode == 0, result.stderr
    index = json.loads((tmp_path / 'bank/index.json').read_text())
    # 60 lint cut-outs counted as Dust instead of Hair (resources/real_damage/README.md).
    assert index['classes'] == {'Dust': 245, 'Scratch': 40, 'Hair': 250, 'Dirt': 70,
                                'Staining': 30}
    assert f"635 damage instances in {tmp_path / 'bank'}" in result.stdout


def test_a_missing_folder_exits_2_writing_nothing(tmp_path, capsys):
    result = run_main(TOOL, '--out', tmp_path / 'bank', '--cutouts', tmp_path / 'missing',
                      capsys=capsys)
    assert result.returncode == 2 and 'missing: no folder of cut-outs' in result.stderr
    assert not list(tmp_path.iterdir())
