"""The expression CNN: a compact VGG-style network with BatchNorm for 48x48 grayscale faces.

Why this shape: FER-2013 is small (28k noisy faces) and training runs on two CPU cores, so the
network spends little compute at full resolution (one convolution before the first pooling,
where a second would cost a fifth of the whole forward pass) and most of its parameters in the
low-resolution stages. Global average pooling makes it fully convolutional, so it trains on
random crops and predicts on the whole 48x48 face.
"""

from __future__ import annotations

from typing import Any

import keras
from keras import layers

from emotion.face.preprocess import INPUT_SIZE

__all__ = ["INPUT_SIZE", "build_network"]


def _conv_bn_relu(x: Any, filters: int, name: str) -> Any:
    x = layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"{name}_conv")(x)
    x = layers.BatchNormalization(name=f"{name}_bn")(x)
    return layers.ReLU(name=f"{name}_relu")(x)


def build_network(width: int = 32, dropout: float = 0.4, n_classes: int = 7) -> keras.Model:
    """Build the classifier; input is [N, H, W, 1] grey pixels as floats 0..255, output logits.

    Scaling to -1..1 happens inside the model so every caller feeds raw pixel values.
    """
    inputs = keras.Input((None, None, 1), name="pixels")
    x = layers.Rescaling(1.0 / 127.5, offset=-1.0, name="scale")(inputs)
    x = _conv_bn_relu(x, width, "s1a")
    x = layers.MaxPooling2D(name="s1_pool")(x)
    for stage, mult in ((2, 2), (3, 4), (4, 8)):
        x = _conv_bn_relu(x, width * mult, f"s{stage}a")
        x = _conv_bn_relu(x, width * mult, f"s{stage}b")
        if stage == 3:
            x = _conv_bn_relu(x, width * mult, f"s{stage}c")
        x = layers.MaxPooling2D(name=f"s{stage}_pool")(x)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    x = layers.Dropout(dropout, name="dropout")(x)
    x = layers.Dense(width * 8, use_bias=False, name="fc")(x)
    x = layers.BatchNormalization(name="fc_bn")(x)
    x = layers.ReLU(name="fc_relu")(x)
    x = layers.Dropout(dropout / 2, name="dropout2")(x)
    outputs = layers.Dense(n_classes, name="logits")(x)
    return keras.Model(inputs, outputs, name="expression_cnn")
