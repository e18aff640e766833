from pathlib import Path

import pytest

from mmseg_heritage.datasets.metadata import read_metadata, sanitise_id, slug, write_metadata


@pytest.mark.parametrize('raw', ['../../etc/passwd', '/abs/path', 'a b', '.hidden', '', 'x' * 300,
                                 'ünïcode', 'a\\b', 'con:1'])
def test_sanitised_ids_are_plain_file_names(raw, tmp_path):
    safe = sanitise_id(raw)
    assert safe and not safe.startswith('.') and '/' not in safe and '\\' not in safe
    assert len(safe) <= 110
    assert (tmp_path / safe).resolve().parent == tmp_path.resolve()


def test_safe_ids_are_kept_and_changed_ids_do_not_collide():
    assert sanitise_id('cljmrkz5o342f07clh6hz82sk') == 'cljmrkz5o342f07clh6hz82sk'
    assert sanitise_id('a b') != sanitise_id('a_b') == 'a_b'
    assert sanitise_id('a/b') != sanitise_id('a b')


def test_slug():
    assert slug('Lime plaster') == 'lime_plaster' and slug('Film emulsion') == 'film_emulsion'


def test_metadata_round_trip_and_older_columns(tmp_path):
    rows = [dict(id='a', source_id='a', original_id='A', material='Paper', content='Line art',
                 type='t', width=3, height=4, original_width=30, original_height=40)]
    write_metadata(tmp_path, rows)
    assert read_metadata(tmp_path) == rows
    Path(tmp_path / 'old.csv').write_text('id,material,content,width,height\nb,Glass,x,5,6\n')
    [row] = read_metadata(tmp_path / 'old.csv')
    assert row['source_id'] == row['original_id'] == 'b' and row['type'] == ''
    assert row['width'] == 5


@pytest.mark.parametrize('text, problem', [
    ('material\nPaper\n', 'no "id" column'),
    ('id,width\na,wide\n', 'line 2: width'),
    ('id\na\na\n', "'a' appears twice"),
])
def test_bad_metadata_is_named(tmp_path, text, problem):
    (tmp_path / 'metadata.csv').write_text(text)
    with pytest.raises(ValueError, match=problem) as error:
        read_metadata(tmp_path)
    assert 'metadata.csv' in str(error.value)


def test_missing_metadata_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match='metadata.csv'):
        read_metadata(tmp_path)
