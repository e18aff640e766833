"""tools/infer.py on scans served by IIIF servers on 127.0.0.1: a manifest of level-0 tile sets
written by the IIIF reference implementation, and level-2 image services listed in a file,
with faults injected; with the starter model (small, fast, and sure enough of its labels
that JPEG tiles move few of them)."""
import json
import re

import cv2
import numpy as np
import pytest

from helpers import REPO, STARTER_NAME, read_mask, run_main
from iiif_servers import Level2Images, files_under, manifest, serve, static_tiles

TOOL = REPO / 'tools/infer.py'
MODEL = [REPO / f'checkpoints/starter/{STARTER_NAME}.py',
         REPO / f'checkpoints/starter/{STARTER_NAME}.pth']
# One thread: on a busy machine two fight for the cores and take ten times as long.
OPTIONS = ['--threads', 1, '--no-progress']


@pytest.fixture(scope='module')
def scan(tmp_path_factory):
    """A 384 x 256 JPEG scan of a real photograph with a network of cracks."""
    photo = cv2.imread(str(REPO / 'resources/real_photos/old_w_scratch/d.png'))
    path = tmp_path_factory.mktemp('scan') / 'scan.jpg'
    cv2.imwrite(str(path), cv2.resize(photo, (384, 256), interpolation=cv2.INTER_AREA),
                [cv2.IMWRITE_JPEG_QUALITY, 95])
    return path


@pytest.fixture
def museum(tmp_path, scan):
    """A static IIIF server: the scan as a level-0 tile set (Image API 2.1, tiles of 128 px)
    painted on a canvas twice its size, with a Physical Dimensions service; a tile set whose
    info.json gives a larger image than its tiles; a canvas without image; a tile set with a
    corrupt tile. The manifest is /objects/book/manifest.json."""
    root = tmp_path / 'site'
    with serve(files_under(root)) as server:
        info = {name: static_tiles(scan, root, server.url, name, 128)
                for name in ('scan', 'larger', 'corrupt')}['larger']
        info['width'] += 40
        (root / 'larger/info.json').write_text(json.dumps(info))
        tile = root / 'corrupt/128,0,128,128/128,/0/default.jpg'
        tile.write_bytes(tile.read_bytes()[:600])
        canvases = [dict(width=768, height=512, label='Front', service=f'{server.url}/scan',
                         image_size=(384, 256), mm_per_unit=0.05),
                    dict(width=384, height=256, label='Larger', service=f'{server.url}/larger'),
                    dict(width=384, height=256, label='Blank', service=None),
                    dict(width=384, height=256, label='Corrupt', service=f'{server.url}/corrupt')]
        (root / 'objects/book').mkdir(parents=True)
        (root / 'objects/book/manifest.json').write_text(json.dumps(
            manifest(2, server.url, canvases)))
        yield server


def outputs(out_dir):
    return sorted(p.relative_to(out_dir).as_posix() for p in out_dir.rglob('*') if p.is_file())


def stitched(tile_set, width, height, tile=128):
    """The image as the full-resolution tiles of a level-0 tile set give it."""
    image = np.zeros((height, width, 3), np.uint8)
    for y in range(0, height, tile):
        for x in range(0, width, tile):
            w, h = min(tile, width - x), min(tile, height - y)
            image[y:y + h, x:x + w] = cv2.imread(str(tile_set / f'{x},{y},{w},{h}/{w},'
                                                     '/0/default.jpg'))
    return image


