"""A museum's manifest with our annotation pages on its canvases (Presentation 3 and 2)."""
import copy
import json

import iiif_prezi3
import pytest

from mmseg_heritage.apis import annotated_manifest
from mmseg_heritage.apis.reports.iiif_manifests import check_base_url

MUSEUM = 'https://museum.example/iiif/object-7'
OURS = 'https://conservation.example/damage/annotations'


def museum_manifest() -> dict:
    """Two canvases; the first already has the museum's own transcription."""
    def canvas(number, **more):
        canvas_id = f'{MUSEUM}/canvas/{number}'
        return dict(id=canvas_id, type='Canvas', width=4000, height=3000, items=[dict(
            id=f'{canvas_id}/page', type='AnnotationPage', items=[dict(
                id=f'{canvas_id}/image', type='Annotation', motivation='painting',
                target=canvas_id, body=dict(id=f'{MUSEUM}/image/{number}/full/max/0/default.jpg',
                                            type='Image', format='image/jpeg'))])], **more)
    return {'@context': 'http://iiif.io/api/presentation/3/context.json',
            'id': f'{MUSEUM}/manifest', 'type': 'Manifest', 'label': {'en': ['Object 7']},
            'items': [canvas(1, annotations=[dict(id=f'{MUSEUM}/transcription/1',
                                                  type='AnnotationPage')]), canvas(2)]}


def test_presentation_3_canvases_list_our_pages():
    manifest = museum_manifest()
    original = copy.deepcopy(manifest)
    pages = {f'{MUSEUM}/canvas/1': f'{OURS}/1.json', f'{MUSEUM}/canvas/2': f'{OURS}/2.json'}
    annotated = annotated_manifest(manifest, pages)
    iiif_prezi3.Manifest.model_validate_json(json.dumps(annotated))
    assert manifest == original  # a copy: the museum's stays as it was
    first, second = annotated['items']
    assert first['annotations'] == [dict(id=f'{MUSEUM}/transcription/1', type='AnnotationPage'),
                                    dict(id=f'{OURS}/1.json', type='AnnotationPage')]
    assert second['annotations'] == [dict(id=f'{OURS}/2.json', type='AnnotationPage')]
    assert annotated_manifest(annotated, pages) == annotated  # annotating again adds nothing


def test_presentation_2_canvases_get_other_content():
    canvas = {'@id': f'{MUSEUM}/canvas/1', '@type': 'sc:Canvas', 'width': 4000, 'height': 3000}
    manifest = {'@context': 'http://iiif.io/api/presentation/2/context.json',
                '@id': f'{MUSEUM}/manifest', '@type': 'sc:Manifest', 'label': 'Object 7',
                'sequences': [{'@type': 'sc:Sequence', 'canvases': [canvas]}]}
    annotated = annotated_manifest(manifest, {canvas['@id']: f'{OURS}/1.json'})
    assert annotated['sequences'][0]['canvases'][0]['otherContent'] == [
        {'@id': f'{OURS}/1.json', '@type': 'sc:AnnotationList'}]


def test_every_manifest_the_reader_takes_can_be_annotated():
    # Identified by its type alone, an https context, canvases without a type: as read.
    from mmseg_heritage.apis.iiif.presentation_manifest import read_manifest
    manifest = museum_manifest()
    manifest['@context'] = 'https://iiif.io/api/presentation/3/context.json'
    del manifest['items'][1]['type']
    read = read_manifest(manifest, 'manifest.json')
    pages = {canvas.id: f'{OURS}/{number}.json' for number, canvas in enumerate(read.canvases)}
    annotated = annotated_manifest(read.json, pages, read.version)
    assert [canvas['annotations'][-1]['id'] for canvas in annotated['items']] == \
        [f'{OURS}/0.json', f'{OURS}/1.json']


def test_what_cannot_be_annotated_is_named():
    with pytest.raises(ValueError, match=f"{MUSEUM}/manifest: no canvas '{MUSEUM}/canvas/9'"):
        annotated_manifest(museum_manifest(), {f'{MUSEUM}/canvas/9': f'{OURS}/9.json'})
    with pytest.raises(ValueError, match='not a IIIF Presentation 2 or 3 manifest'):
        annotated_manifest({'id': 'https://example.org/x', 'type': 'Collection'}, {})
    assert check_base_url('https://museum.example/damage') == 'https://museum.example/damage/'
    for bad in ('damage_maps/', 'file:///data/damage/', 'https:///no-host'):
        with pytest.raises(ValueError, match='is not the http\\(s\\) address of a folder'):
            check_base_url(bad)
