"""mmseg_heritage: damage segmentation of heritage artefacts on top of MMSegmentation.

Importing the package checks the OpenMMLab versions it was written against and registers all
of its components into MMSeg's registries, so configs only need
``custom_imports=dict(imports=['mmseg_heritage'], allow_failed_imports=False)``.
"""
from importlib import metadata

from packaging.version import Version

from .version import REQUIRED_VERSIONS, __version__


def check_versions() -> None:
    """Raise ``ImportError`` naming every OpenMMLab package whose version is wrong.

    Reads installed distributions' metadata, so it runs before mmseg's own import-time assertion
    and says what to install instead of failing deep inside mmseg.
    """
    problems = []
    for package, (low, high) in REQUIRED_VERSIONS.items():
        try:
            found = metadata.version(package)
        except metadata.PackageNotFoundError:
            found = None
        if found is None or not Version(low) <= Version(found) < Version(high):
            problems.append(f'  {package}: found {found or "nothing"}, '
                            f'needs >={low},<{high}')
    if problems:
        raise ImportError(
            'mmseg_heritage was written against other OpenMMLab versions:\n' +
            '\n'.join(problems) +
            '\nRun `make install` in the mmseg_heritage checkout, or install '
            'mmengine==0.10.7, mmsegmentation==1.2.2 and mmcv==2.1.0 built from source '
            'with its ops (MMCV_WITH_OPS=1; see README.md).')


check_versions()

from . import datasets, engine, evaluation, models, visualization  # noqa: E402,F401  registers

__all__ = ['__version__', 'check_versions']