def test_a_manifest_maps_its_canvases_as_their_files_are_mapped(tmp_path, museum, scan,
                                                                 capsys):
    url = f'{museum.url}/objects/book/manifest.json'
    out = tmp_path / 'out'
    result = run_main(TOOL, *MODEL, url, '--out-dir', out, *OPTIONS, capsys=capsys)
    assert result.returncode == 1  # three canvases failed
    report = json.loads((out / 'report.json').read_text())
    records = {record['name']: record for record in report['files']}
    assert records['book/02_Larger']['error'] == (
        f'{museum.url}/larger/384,0,40,128/40,/0/default.jpg: HTTP 404 Not Found')
    assert records['book/04_Corrupt']['error'].startswith(
        f'{museum.url}/corrupt/128,0,128,128/128,/0/default.jpg: the image could not be decoded')
    assert records['book/03_Blank']['error'] == f'canvas {museum.url}/canvas/3 has no image'
    front = records['book/01_Front']
    assert front['status'] == 'ok' and front['file'] == f'{museum.url}/scan/info.json'
    page_url = f"http://localhost:8000/{front['annotations']}"  # the default --iiif-base-url
    assert front['canvas'] == dict(id=f'{museum.url}/canvas/1', width=768, height=512,
                                   manifest=url, annotations=page_url)
    # Our annotations target the museum's canvas, in its coordinates (twice the image's), and
    # a copy of its manifest lists them on that canvas (Presentation 2: otherContent).
    page = json.loads((out / front['annotations']).read_text())
    geojson = json.loads((out / front['geojson']).read_text())
    assert len(page['items']) == len(geojson['features']) > 0
    for annotation, feature in zip(page['items'], geojson['features']):
        assert annotation['target']['source']['id'] == f'{museum.url}/canvas/1'
        svg = annotation['target']['selector']['value']
        xy = np.array(re.findall(r'([\d.]+),([\d.]+)', svg), float)
        corners = np.array(re.findall(r'\[([\d.]+),([\d.]+)\]', json.dumps(
            feature['geometry']['coordinates']).replace(', ', ',')), float)
        np.testing.assert_allclose([xy.min(0), xy.max(0)],
                                   [2 * corners.min(0), 2 * corners.max(0)])
    [copy] = (out / 'iiif').glob('*.json')
    canvases = json.loads(copy.read_text())['sequences'][0]['canvases']
    assert canvases[0]['otherContent'][-1]['@id'] == page_url
    assert not any('otherContent' in canvas for canvas in canvases[1:])  # they failed
    assert f'href="mirador-{copy.stem}.html"' in (out / 'index.html').read_text()
    assert (front['width'], front['height']) == (384, 256)  # the image's full resolution
    assert front['resolution']['mm_per_px'] == pytest.approx([0.1, 0.1])  # 0.05 mm, twice
    assert front['damaged_mm2'] == pytest.approx(front['damaged_percent'] / 100 * 384 * 256
                                                 * 0.01, abs=0.01)
    assert [records[name]['status'] for name in sorted(records)] == ['ok'] + ['failed'] * 3
    assert records['book/03_Blank']['canvas']['id'] == f'{museum.url}/canvas/3'

    # The JPEG file's labels, but those the tiles' JPEG moves; the tiles' pixels', exactly.
    cv2.imwrite(str(tmp_path / 'tiles.png'), stitched(tmp_path / 'site/scan', 384, 256))
    for source in (scan, tmp_path / 'tiles.png'):
        assert run_main(TOOL, *MODEL, source, '--out-dir', tmp_path / 'local', *OPTIONS,
                        capsys=capsys).returncode == 0
    mask = read_mask(out / front['mask'])
    reference = read_mask(tmp_path / 'local/masks/scan.png')
    assert mask.shape == reference.shape == (256, 384) and (reference > 0).mean() > 0.01
    assert (mask == reference).mean() >= 0.97
    assert (mask == read_mask(tmp_path / 'local/masks/tiles.png')).all()
    page = (out / front['report']).read_text()
    assert f'"@id": "{museum.url}/scan"' in page  # the viewer reads the server's tiles
    # Failed canvases leave nothing; nothing fetched stays behind.
    written = outputs(out)
    assert not [path for path in written if 'Larger' in path or 'Corrupt' in path
                or 'Blank' in path or '.fetched' in path]
    assert 'tiles/book/01_Front/scan.dzi' not in written

    # Again: the canvas done is skipped (its service unchanged), the others are tried again.
    museum.requests.clear()
    assert run_main(TOOL, *MODEL, url, '--out-dir', out, *OPTIONS,
                    capsys=capsys).returncode == 1
    assert '/scan/info.json' in museum.requests
    assert [path for path in museum.requests if path.startswith('/scan/')] == [
        '/scan/info.json']
    assert outputs(out) == written
    # With other settings it is predicted again; now failing, it keeps no outputs of before.
    tile = tmp_path / 'site/scan/0,0,128,128/128,/0/default.jpg'
    tile.write_bytes(tile.read_bytes()[:600])
    assert run_main(TOOL, *MODEL, url, '--out-dir', out, *OPTIONS, '--min-region-px', 20,
                    capsys=capsys).returncode == 1
    assert not [path for path in outputs(out) if 'book/' in path]


