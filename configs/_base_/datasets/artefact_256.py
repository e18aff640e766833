# ARTeFACT at 256 x 256 crops: artefact_384.py (layout, conversion with --max-long-side 1024,
# loaders, metrics) with the crop and the resize scale scaled down by 2/3.
_base_ = ['./artefact_384.py']
scale = (1024, 512)  # (4, 2) crops, as in artefact_384.py
train_pipeline = [
    # The training cache (see artefact_384.py), shrunk to fit scale x 2.0.
    dict(type='LoadCachedImageAndAnnotations', fit=(2048, 1024), cache_dir=None),
    dict(type='RandomResize', scale=scale, ratio_range=(0.5, 2.0), keep_ratio=True),
    dict(type='RareClassCrop', crop_size=(256, 256), prob=0.5,
         class_weights={{_base_.class_weights_file}}),
    dict(type='RandomFlip', prob=0.5, direction=['horizontal', 'vertical']),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackArtefactInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=scale, keep_ratio=True),
    dict(type='LoadArtefactAnnotations'),
    dict(type='PackArtefactInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
