import json
import re
import shutil

import cv2
import pytest

from mmseg_heritage.evaluation.run_results import load_run
from mmseg_heritage.visualization.html_report import html_report

from helpers import REPO, run_main


def report(*args, capsys=None):
    return run_main(REPO / 'tools/report.py', *args, capsys=capsys)


@pytest.fixture(scope='module')
def two_runs(trained_work_dir, tmp_path_factory):
    """The trained work dir and a copy of it elsewhere under the same folder name."""
    copy = tmp_path_factory.mktemp('other') / trained_work_dir.name
    shutil.copytree(trained_work_dir, copy)
    return trained_work_dir, copy


@pytest.fixture(scope='module')
def report_page(two_runs, tmp_path_factory):
    out = tmp_path_factory.mktemp('report') / 'report.html'
    assert report(*two_runs, '--out', out, '--samples', '2').returncode == 0
    return out


def test_page_holds_every_section_and_only_embedded_pictures(report_page, two_runs):
    page = report_page.read_text()
    # No resource from anywhere but the page itself.
    assert not re.search(r'(src|href)\s*=\s*["\']?(https?:|//)', page)
    images = re.findall(r'<img [^>]*src="([^"]*)"', page)
    # Comparison chart, then per run: IoU chart, confusion matrix, curves, samples.
    assert len(images) == 1 + 2 * 4
    assert all(src.startswith('data:image/png;base64,') for src in images)
    # Both runs share a folder name: the page tells them apart by their parent folder.
    names = [f'{path.parent.name}/{path.name}' for path in two_runs]
    assert all(f'id="{name}"' in page and f'href="#{name}"' in page for name in names)
    metrics = load_run(two_runs[0]).metrics
    assert f"{metrics['overall']['mIoU']:.2f}" in page
    for name, entry in metrics['overall']['classes'].items():
        assert (f'{name} (absent)' in page) == (not entry['present'])
    assert 'Per material' in page and 'Clean / damage' in page
    assert 'The 2 test images with the lowest mIoU' in page


def test_page_opens_in_headless_chromium_without_errors(report_page, browser, tmp_path):
    browser.get(report_page.as_uri())
    state = browser.execute_script(
        'return {images: Array.from(document.images).map(i => i.complete && i.naturalWidth),'
        ' tables: document.querySelectorAll("table").length,'
        ' height: document.body.scrollHeight, text: document.body.innerText};')
    errors = [entry for entry in browser.get_log('browser')
              if entry['level'] in ('SEVERE', 'WARNING')]
    assert errors == []
    assert len(state['images']) == 9 and all(width > 100 for width in state['images'])
    assert state['tables'] >= 2 * 5 + 1 and state['height'] > 2000
    assert 'Confusion matrix' in state['text'] and 'Sample predictions' in state['text']

    shot = tmp_path / 'report.png'
    assert browser.save_screenshot(str(shot))
    picture = cv2.imread(str(shot))
    assert picture.shape[1] >= 1000
    # Not blank: text and table lines leave many dark and mid-grey pixels on the white page.
    grey = cv2.cvtColor(picture, cv2.COLOR_BGR2GRAY)
    assert grey.std() > 20 and (grey < 128).mean() > 0.01


def test_run_without_metrics_and_odd_names_are_shown_safely(tmp_path):
    work_dir = tmp_path / '<b>run'
    work_dir.mkdir()
    page = html_report([load_run(work_dir)])
    assert 'No metrics.json in this work dir' in page
    assert '<b>run' not in page and '&lt;b&gt;run' in page


def test_default_output_and_missing_work_dir(trained_work_dir, tmp_path, capsys):
    work_dir = tmp_path / 'demo'
    shutil.copytree(trained_work_dir, work_dir)
    result = report(work_dir, '--samples', '0', capsys=capsys)
    assert result.returncode == 0, result.stderr[-3000:]
    page = (work_dir / 'report.html').read_text()
    assert page.count('<img ') == 3 and 'Sample predictions' not in page

    result = report(tmp_path / 'nowhere', '--out', tmp_path / 'r.html', capsys=capsys)
    assert result.returncode == 2 and 'nowhere: no such work dir' in result.stderr
    assert not (tmp_path / 'r.html').exists()


def test_unreadable_metrics_file_is_named(tmp_path, capsys):
    folder = tmp_path / 'run' / '20260101_000000'
    folder.mkdir(parents=True)
    (folder / 'metrics.json').write_text(json.dumps({'overall': {}}))
    result = report(tmp_path / 'run', '--out', tmp_path / 'r.html', capsys=capsys)
    assert result.returncode == 2
    assert 'metrics.json: no schema_version' in result.stderr
    assert not (tmp_path / 'r.html').exists()


def test_samples_are_skipped_with_a_note_when_the_data_is_gone(trained_work_dir, synthetic_root,
                                                               tmp_path, capsys):
    copy = tmp_path / 'moved'
    shutil.copytree(trained_work_dir, copy)
    config = next(copy.glob('*.py'))
    config.write_text(config.read_text().replace(str(synthetic_root), str(tmp_path / 'gone')))
    result = report(copy, '--samples', '2', capsys=capsys)
    assert result.returncode == 0, result.stderr[-3000:]
    assert 'No sample predictions' in result.stderr and 'gone' in result.stderr
    page = (copy / 'report.html').read_text()
    assert page.count('No sample predictions') == 1 and page.count('<img ') == 3
