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
# Saves the message hub's history as plain data, so checkpoints load with torch's safe
# weights_only unpickler (--resume, load_from, init_model, MMSegInferencer). Keep it when
# overriding custom_hooks: custom_hooks = {{_base_.custom_hooks}} + [...]
custom_hooks = [dict(type='SafeCheckpointHook')]