def test_image_services_in_a_list_from_a_busy_server(tmp_path, scan, capsys):
    image = cv2.imread(str(scan))[:128, :192]
    with serve(lambda path: (404, b'', 'text/plain')) as server:
        server.content = Level2Images({'a': image, 'b': image[:100, :150]}, server.url,
                                      max_area=192 * 50, preferred='png', tile=None)
        listed = tmp_path / 'urls.txt'
        listed.write_text(f'{server.url}/iiif/a/info.json\n{server.url}/iiif/b/info.json\n')
        server.faults.add('/iiif/a/0,50,192,50/', (429, {'Retry-After': '0'}))
        server.faults.add('/iiif/b/0,0,150,64/', 'hang', 'hang')
        # A timeout no answer of a loaded test machine outlasts, but the hang does.
        options = [*OPTIONS, '--iiif-timeout', 2, '--iiif-retries', 1,
                   '--iiif-concurrency', 1]
        assert run_main(TOOL, *MODEL, listed, '--out-dir', tmp_path / 'out', *options,
                        capsys=capsys).returncode == 1
        failed, = [record for record in json.loads(
            (tmp_path / 'out/report.json').read_text())['files'] if record['status'] != 'ok']
        assert failed['error'] == (f'{server.url}/iiif/b/0,0,150,64/max/0/default.png: no '
                                   'answer within the timeout (ReadTimeout) (2 tries)')
        # The 429 was waited out; the lossless regions are the image.
        mask = read_mask(tmp_path / 'out/masks/a.png')
        assert mask.shape == (128, 192) and server.content.refused == 0
        # A service without a canvas gets one in our manifest, showing the server's image.
        [canvas] = json.loads((tmp_path / 'out/manifest.json').read_text())['items']
        image = canvas['items'][0]['items'][0]['body']
        assert (canvas['width'], canvas['height']) == (192, 128)
        assert image['service'][0]['id'] == f'{server.url}/iiif/a'
        assert canvas['annotations'][0]['id'].endswith('annotations/a.json')
        assert server.requests.count('/iiif/a/0,50,192,50/max/0/default.png') == 2
        assert not (tmp_path / 'out/masks/b.png').exists()
        # With a cache, a second collection fetches no region again.
        cache = ['--iiif-cache', tmp_path / 'cache']
        for out in ('first', 'second'):
            server.requests.clear()
            assert run_main(TOOL, *MODEL, f'{server.url}/iiif/a/info.json',
                            '--out-dir', tmp_path / out, *options, *cache,
                            capsys=capsys).returncode == 0
        assert server.requests == ['/iiif/a/info.json']
        assert (read_mask(tmp_path / 'second/masks/a.png') == mask).all()


def test_canvas_needs_a_manifest(tmp_path, scan, capsys, warnings_logged):
    result = run_main(TOOL, *MODEL, scan, '--out-dir', tmp_path, '--canvas', '1',
                      capsys=capsys)
    assert result.returncode == 2
    assert '--canvas picks canvases of IIIF manifests' in ' '.join(warnings_logged())
