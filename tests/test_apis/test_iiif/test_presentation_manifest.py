"""Presentation manifests 2 and 3: each canvas's id, size, label, image service and physical
scale, and why a canvas's image cannot be read."""
import json

import pytest

from mmseg_heritage.apis.iiif import IIIFError, load_manifest, read_manifest

from iiif_servers import manifest

URL = 'http://127.0.0.1:8000'
CANVASES = [
    dict(width=1200, height=800, label='f. 1r', service=f'{URL}/iiif/a', image_size=(600, 400),
         mm_per_unit=0.1),
    dict(width=100, height=100, label='blank', service=None),
]


@pytest.mark.parametrize('version', [2, 3])
def test_canvases_of_both_versions(version):
    read = read_manifest(manifest(version, URL, CANVASES), 'm.json')
    assert read.version == version and read.label == 'A test object'
    first, second = read.canvases
    assert (first.id, first.label, first.width, first.height) == (
        f'{URL}/canvas/1', 'f. 1r', 1200, 800)
    assert first.service_url == f'{URL}/iiif/a/info.json' and first.image_size == (600, 400)
    assert first.mm_per_unit == pytest.approx(0.1) and first.problem == ''
    assert second.service_url is None and second.problem == f'canvas {URL}/canvas/2 has no image'


def test_images_that_cannot_be_read_say_why():
    data = manifest(3, URL, CANVASES[:1] * 3)
    annotations = [canvas['items'][0]['items'][0] for canvas in data['items']]
    annotations[0]['target'] = f'{URL}/canvas/1#xywh=0,0,600,400'
    annotations[1]['body'].pop('service')
    annotations[2]['body'] = {'type': 'Choice', 'items': [annotations[2]['body']]}
    first, second, third = read_manifest(data, 'm.json').canvases
    assert 'covers only part of it (xywh=0,0,600,400)' in first.problem
    assert 'its image (http://127.0.0.1:8000/iiif/a/full/max/0/default.jpg) has no IIIF image ' \
        'service' in second.problem
    assert third.problem == '' and third.service_url == f'{URL}/iiif/a/info.json'  # a choice


def test_image_services_of_version_2_in_a_version_3_manifest():
    data = manifest(3, URL, [dict(CANVASES[0], service_type='ImageService2')])
    service = data['items'][0]['items'][0]['items'][0]['body']['service'][0]
    service['@id'], service['@type'] = service.pop('id'), service.pop('type')
    assert read_manifest(data, 'm.json').canvases[0].service_url == f'{URL}/iiif/a/info.json'


def test_not_a_manifest_or_empty(tmp_path):
    with pytest.raises(IIIFError, match='m.json: not a IIIF Presentation manifest'):
        read_manifest({'type': 'Collection'}, 'm.json')
    with pytest.raises(IIIFError, match='m.json: the manifest has no canvases'):
        read_manifest(manifest(3, URL, []), 'm.json')
    (tmp_path / 'bad.json').write_text('{"type": "Manifest", ')
    with pytest.raises(IIIFError, match=r'bad\.json: the manifest could not be read'):
        load_manifest(str(tmp_path / 'bad.json'), None)
    (tmp_path / 'good.json').write_text(json.dumps(manifest(2, URL, CANVASES)))
    assert len(load_manifest(str(tmp_path / 'good.json'), None).canvases) == 2
