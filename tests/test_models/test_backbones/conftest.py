"""What the backbone tests share: none of them may reach the network."""
import socket

import huggingface_hub
import pytest
import timm.models._builder


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Every test here fails if anything tries to download (timm, the hub, or any socket)."""
    def refuse(*args, **kwargs):
        raise AssertionError('network access attempted')

    monkeypatch.setattr(socket.socket, 'connect', refuse)
    monkeypatch.setattr(socket, 'create_connection', refuse)
    for name in ('load_pretrained', 'load_state_dict_from_url', 'load_state_dict_from_hf',
                 'download_cached_file'):
        monkeypatch.setattr(timm.models._builder, name, refuse)
    monkeypatch.setattr(huggingface_hub, 'hf_hub_download', refuse)
