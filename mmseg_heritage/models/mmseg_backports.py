"""A fix that MMSegmentation merged after its last release (1.2.2), applied when the plugin
loads.

MMSeg 1.2.2's decode heads build their losses with its own ``build_loss``, which MMSeg itself
deprecated: every model build (each ``tools/test.py`` and ``tools/infer.py`` run) printed
"``build_loss`` would be deprecated soon". MMSeg's main branch builds them through the registry
with ``MODELS.build`` (open-mmlab/mmsegmentation#3587). ``build_loss`` is that same call
(``LOSSES`` is ``MODELS``) plus the warning, so the heads now make the call the fix makes.
"""
from mmseg.models.decode_heads import decode_head, enc_head, vpd_depth_head
from mmseg.registry import MODELS


def build_losses_through_the_registry() -> None:
    """Point the heads that call MMSeg's deprecated ``build_loss`` at ``MODELS.build``."""
    for module in (decode_head, enc_head, vpd_depth_head):
        module.build_loss = MODELS.build
