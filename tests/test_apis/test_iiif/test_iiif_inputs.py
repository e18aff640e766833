"""IIIF inputs of a collection run: manifests (URL or file), info.json URLs and lists of them,
as named scans; canvases picked; what cannot be fetched kept as a scan that fails; what a
scan tells the journal, the shards and the report."""
import contextlib
import json

import numpy as np
import pytest

from mmseg_heritage.apis.iiif import (IIIFClient, IIIFError, IIIFScan, collection_manifests,
                                      iiif_scans, source_name)

from iiif_servers import Level2Images, manifest, serve


@pytest.fixture
def server():
    """A level-2 service ``a`` (100 x 50, 0.04 mm a pixel), a manifest of three canvases at
    /objects/ms-42/manifest.json, a collection and nothing else."""
    with serve(lambda path: (404, b'', 'text/plain')) as running:
        images = Level2Images({'a': np.zeros((50, 100, 3), np.uint8)}, running.url,
                              mm_per_px=0.04)
        service = images.service_id('a')
        documents = {
            '/objects/ms-42/manifest.json': manifest(3, running.url, [
                dict(width=200, height=100, label='f. 1r', service=service,
                     image_size=(100, 50), mm_per_unit=0.5),
                dict(width=200, height=100, label='', service=service),
                dict(width=200, height=100, label='f. 2r / verso', service=None)]),
            '/collection.json': {'@context': 'http://iiif.io/api/presentation/3/context.json',
                                 'type': 'Collection', 'items': []}}

        def content(path):
            if path in documents:
                return 200, json.dumps(documents[path]).encode(), 'application/json'
            return images(path)
        running.content = content
        yield running


def test_scans_and_their_names(server, tmp_path):
    listed = tmp_path / 'urls.txt'
    listed.write_text(f'# the collection\n{server.url}/objects/ms-42/manifest.json\n\n'
                      f'{server.url}/iiif/a/info.json  # one image\n'
                      f'{server.url}/iiif/a\n{server.url}/missing/manifest.json\n'
                      f'{server.url}/collection.json\n')
    scans = iiif_scans([str(listed)], IIIFClient(retries=0))
    assert [name for name, _ in scans] == [
        'ms-42/01_f._1r', 'ms-42/02', 'ms-42/03_f._2r_verso', 'a', 'a', 'missing',
        'collection']
    assert [str(scan) for _, scan in scans[:5]] == [f'{server.url}/iiif/a/info.json'] * 2 + [
        f'{server.url}/canvas/3', f'{server.url}/iiif/a/info.json', f'{server.url}/iiif/a']
    problems = [scan.problem for _, scan in scans]
    assert problems[:5] == ['', '', f'canvas {server.url}/canvas/3 has no image', '', '']
    assert problems[5] == f'{server.url}/missing/manifest.json: HTTP 404 Not Found'
    assert 'a IIIF collection; give the manifests it lists' in problems[6]
    # Only the documents listed were fetched: info.json waits until a scan is used.
    assert server.requests == ['/objects/ms-42/manifest.json', '/iiif/a', '/iiif/a/info.json',
                               '/missing/manifest.json', '/collection.json']


def test_canvases_picked_by_position_or_id(server, tmp_path):
    url = f'{server.url}/objects/ms-42/manifest.json'
    scans = iiif_scans([url], IIIFClient(), canvases=['3', f'{server.url}/canvas/1'])
    assert [name for name, _ in scans] == ['ms-42/01_f._1r', 'ms-42/03_f._2r_verso']
    with pytest.raises(ValueError, match='--canvas 7: no manifest given has such a canvas'):
        iiif_scans([url], IIIFClient(), canvases=['7'])
    # It may be in a manifest that could not be fetched: that one fails, the rest go on.
    assert len(iiif_scans([url, f'{server.url}/missing/manifest.json'],
                          IIIFClient(retries=0), canvases=['1', '7'])) == 2
    (tmp_path / 'ms-7.json').write_bytes(server.content('/objects/ms-42/manifest.json')[1])
    assert [name for name, _ in iiif_scans([str(tmp_path / 'ms-7.json')], IIIFClient(),
                                           canvases=['2'])] == ['ms-7/02']
    # A list names manifest files by paths relative to itself, wherever the run starts.
    (tmp_path / 'lists').mkdir()
    (tmp_path / 'lists/manifests.txt').write_text('../ms-7.json\n')
    with contextlib.chdir(tmp_path / 'lists/..' / '..'):
        assert [name for name, _ in iiif_scans([str(tmp_path / 'lists/manifests.txt')],
                                               IIIFClient(), canvases=['2'])] == ['ms-7/02']


def test_what_a_scan_tells_the_run(server):
    url = f'{server.url}/objects/ms-42/manifest.json'
    (_, first), (_, second), (_, blank) = iiif_scans([url], IIIFClient())
    assert first.pixels == 100 * 50 and second.pixels == 200 * 100  # from the manifest
    assert server.requests == ['/objects/ms-42/manifest.json']
    assert first.identity() == dict(canvas=f'{server.url}/canvas/1', width=100, height=50,
                                    service=f'{server.url}/iiif/a')
    assert blank.identity() is None
    assert first.record() == {'canvas': dict(id=f'{server.url}/canvas/1', width=200,
                                             height=100, manifest=url)}
    assert first.resolution() == ((0.04, 0.04), 'IIIF Physical Dimensions of the image service')
    alone = IIIFScan(f'{server.url}/iiif/a/info.json', IIIFClient())
    assert alone.record() == {} and alone.pixels == 0
    manifests = collection_manifests({'x': first, 'y': second, 'z': alone})
    assert list(manifests) == [url]
    read, names = manifests[url]
    assert read.json['type'] == 'Manifest' and names == {f'{server.url}/canvas/1': 'x',
                                                         f'{server.url}/canvas/2': 'y'}
    # An info.json that cannot be fetched is asked for once: the journal and report ask again.
    missing = IIIFScan(f'{server.url}/missing/info.json', IIIFClient(retries=0))
    asked = len(server.requests)
    assert missing.identity() is None and missing.identity() is None
    with pytest.raises(IIIFError, match='missing/info.json: HTTP 404'):
        missing.service
    assert len(server.requests) == asked + 1


def test_resolution_from_the_canvas():
    images = Level2Images({'a': np.zeros((50, 100, 3), np.uint8)}, 'http://127.0.0.1:1')
    scan = IIIFScan('http://127.0.0.1:1/iiif/a/info.json', IIIFClient(),
                    info=images.info('a'))
    assert scan.resolution()[0] is None and '--dpi' in scan.resolution()[1]
    with serve(lambda path: (404, b'', 'text/plain')) as running:
        data = manifest(2, running.url, [dict(width=200, height=150, label='', service='s',
                                              image_size=(100, 50), mm_per_unit=0.5)])
        running.content = lambda path: (200, json.dumps(data).encode(), 'application/json')
        (_, scan), = iiif_scans([f'{running.url}/m.json'], IIIFClient())
    scan._info = images.info('a')  # the service, as its server would give it
    assert scan.resolution() == ((1.0, 1.5), 'IIIF Physical Dimensions of the canvas')


@pytest.mark.parametrize('source, label, name', [
    ('https://example.org/iiif/book1/manifest.json', '', 'book1'),
    ('https://example.org/iiif/manifest/UUID-1.json', '', 'UUID-1'),
    ('https://example.org/manifest', 'Book of Hours', 'Book_of_Hours'),
    ('https://example.org/', '', 'example.org'),
    ('folder/Ms 42.json', '', 'Ms_42'),
])
def test_source_names(source, label, name):
    assert source_name(source, label) == name
