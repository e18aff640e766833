import pytest

import mmseg_heritage


def test_import_registers_components():
    from mmseg.registry import DATASETS, HOOKS
    assert DATASETS.get('ArtefactDataset') is mmseg_heritage.datasets.ArtefactDataset
    assert HOOKS.get('SafeCheckpointHook') is mmseg_heritage.engine.SafeCheckpointHook


def test_version_check_accepts_the_installed_stack():
    mmseg_heritage.check_versions()


@pytest.mark.parametrize('package,wrong', [('mmcv', '2.2.0'), ('mmengine', '0.9.0'),
                                           ('mmsegmentation', '1.1.0')])
def test_version_check_names_the_wrong_package(monkeypatch, package, wrong):
    real_version = mmseg_heritage.metadata.version
    monkeypatch.setattr(mmseg_heritage.metadata, 'version',
                        lambda name: wrong if name == package else real_version(name))
    with pytest.raises(ImportError) as error:
        mmseg_heritage.check_versions()
    message = str(error.value)
    assert f'{package}: found {wrong}' in message
    assert 'make install' in message
    assert message.count('found') == 1  # only the wrong one is named


def test_version_check_reports_a_missing_package(monkeypatch):
    def version(name):
        raise mmseg_heritage.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(mmseg_heritage.metadata, 'version', version)
    with pytest.raises(ImportError, match='mmcv: found nothing, needs >=2.1.0,<2.2.0'):
        mmseg_heritage.check_versions()
