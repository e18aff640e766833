# Runtime shared by every config. The plugin is imported through custom_imports, so MMSeg's
# stock tools (train.py, test.py, MMSegInferencer) run these configs unchanged.
custom_imports = dict(imports=['mmseg_heritage'], allow_failed_imports=False)
default_scope = 'mmseg'
env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'),
)
# Scalars (and pictures from the visualisation hook) go to work_dir/<timestamp>/vis_data, as
# JSON and as TensorBoard events (`tensorboard --logdir work_dirs`). To switch TensorBoard off,
# a config sets `visualizer = dict(vis_backends=[dict(type='LocalVisBackend')])`.
vis_backends = [dict(type='LocalVisBackend'), dict(type='TensorboardVisBackend')]
visualizer = dict(type='ArtefactVisualizer', vis_backends=vis_backends, name='visualizer')
log_processor = dict(by_epoch=False)
log_level = 'INFO'
load_from = None
resume = False
tta_model = dict(type='SegTTAModel')
# The hooks that keep checkpoints safe and runs resumable (SafeCheckpointHook,
# IterationSeedHook, RunProvenanceHook, AtomicCheckpointHook) are in the schedules'
# default_hooks, which configs merge key by key: overriding custom_hooks keeps them.
custom_hooks = []
