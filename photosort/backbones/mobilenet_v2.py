"""torchvision's MobileNetV2 (IMAGENET1K_V1 weights) in Keras.

Differences from Keras' own MobileNetV2 that matter for exact logits: BatchNorm epsilon 1e-5,
and stride-2 convolutions padded by one pixel on every side (torch `padding=1`), not Keras
"same" (which pads only bottom/right on even inputs).
"""

from __future__ import annotations

import keras

from photosort.backbones.porting import TorchPort, classifier_top, relu6

EMBEDDING_DIM = 1280
_EPSILON = 1e-5
_MEAN = (0.485, 0.456, 0.406)
_STD = (0.229, 0.224, 0.225)
# (expansion t, output channels c, repeats n, first stride s), torchvision's table.
_STAGES = (
    (1, 16, 1, 1),
    (6, 24, 2, 2),
    (6, 32, 3, 2),
    (6, 64, 4, 2),
    (6, 96, 3, 1),
    (6, 160, 3, 2),
    (6, 320, 1, 1),
)


def build(name: str, input_size: int) -> tuple[keras.Model, TorchPort]:
    """The whole network, input RGB 0..255 of input_size x input_size, output ImageNet logits;
    weights not yet loaded."""
    port = TorchPort()
    inputs = keras.Input((input_size, input_size, 3), name="image")
    # (x / 255 - mean) / std as one per-channel affine map.
    x = keras.layers.Rescaling(
        scale=[1 / (255 * s) for s in _STD],
        offset=[-m / s for m, s in zip(_MEAN, _STD)],
        name="normalize",
    )(inputs)
    x = _conv_bn_relu(port, x, "features.0", 32, 3, 2)
    index = 1
    for expand, filters, repeats, stride in _STAGES:
        for i in range(repeats):
            x = _inverted_residual(port, x, index, expand, filters, stride if i == 0 else 1)
            index += 1
    x = _conv_bn_relu(port, x, f"features.{index}", EMBEDDING_DIM, 1, 1)
    logits = classifier_top(port, x, "classifier.1", dropout=0.2)
    return keras.Model(inputs, logits, name=name), port


def _pad_for_torch(x, kernel: int, stride: int, name: str) -> tuple:
    """torch pads (k-1)/2 on every side; with stride 1 that equals Keras "same"."""
    if stride == 1 or kernel == 1:
        return x, "same"
    return keras.layers.ZeroPadding2D(kernel // 2, name=f"{name}_pad")(x), "valid"


def _conv_bn_relu(port: TorchPort, x, prefix: str, filters: int, kernel: int, stride: int):
    x, padding = _pad_for_torch(x, kernel, stride, prefix.replace(".", "_"))
    x = port.conv(x, f"{prefix}.0", filters, kernel, stride, padding)
    return relu6(port.bn(x, f"{prefix}.1", _EPSILON), f"{prefix.replace('.', '_')}_relu")


def _dw_bn_relu(port: TorchPort, x, prefix: str, stride: int):
    x, padding = _pad_for_torch(x, 3, stride, prefix.replace(".", "_"))
    x = port.depthwise(x, f"{prefix}.0", 3, stride, padding)
    return relu6(port.bn(x, f"{prefix}.1", _EPSILON), f"{prefix.replace('.', '_')}_relu")


def _inverted_residual(
    port: TorchPort, inputs, index: int, expand: int, filters: int, stride: int
):
    """torchvision numbers the sub-modules of `conv` 0.. whether or not there is an expansion."""
    p = f"features.{index}.conv"
    x = inputs
    step = 0
    if expand != 1:
        x = _conv_bn_relu(port, x, f"{p}.{step}", inputs.shape[-1] * expand, 1, 1)
        step += 1
    x = _dw_bn_relu(port, x, f"{p}.{step}", stride)
    x = port.conv(x, f"{p}.{step + 1}", filters, 1, 1, "same")
    x = port.bn(x, f"{p}.{step + 2}", _EPSILON)
    if stride == 1 and inputs.shape[-1] == filters:
        x = keras.layers.Add(name=f"features_{index}_add")([inputs, x])
    return x
