"""Test helper imported by training runs (custom_imports): the process SIGKILLs itself.

``KILL_AFTER_ITER=N`` kills it right after training iteration N; ``KILL_WHILE_SAVING=N`` kills
it halfway through writing the checkpoint of iteration N. Unset, the hook does nothing, so
interrupted and uninterrupted runs share one config.
"""
import os
import signal

from mmengine.fileio import LocalBackend
from mmengine.hooks import Hook
from mmseg.registry import HOOKS


def _kill() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


@HOOKS.register_module()
class KillHook(Hook):

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
        if os.environ.get('KILL_AFTER_ITER') == str(runner.iter + 1):
            _kill()

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        if os.environ.get('KILL_WHILE_SAVING') != str(checkpoint['meta']['iter']):
            return

        def write_half_then_die(backend, obj: bytes, filepath) -> None:
            with open(filepath, 'wb') as file:
                file.write(obj[:len(obj) // 2])
                file.flush()
            _kill()

        LocalBackend.put = write_half_then_die
