"""tools/infer.py on a collection: killed and run again, and shared among processes by
tools/dist_infer.sh (torchrun) and tools/slurm_infer.sh (srun), each ending with the outputs
of one uninterrupted process. (What a re-run skips and redoes: tests/test_apis/
test_damage_report.py; which shard a process of a Slurm job array takes:
tests/test_apis/test_reports/test_collection_shards.py.)"""
import json
import signal
import subprocess
import time

import cv2
import numpy as np
import pytest
from PIL import Image

from helpers import DEMO_CONFIG, PYTHON, REPO, free_port, run_main, tool_env

SCANS = 6


@pytest.fixture(scope='module')
def checkpoint(trained_work_dir):
    return trained_work_dir / 'iter_4.pth'


@pytest.fixture(scope='module')
def scans(tmp_path_factory, synthetic_root):
    """Scans of several sizes, most with a resolution, one in a sub-folder."""
    folder = tmp_path_factory.mktemp('collection')
    (folder / 'box').mkdir()
    tiles = [cv2.imread(str(path)) for path in sorted((synthetic_root / 'images').glob('*'))]
    for index in range(SCANS):
        scan = np.tile(tiles[index], (2 + index % 3, 3 + index % 2, 1))[..., ::-1]
        name = f'box/scan{index}.png' if index == 3 else f'scan{index}.tif'
        Image.fromarray(scan).save(folder / name, **({} if index == 5 else
                                                     dict(dpi=(300 + 100 * index,) * 2)))
    return folder


def infer_args(checkpoint, scans, out_dir):
    # One thread in every run, in this process and in the others: the same arithmetic, so
    # byte-equal outputs are a property here (another thread count may break a near-tie of
    # this 4-iteration model the other way, and the launchers' processes would pick their own).
    return [DEMO_CONFIG, checkpoint, scans, '--out-dir', out_dir, '--no-progress',
            '--threads', '1']


@pytest.fixture(scope='module')
def single(tmp_path_factory, checkpoint, scans):
    """One process, never interrupted: the report every other run must end with."""
    out_dir = tmp_path_factory.mktemp('single') / 'out'
    assert run_main(REPO / 'tools/infer.py', *infer_args(checkpoint, scans, out_dir)) \
        .returncode == 0
    return out_dir


def outputs(out_dir):
    """Every file written but the journals, the report without the seconds each scan took."""
    files = {path.relative_to(out_dir).as_posix(): path.read_bytes()
             for path in sorted(out_dir.rglob('*'))
             if path.is_file() and 'journal' not in path.parts}
    report = json.loads(files.pop('report.json'))
    for record in report['files']:
        record.pop('seconds')
    header, *rows = files.pop('report.csv').decode().splitlines()
    seconds = header.split(',').index('seconds')
    files['report.csv'] = [row.split(',')[:seconds] + row.split(',')[seconds + 1:]
                           for row in rows]
    return report, files


def assert_same_outputs(out_dir, reference):
    report, files = outputs(out_dir)
    expected_report, expected_files = outputs(reference)
    assert report == expected_report
    assert report['complete'] and report['summary']['processed'] == SCANS
    assert files.keys() == expected_files.keys()
    for name, data in files.items():
        assert data == expected_files[name], name


def journal_lines(out_dir) -> int:
    return sum(path.read_bytes().count(b'\n') for path in (out_dir / 'journal').glob('*.jsonl'))


