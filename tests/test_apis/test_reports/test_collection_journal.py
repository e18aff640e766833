"""The journal of finished scans: lines that survive a kill, and when a scan counts as done."""
import json
import os

from mmseg_heritage.apis import CollectionJournal
from mmseg_heritage.apis.iiif import Canvas, IIIFClient, IIIFScan
from mmseg_heritage.apis.reports.collection_journal import (journal_entry, settings_key,
                                                            source_identity)


def scan(path, data=b'scan'):
    path.write_bytes(data)
    return path


def test_a_line_cut_off_by_a_kill_is_skipped_and_the_next_starts_afresh(tmp_path):
    images = {'a': scan(tmp_path / 'a.png'), 'b': scan(tmp_path / 'b.png')}
    journal = CollectionJournal(tmp_path / 'journal')
    journal.append(journal_entry(dict(name='a', status='ok'), source_identity(images['a']),
                                 'key'))
    with open(journal.path, 'ab') as file:  # killed while writing b's line
        file.write(b'{"name": "b", "status": "o')
    assert list(journal.done(images, 'key')) == ['a']
    journal.append(journal_entry(dict(name='b', status='ok'), source_identity(images['b']),
                                 'key'))
    assert sorted(journal.done(images, 'key')) == ['a', 'b']
    lines = journal.path.read_bytes().splitlines()
    assert len(lines) == 3 and json.loads(lines[2])['name'] == 'b'


def test_only_the_same_settings_and_an_unchanged_file_count_as_done(tmp_path):
    images = {'a': scan(tmp_path / 'a.png'), 'b': scan(tmp_path / 'b.png')}
    journal = CollectionJournal(tmp_path / 'journal')
    for name in images:
        journal.append(journal_entry(dict(name=name, status='ok'),
                                     source_identity(images[name]), 'key'))
    assert journal.done(images, 'other settings') == {}
    scan(images['b'], b'a new scan')
    os.utime(images['b'], ns=(1, 1))
    assert list(journal.done(images, 'key')) == ['a']
    # The newest line wins, from any process's journal.
    CollectionJournal(tmp_path / 'journal', 1, 2).append(journal_entry(
        dict(name='a', status='failed'), source_identity(images['a']), 'key'))
    assert journal.done(images, 'key')['a']['status'] == 'failed'
    # A scan no longer in the collection is not part of its report.
    assert list(journal.done({'b': images['b']}, 'key')) == []


def test_iiif_canvases_count_as_done_with_the_same_id_and_service_size(tmp_path):
    def canvas(width=300, service='http://127.0.0.1:1/iiif/a', canvas_id='c1'):
        info = {'@context': 'http://iiif.io/api/image/3/context.json', 'id': service,
                'profile': 'level2', 'width': width, 'height': 200}
        return IIIFScan(f'{service}/info.json', IIIFClient(), Canvas(canvas_id), info=info)

    journal = CollectionJournal(tmp_path / 'journal')
    journal.append(journal_entry(dict(name='a', status='ok'), source_identity(canvas()), 'key'))
    assert list(journal.done({'a': canvas()}, 'key')) == ['a']
    for changed in (canvas(width=301), canvas(service='http://127.0.0.1:1/iiif/b'),
                    canvas(canvas_id='c2')):
        assert journal.done({'a': changed}, 'key') == {}
    unreadable = IIIFScan('http://127.0.0.1:1/x/info.json', IIIFClient(), problem='gone')
    assert source_identity(unreadable) is None and journal.done({'a': unreadable}, 'key') == {}


def test_settings_keys_ignore_order_and_see_every_value():
    assert settings_key(dict(a=1, b=[2, 3])) == settings_key(dict(b=[2, 3], a=1))
    assert settings_key(dict(a=1, b=[2, 3])) != settings_key(dict(a=1, b=[2, 4]))
