from pathlib import Path

from setuptools import find_packages, setup


def read_requirements(name):
    lines = Path('requirements', name).read_text().splitlines()
    return [line for line in lines if line and not line.startswith('#')]


version = {}
exec(Path('mmseg_heritage/version.py').read_text(), version)

setup(
    name='mmseg_heritage',
    version=version['__version__'],
    description='Damage segmentation of heritage artefacts (ARTeFACT) for MMSegmentation',
    long_description=Path('README.md').read_text(),
    long_description_content_type='text/markdown',
    packages=find_packages(include=['mmseg_heritage', 'mmseg_heritage.*']),
    # mim (`mim train|test|search mmseg_heritage ...`) looks for the tools, configs and model
    # index in mmseg_heritage/.mim/, as MMSeg ships them: links to the checkout's folders, which
    # an editable install uses as they are and a wheel gets copies of. The condition reports'
    # viewer (OpenSeadragon) and the collection's IIIF viewer (Mirador), with their licences,
    # are copied beside reports.
    package_data={'mmseg_heritage': ['.mim/model-index.yml', '.mim/configs/**/*.py',
                                     '.mim/configs/**/*.yaml', '.mim/tools/**/*.py',
                                     '.mim/tools/**/*.sh'],
                  'mmseg_heritage.visualization': ['vendor/openseadragon/*',
                                                   'vendor/mirador/*']},
    python_requires='>=3.9',
    # torch and mmcv (built from source with ops) come from tools/install_env.sh.
    install_requires=read_requirements('runtime.txt'),
    extras_require={
        'tests': read_requirements('tests.txt'),
    },
    license='Apache-2.0',
)
