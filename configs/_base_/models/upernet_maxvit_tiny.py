# UPerNet on a timm MaxViT-Tiny pyramid (strides 4, 8, 16, 32; timm's stride-2 stem is dropped).
# Pretrained weights: timm's `maxvit_tiny_tf_384.in1k` from the Hugging Face hub
# (pretrained_weights below; `maxvit_tiny_tf_224.in1k` fits too; tools/fetch_weights.py), given
# as a local path: model.pretrained='/path/model.safetensors'. timm's checkpoint filter resizes
# the relative position tables to `crop_size`. Training never downloads anything.
_base_ = ['./upernet_convnext_tiny.py']
pretrained_weights = ('https://huggingface.co/timm/maxvit_tiny_tf_384.in1k/'
                      'resolve/main/model.safetensors')
# MaxViT's windows and grids are img_size / 32 wide: the model is built for one input size.
# Train on crops of crop_size and infer by sliding windows of that same size, with test images
# padded up to at least one window. To change the size, set backbone.img_size,
# data_preprocessor.size, data_preprocessor.test_cfg.size and test_cfg.crop_size together.
crop_size = (256, 256)
model = dict(
    data_preprocessor=dict(
        size=crop_size, size_divisor=None, test_cfg=dict(size=crop_size, size_divisor=None)),
    backbone=dict(
        _delete_=True,
        type='TimmPyramidBackbone',
        model_name='maxvit_tiny_tf_384',
        img_size=crop_size,
        drop_path_rate=0.2),  # the MaxViT paper's rate for MaxViT-T
    # TimmPyramidBackbone(...).out_channels; tests/test_configs checks them.
    decode_head=dict(in_channels=[64, 128, 256, 512]),
    auxiliary_head=dict(in_channels=256),
    test_cfg=dict(mode='slide', crop_size=crop_size, stride=(171, 171)))
