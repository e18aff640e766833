import os
import os.path as osp
from typing import Optional

from mmengine.dist import is_main_process
from mmengine.fileio import LocalBackend
from mmengine.hooks import CheckpointHook
from mmseg.registry import HOOKS

from ...utils.atomic_files import atomic_path, remove_partial_files, write_text_atomic


@HOOKS.register_module()
class AtomicCheckpointHook(CheckpointHook):
    """MMEngine's ``CheckpointHook`` whose checkpoints survive a kill at any moment.

    MMEngine deletes the oldest kept checkpoint *before* writing the new one, writes the new
    one in place and then rewrites ``last_checkpoint`` in place: a kill while saving can leave a
    truncated checkpoint, an empty ``last_checkpoint`` (``--resume`` then silently starts from
    scratch) or, with ``max_keep_ckpts=1``, no checkpoint at all. Here the new checkpoint is
    written under a temporary name and renamed when complete, ``last_checkpoint`` is replaced
    atomically, and only then is the oldest checkpoint deleted. Arguments are
    ``CheckpointHook``'s; work dirs that are not on a local disk are saved as MMEngine does.
    """

    def before_train(self, runner) -> None:
        super().before_train(runner)
        if is_main_process() and isinstance(self.file_backend, LocalBackend):
            # Partial files of a run killed while saving (never referenced by last_checkpoint).
            remove_partial_files(self.out_dir)

    def _save_checkpoint_with_step(self, runner, step: int, meta: Optional[dict]) -> None:
        if not isinstance(self.file_backend, LocalBackend):
            return super()._save_checkpoint_with_step(runner, step, meta)
        filename = self.filename_tmpl.format(step)
        self.last_ckpt = self.file_backend.join_path(self.out_dir, filename)
        runner.message_hub.update_info('last_ckpt', self.last_ckpt)
        outdated = None
        if self.max_keep_ckpts > 0 and not (self.keep_ckpt_ids
                                            and self.keep_ckpt_ids[-1] == step):
            if len(self.keep_ckpt_ids) == self.max_keep_ckpts:
                outdated = self.keep_ckpt_ids.popleft()
            self.keep_ckpt_ids.append(step)
            runner.message_hub.update_info('keep_ckpt_ids', list(self.keep_ckpt_ids))

        if not is_main_process():  # Runner.save_checkpoint writes on the main process only
            return
        with atomic_path(self.last_ckpt) as partial:
            runner.save_checkpoint(
                self.out_dir, partial.name, self.file_client_args,
                save_optimizer=self.save_optimizer,
                save_param_scheduler=self.save_param_scheduler, meta=meta,
                by_epoch=self.by_epoch, backend_args=self.backend_args, **self.args)
            with open(partial, 'rb') as file:  # on disk before it replaces anything
                os.fsync(file.fileno())
        write_text_atomic(osp.join(runner.work_dir, 'last_checkpoint'), self.last_ckpt)
        if outdated is not None:
            old = self.file_backend.join_path(self.out_dir, self.filename_tmpl.format(outdated))
            if osp.isfile(old):
                os.remove(old)
