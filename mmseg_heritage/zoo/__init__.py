"""Trained models for others: publishing, loading by name, pretrained weights, the model zoo.

Nothing here downloads unless asked (``download=True``, ``PretrainedWeights.fetch``).
"""
from .config_summary import ConfigSummary, summarise_config
from .hub_cache import check_cached_file, hub_file, hub_snapshot, is_hub_id
from .pretrained_weights import PretrainedWeights, override_config, pretrained_weights
from .published_model import (PublishedModel, config_and_checkpoint, find_published_model,
                              is_config_file, publish_model, push_to_hub)
from .starter_model_card import starter_model_card

__all__ = [
    'ConfigSummary', 'PretrainedWeights', 'PublishedModel', 'check_cached_file',
    'config_and_checkpoint', 'find_published_model', 'hub_file', 'hub_snapshot',
    'is_config_file', 'is_hub_id', 'override_config', 'pretrained_weights', 'publish_model',
    'push_to_hub', 'starter_model_card', 'summarise_config'
]
