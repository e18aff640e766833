# POC-5.5 with a Swin-Tiny backbone: hierarchical_upernet_convnext_tiny_256.py (256 px crops,
# losses, curriculum, schedule) with the backbone of configs/_base_/models/upernet_swin_tiny.py.
# Needs ARTeFACT converted to data/artefact. Pretrained weights: timm's
# swin_tiny_patch4_window7_224.ms_in22k (pretrained_weights), given as a local path:
# --cfg-options model.pretrained=/path/model.safetensors (tools/fetch_weights.py prints it).
# Training never downloads anything.
_base_ = ['./hierarchical_upernet_convnext_tiny_256.py']
pretrained_weights = ('https://huggingface.co/timm/swin_tiny_patch4_window7_224.ms_in22k/'
                      'resolve/main/model.safetensors')
crop_size = (256, 256)
model = dict(
    backbone=dict(
        _delete_=True,
        type='TimmPyramidBackbone',
        model_name='swin_tiny_patch4_window7_224',
        # Windows planned for the training crop; any test size works (whole-image inference).
        img_size=crop_size,
        strict_img_size=False,
        drop_path_rate=0.3),
    decode_head=dict(in_channels=[96, 192, 384, 768]))
