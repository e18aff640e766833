from mmseg.datasets.transforms import PackSegInputs
from mmseg.registry import TRANSFORMS

# mmseg's defaults plus the domain of each sample, for per-material and per-content metrics.
ARTEFACT_META_KEYS = ('img_path', 'seg_map_path', 'ori_shape', 'img_shape', 'pad_shape',
                      'scale_factor', 'flip', 'flip_direction', 'reduce_zero_label',
                      'sample_id', 'material', 'content')


@TRANSFORMS.register_module()
class PackArtefactInputs(PackSegInputs):
    """``PackSegInputs`` that also keeps ``sample_id``, ``material`` and ``content``.

    Args:
        meta_keys (tuple[str]): Keys copied into the data sample's metainfo (those missing
            from a sample are skipped). Defaults to ``ARTEFACT_META_KEYS``.
    """

    def __init__(self, meta_keys=ARTEFACT_META_KEYS) -> None:
        super().__init__(meta_keys=meta_keys)