def test_a_run_killed_at_any_moment_continues_where_it_stopped(tmp_path, checkpoint, scans,
                                                               single):
    out_dir = tmp_path / 'out'
    command = [PYTHON, REPO / 'tools/infer.py', *infer_args(checkpoint, scans, out_dir)]
    process = subprocess.Popen([str(part) for part in command], cwd=REPO, env=tool_env(),
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    while not ((out_dir / 'journal').is_dir() and journal_lines(out_dir) >= 2):
        assert process.poll() is None, process.stderr.read().decode()[-3000:]
        assert time.monotonic() < deadline
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait()
    process.stderr.close()
    finished = journal_lines(out_dir)
    assert 2 <= finished < SCANS, 'the run ended before it could be killed'
    assert not (out_dir / 'report.json').exists()
    done = {json.loads(line)['name']: (out_dir / json.loads(line)['mask']).stat().st_mtime_ns
            for line in (out_dir / 'journal/shard-0-of-1.jsonl').read_bytes().splitlines()}

    assert run_main(REPO / 'tools/infer.py', *infer_args(checkpoint, scans, out_dir)) \
        .returncode == 0
    # The finished scans were skipped: their masks were not written again.
    for name, written in done.items():
        assert (out_dir / f'masks/{name}.png').stat().st_mtime_ns == written, name
    assert journal_lines(out_dir) == SCANS
    assert not list(out_dir.rglob('.*.partial-*'))
    assert_same_outputs(out_dir, single)


def run_launcher(command, env, cwd):
    result = subprocess.run([str(part) for part in command], capture_output=True, text=True,
                            cwd=cwd, env=env)
    assert result.returncode == 0, (result.stdout + result.stderr)[-5000:]
    return result.stdout + result.stderr


def test_dist_infer_shares_the_collection_between_two_cpu_processes(tmp_path, checkpoint,
                                                                    scans, single):
    out_dir = tmp_path / 'out'
    output = run_launcher([REPO / 'tools/dist_infer.sh', DEMO_CONFIG, checkpoint, scans, 2,
                           '--out-dir', out_dir, '--no-progress', '--threads', '1'],
                          tool_env(PORT=str(free_port())), tmp_path)
    assert '(shard 0 of 2)' in output and '(shard 1 of 2)' in output
    journals = {path.name: path.read_bytes().count(b'\n')
                for path in (out_dir / 'journal').glob('*.jsonl')}
    assert journals.keys() == {'shard-0-of-2.jsonl', 'shard-1-of-2.jsonl'}
    assert sum(journals.values()) == SCANS and min(journals.values()) >= 2
    assert_same_outputs(out_dir, single)


def test_slurm_infer_shares_the_collection_between_two_tasks(slurm_stand_ins, checkpoint,
                                                             scans, single):
    env, tmp_path = slurm_stand_ins
    # CPU nodes (no GPUs asked for), and a job array of one task: its variables are read.
    env = {**env, 'GRES': '', 'SLURM_ARRAY_TASK_ID': '0', 'SLURM_ARRAY_TASK_COUNT': '1'}
    args = [scans, '--out-dir', tmp_path / 'out', '--no-progress', '--threads', '1']
    output = run_launcher([REPO / 'tools/slurm_infer.sh', 'cpu', 'heritage', DEMO_CONFIG,
                           checkpoint, *args], env, tmp_path)
    assert (tmp_path / 'srun_args').read_text().splitlines() == [
        '-p', 'cpu', '--job-name=heritage', '--ntasks=2', '--ntasks-per-node=2',
        '--cpus-per-task=1', '--kill-on-bad-exit=1', '--time=5', '--qos=debug', PYTHON, '-u',
        str(REPO / 'tools/infer.py'), str(DEMO_CONFIG), str(checkpoint), *map(str, args),
        '--launcher=slurm']
    assert '(shard 0 of 2)' in output and '(shard 1 of 2)' in output
    assert_same_outputs(tmp_path / 'out', single)


@pytest.mark.parametrize('args', [['--dpi', '0'], ['--launcher', 'pytorch'],
                                  ['--iiif-base-url', 'damage_maps/']])
def test_bad_settings_stop_before_anything_is_written(tmp_path, checkpoint, scans, args,
                                                      monkeypatch):
    # The messages: tests/test_apis/test_reports/test_scan_resolution.py,
    # test_collection_shards.py, test_iiif_manifests.py.
    monkeypatch.delenv('RANK', raising=False)
    out_dir = tmp_path / 'out'
    result = run_main(REPO / 'tools/infer.py', *infer_args(checkpoint, scans, out_dir), *args)
    assert result.returncode == 2 and not out_dir.exists()
