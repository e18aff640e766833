"""Sharing a collection among processes: disjoint shards of about equal pixel counts."""
import numpy as np
import pytest
from PIL import Image

from mmseg_heritage.apis import assign_shard, process_shard
from mmseg_heritage.apis.iiif import Canvas, IIIFClient, IIIFScan


def test_shards_cover_the_collection_once_balanced_by_pixels(tmp_path):
    sizes = [(400, 300), (100, 100), (350, 300), (200, 50), (90, 80), (300, 300), (50, 40)]
    images = {}
    for index, (width, height) in enumerate(sizes):
        images[f'scan{index}'] = tmp_path / f'scan{index}.png'
        Image.fromarray(np.zeros((height, width), np.uint8)).save(images[f'scan{index}'])
    images['broken'] = tmp_path / 'broken.png'
    images['broken'].write_bytes(b'not an image')
    shards = [assign_shard(images, shard, 3) for shard in range(3)]
    assert sorted(name for shard in shards for name in shard) == sorted(images)
    assert all(list(shard) == [name for name in images if name in shard] for shard in shards)
    loads = [sum(Image.open(images[name]).size[0] * Image.open(images[name]).size[1]
                 for name in shard if name != 'broken') for shard in shards]
    assert max(loads) - min(loads) <= max(w * h for w, h in sizes)
    assert assign_shard(images, 0, 1) == images
    with pytest.raises(ValueError, match='shard 3 of 3 does not exist'):
        assign_shard(images, 3, 3)


def test_iiif_scans_weigh_what_their_manifest_says_without_a_request():
    canvases = [Canvas(f'c{i}', width=w, height=h, service_url=f'http://127.0.0.1:1/{i}')
                for i, (w, h) in enumerate([(4000, 3000), (1000, 1000), (1000, 900),
                                            (900, 1000)])]
    client = IIIFClient(timeout=0.01, retries=0)  # nothing answers there: not asked
    images = {canvas.id: IIIFScan(canvas.service_url, client, canvas) for canvas in canvases}
    assert [list(assign_shard(images, shard, 2)) for shard in range(2)] == [
        ['c0'], ['c1', 'c2', 'c3']]


@pytest.mark.parametrize('launcher, variables, expected', [
    ('none', {}, (0, 1, 0)),
    ('pytorch', dict(RANK='3', WORLD_SIZE='4', LOCAL_RANK='1'), (3, 4, 1)),
    ('slurm', dict(SLURM_PROCID='1', SLURM_NTASKS='2', SLURM_LOCALID='1'), (1, 2, 1)),
    # Array task 2 of 0-6:2 (the second of 4), each with srun's 2 tasks: shard 3 of 8.
    ('slurm', dict(SLURM_PROCID='1', SLURM_NTASKS='2', SLURM_ARRAY_TASK_ID='2',
                   SLURM_ARRAY_TASK_MIN='0', SLURM_ARRAY_TASK_STEP='2',
                   SLURM_ARRAY_TASK_COUNT='4'), (3, 8, 0)),
])
def test_each_launcher_names_the_shard(monkeypatch, launcher, variables, expected):
    for name in ('RANK', 'WORLD_SIZE', 'LOCAL_RANK', 'SLURM_PROCID', 'SLURM_NTASKS',
                 'SLURM_LOCALID', 'SLURM_ARRAY_TASK_ID', 'SLURM_ARRAY_TASK_MIN',
                 'SLURM_ARRAY_TASK_STEP', 'SLURM_ARRAY_TASK_COUNT'):
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    assert process_shard(launcher) == expected


def test_a_launcher_without_its_variables_says_how_to_start_it(monkeypatch):
    monkeypatch.delenv('RANK', raising=False)
    with pytest.raises(ValueError, match='needs the variables RANK.*tools/dist_infer.sh'):
        process_shard('pytorch')
    with pytest.raises(ValueError, match="unknown launcher 'mpi'"):
        process_shard('mpi')
