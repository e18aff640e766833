# UPerNet on a timm Swin-Tiny pyramid (strides 4, 8, 16, 32).
# Pretrained weights: timm's `swin_tiny_patch4_window7_224.ms_in22k` from the Hugging Face hub
# (pretrained_weights below; `.ms_in1k` fits too; tools/fetch_weights.py), given as a local
# path: model.pretrained='/path/model.safetensors'. MMPretrain/MMSeg Swin checkpoints and
# Microsoft's original ones load too. Training never downloads anything.
_base_ = ['./upernet_convnext_tiny.py']
pretrained_weights = ('https://huggingface.co/timm/swin_tiny_patch4_window7_224.ms_in22k/'
                      'resolve/main/model.safetensors')
crop_size = (256, 256)
model = dict(
    backbone=dict(
        _delete_=True,
        type='TimmPyramidBackbone',
        model_name='swin_tiny_patch4_window7_224',
        # Swin plans its windows and shifts for img_size (the training crop); with
        # strict_img_size=False it accepts any input size, so whole-image inference works.
        img_size=crop_size,
        strict_img_size=False,
        drop_path_rate=0.3),  # MMSeg's ADE20K recipe for Swin-T
    # TimmPyramidBackbone(...).out_channels; tests/test_configs checks them.
    decode_head=dict(in_channels=[96, 192, 384, 768]),
    auxiliary_head=dict(in_channels=384))
