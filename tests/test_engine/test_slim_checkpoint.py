"""slim_checkpoint: a training checkpoint without its training state, the same bytes (and
digest) wherever and however often the same checkpoint is published."""
import hashlib

import pytest
import torch

from mmseg_heritage.engine import slim_checkpoint


def test_the_same_checkpoint_gives_the_same_file_wherever_it_is_written(tmp_path):
    source = tmp_path / 'iter_4.pth'
    torch.save(dict(meta=dict(iter=4), state_dict=dict(w=torch.arange(6.0)),
                    optimizer=dict(state=dict(m=torch.ones(6)))), source)
    first = slim_checkpoint(source, tmp_path / 'a' / 'model.pth')
    second = slim_checkpoint(source, tmp_path / 'b' / 'model-copy.pth')
    assert first == second == hashlib.sha256((tmp_path / 'a/model.pth').read_bytes()).hexdigest()
    slim = torch.load(tmp_path / 'b/model-copy.pth', weights_only=True)
    assert set(slim) == {'meta', 'state_dict'} and torch.equal(slim['state_dict']['w'],
                                                               torch.arange(6.0))
    assert sorted(path.name for path in (tmp_path / 'a').iterdir()) == ['model.pth']
    with pytest.raises(FileNotFoundError, match='missing.pth: no such checkpoint'):
        slim_checkpoint(tmp_path / 'missing.pth', tmp_path / 'c.pth')
