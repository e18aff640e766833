from .artefact_metric import (SCHEMA_VERSION, ArtefactMetric, bootstrap_miou, collapse,
                              confusion_matrix, scores_from_confusion)

__all__ = ['ArtefactMetric', 'SCHEMA_VERSION', 'bootstrap_miou', 'collapse', 'confusion_matrix',
           'scores_from_confusion']
