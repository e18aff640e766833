from .damage_copy_paste import DamageCopyPaste
from .load_artefact_annotations import LoadArtefactAnnotations
from .load_cached_image_and_annotations import LoadCachedImageAndAnnotations
from .pack_artefact_inputs import ARTEFACT_META_KEYS, PackArtefactInputs
from .rare_class_crop import RareClassCrop
from .thin_damage_paste import ThinDamagePaste

__all__ = ['ARTEFACT_META_KEYS', 'DamageCopyPaste', 'LoadArtefactAnnotations',
           'LoadCachedImageAndAnnotations', 'PackArtefactInputs', 'RareClassCrop',
           'ThinDamagePaste']
