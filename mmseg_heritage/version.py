__version__ = '0.1.0'

# The OpenMMLab versions this package is written and tested against, as (min, max-exclusive).
# mmseg 1.2.2 itself refuses mmcv >= 2.2.0, and only a source build of mmcv has the ops it imports.
REQUIRED_VERSIONS = {
    'mmcv': ('2.1.0', '2.2.0'),
    'mmengine': ('0.10.7', '1.0.0'),
    'mmsegmentation': ('1.2.2', '1.3.0'),
}
