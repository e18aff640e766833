# The built-in synthetic ARTeFACT-like dataset (make demo generates it in data/synthetic).
dataset_type = 'ArtefactDataset'
data_root = 'data/synthetic'
# What model cards and the model zoo say about the data (tools/publish_model.py, model_zoo.py).
dataset_card = dict(
    name='synthetic ARTeFACT-like artefacts', licence='apache-2.0',
    note='Trained on drawn artefacts (mmseg_heritage.datasets.generate_synthetic_dataset), not '
    'photographs: a demonstration, not a model for real collections.')
# Written by the generator beside the data (see artefact_384.py).
class_weights_file = f'{data_root}/class_weights.json'
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadArtefactAnnotations'),
    dict(type='RandomFlip', prob=0.5, direction=['horizontal', 'vertical']),
    dict(type='PackArtefactInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadArtefactAnnotations'),
    dict(type='PackArtefactInputs'),
]
train_dataloader = dict(
    batch_size=8,
    num_workers=1,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(type=dataset_type, data_root=data_root, ann_file='splits/train.txt',
                 pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=1,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, data_root=data_root, ann_file='splits/val.txt',
                 pipeline=test_pipeline))
test_dataloader = dict(
    val_dataloader, dataset=dict(val_dataloader['dataset'], ann_file='splits/test.txt'))
# Scores from one confusion matrix over the whole split (255 ignored): per class, per material
# and content, binary and coarse levels, a 95 % interval of mIoU; metrics.json and
# confusion_matrix.csv in work_dir/<timestamp>/ (mmseg_heritage/evaluation/metrics/).
val_evaluator = dict(type='ArtefactMetric')
test_evaluator = val_evaluator
