"""Inference images/s of one crop and of a large image by sliding windows, MMSeg's and ours."""
from typing import Callable

import torch
from mmengine.config import ConfigDict
from mmseg.structures import SegDataSample

from ..apis import predict_labels
from .in_memory_crops import packed_image
from .process_memory import peak_rss_mib, reset_peak_rss, rss_mib
from .speed_config import sliding_window
from .timing import alternate, per_second, timed


def predict(model, image: torch.Tensor) -> torch.Tensor:
    """Class ids (H x W) of one BGR uint8 3 x H x W image through ``test_step``, the data
    preprocessor and the model's ``test_cfg`` included."""
    shape = tuple(image.shape[-2:])
    data_sample = SegDataSample(metainfo=dict(ori_shape=shape, img_shape=shape))
    result = model.test_step(dict(inputs=[image], data_samples=[data_sample]))
    return result[0].pred_sem_seg.data[0]


def inference_figures(model, settings: dict, clock: Callable[[], float]) -> dict:
    """Whole-image and sliding-window inference, MMSeg's slide inference against ours.

    Args:
        model: A segmentor in eval mode under ``torch.no_grad``; its ``test_cfg`` is set to
            ``whole`` afterwards.
        settings (dict): ``crop`` (the whole image's side and, for ``whole`` models, the
            window's), ``slide_size`` (H, W), ``warmup``, ``iters`` and ``rounds``.
        clock (callable): Time source.

    Returns:
        dict: ``infer_whole_images_per_s``, ``infer_slide_images_per_s`` (MMSeg),
        ``infer_slide_tiled_images_per_s`` (ours), ``slide_agreement`` (share of equal labels)
        and ``slide`` (image, window, stride and each one's extra peak RSS).
    """
    model.eval()
    crop = settings['crop']
    whole = packed_image(0, crop)['inputs']
    slide_cfg = sliding_window(model.test_cfg or {}, crop)
    model.test_cfg = ConfigDict(mode='whole')
    timed(lambda: predict(model, whole), settings['warmup'], clock)
    seconds = [timed(lambda: predict(model, whole), settings['iters'], clock)
               for _ in range(settings['rounds'])]
    figures = dict(infer_whole_images_per_s=per_second(settings['iters'], seconds))

    model.test_cfg = ConfigDict(slide_cfg)
    image = packed_image(1, tuple(settings['slide_size']))['inputs']
    shape = tuple(image.shape[-2:])
    runs = dict(
        stock=lambda: predict(model, image).cpu().numpy(),
        tiled=lambda: predict_labels(model, image, shape, slide_cfg['crop_size'],
                                     slide_cfg['stride']))
    labels, extra_peak = {}, {}
    for name, run in runs.items():  # untimed first runs, each measuring its extra memory
        start_rss = rss_mib()
        reset = reset_peak_rss()
        labels[name] = run()
        extra_peak[name] = round(peak_rss_mib() - start_rss, 1) if reset else None
    seconds = alternate({name: lambda run=run: timed(run, 1, clock)
                         for name, run in runs.items()}, settings['rounds'])
    figures.update(
        infer_slide_images_per_s=per_second(1, seconds['stock']),
        infer_slide_tiled_images_per_s=per_second(1, seconds['tiled']),
        slide_agreement=round(float((labels['stock'] == labels['tiled']).mean()), 6),
        slide=dict(image=list(shape), crop_size=list(slide_cfg['crop_size']),
                   stride=list(slide_cfg['stride']), extra_peak_rss_mib=extra_peak))
    model.test_cfg = ConfigDict(mode='whole')  # for the switches' whole-image inference
    return figures
