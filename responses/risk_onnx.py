"""The MiniLM risk reader's forward pass as an ONNX graph, run by ONNX Runtime.

The reader's network (``responses.risk_encoder.EncoderNet``: BERT embeddings, six encoder
blocks and a sigmoid head over [mean; CLS]) costs 11-12 ms a message on these cores in
TensorFlow's eager/graph runtime, most of it per-op overhead rather than arithmetic (a
17-token message is ~0.36 GFLOP). ONNX Runtime runs the same arithmetic, on the same float32
weights, in 3-4 ms (``bench/safety_bench.py`` prints the screen's latency). The graph is built
in memory at load time from the loaded Keras weights, so no second copy of the weights is
committed and the two paths cannot drift apart (a test checks they agree to 1e-5).

Operators follow the ONNX operator specification (https://onnx.ai/onnx/operators/): opset 20
for ``Gelu`` (exact, erf-based, as ``tf.nn.gelu(approximate=False)``) and opset 17 for
``LayerNormalization``; the block is BERT's post-LayerNorm encoder block (Devlin et al. 2019),
as ``emotion.text.encoder.Block.infer``.

Raises ``RiskModelError`` (from ``build_forward``) when ``onnx`` or ``onnxruntime`` is not
installed or the graph does not load; the reader then keeps its TensorFlow forward pass.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from responses.risk_model import RiskModelError

#: ONNX opset: 20 is the first with the ``Gelu`` operator.
OPSET = 20
#: IR version ONNX Runtime 1.2x reads for opset 20.
IR_VERSION = 9
LN_EPS = 1e-12

F32 = npt.NDArray[np.float32]


@dataclass(frozen=True)
class BlockWeights:
    """One encoder block's weights, kernels as (in, out) float32 (Keras layout)."""

    query: tuple[F32, F32]
    key: tuple[F32, F32]
    value: tuple[F32, F32]
    attn_out: tuple[F32, F32]
    attn_norm: tuple[F32, F32]
    ffn_in: tuple[F32, F32]
    ffn_out: tuple[F32, F32]
    ffn_norm: tuple[F32, F32]


@dataclass(frozen=True)
class EncoderWeights:
    """Everything the forward pass needs: the word table (vocab, hidden; float16 as loaded,
    cast to float32 after the lookup as in ``Embeddings.infer``), position (512, hidden) and
    token-type (hidden,) embeddings, the embedding LayerNorm (gamma, beta), the blocks, the
    head (kernel (2 * hidden, outputs), bias) and the number of attention heads."""

    word: npt.NDArray[np.float16]
    position: F32
    token_type: F32
    norm: tuple[F32, F32]
    blocks: Sequence[BlockWeights]
    head: tuple[F32, F32]
    heads: int


class _Graph:
    """Accumulates ONNX nodes and initializers; every output gets a fresh name."""

    def __init__(self) -> None:
        from onnx import helper, numpy_helper

        self._helper = helper
        self._numpy_helper = numpy_helper
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self._count = 0

    def const(self, name: str, value: npt.ArrayLike) -> str:
        self.initializers.append(self._numpy_helper.from_array(np.asarray(value), name))
        return name

    def op(self, op_type: str, inputs: Sequence[str], **attributes: Any) -> str:
        self._count += 1
        out = f"t{self._count}"
        self.nodes.append(self._helper.make_node(op_type, list(inputs), [out], **attributes))
        return out

    def dense(self, x: str, weights: tuple[F32, F32], name: str) -> str:
        kernel = self.const(f"{name}.kernel", weights[0])
        return self.op(
            "Add", [self.op("MatMul", [x, kernel]), self.const(f"{name}.bias", weights[1])]
        )

    def layer_norm(self, x: str, weights: tuple[F32, F32], name: str) -> str:
        gamma = self.const(f"{name}.gamma", weights[0])
        beta = self.const(f"{name}.beta", weights[1])
        return self.op("LayerNormalization", [x, gamma, beta], axis=-1, epsilon=LN_EPS)


def encoder_graph(weights: EncoderWeights) -> bytes:
    """The serialised ONNX model: inputs ``ids`` (batch, tokens) int64 and ``mask`` (batch,
    tokens) float32 (1 for a token, 0 for padding); output ``scores`` (batch, outputs), the
    head's sigmoid probabilities. Raises ImportError without the ``onnx`` package."""
    from onnx import TensorProto, helper

    hidden = int(weights.position.shape[1])
    width = hidden // weights.heads
    g = _Graph()
    g.const("split_heads", np.array([0, 0, weights.heads, width], np.int64))
    g.const("join_heads", np.array([0, 0, hidden], np.int64))
    g.const("scale", np.array(1.0 / math.sqrt(width), np.float32))
    g.const("masked", np.array(-1e4, np.float32))  # as Block.infer: (1 - mask) * -1e4
    g.const("one", np.array(1.0, np.float32))
    g.const("axis_0", np.array([0], np.int64))
    g.const("axis_1", np.array([1], np.int64))
    g.const("axis_2", np.array([2], np.int64))
    g.const("axes_1_2", np.array([1, 2], np.int64))
    g.const("first", np.array(0, np.int64))

    # Embeddings: word rows (float16 -> float32) + positions [0, length) + token type 0.
    length = g.op("Shape", ["ids"], start=1, end=2)
    positions = g.op("Slice", [g.const("position", weights.position), "axis_0", length, "axis_0"])
    words = g.op("Cast", [g.op("Gather", [g.const("word", weights.word), "ids"])], to=1)
    h = g.op("Add", [g.op("Add", [words, positions]), g.const("token_type", weights.token_type)])
    h = g.layer_norm(h, weights.norm, "embeddings.norm")
    # Attention bias (batch, 1, 1, tokens): 0 for tokens, -1e4 for padding.
    bias = g.op("Unsqueeze", [g.op("Mul", [g.op("Sub", ["one", "mask"]), "masked"]), "axes_1_2"])

    for i, block in enumerate(weights.blocks):
        heads = []
        for part in ("query", "key", "value"):
            x = g.dense(h, getattr(block, part), f"block_{i}.{part}")
            x = g.op("Reshape", [x, "split_heads"])
            heads.append(g.op("Transpose", [x], perm=[0, 2, 1, 3]))  # (batch, heads, tokens, w)
        q, k, v = heads
        scores = g.op("MatMul", [q, g.op("Transpose", [k], perm=[0, 1, 3, 2])])
        scores = g.op("Add", [g.op("Mul", [scores, "scale"]), bias])
        context = g.op("MatMul", [g.op("Softmax", [scores], axis=-1), v])
        context = g.op("Reshape", [g.op("Transpose", [context], perm=[0, 2, 1, 3]), "join_heads"])
        attended = g.dense(context, block.attn_out, f"block_{i}.attn_out")
        h = g.layer_norm(g.op("Add", [h, attended]), block.attn_norm, f"block_{i}.attn_norm")
        ffn = g.op("Gelu", [g.dense(h, block.ffn_in, f"block_{i}.ffn_in")])  # exact (erf)
        ffn = g.dense(ffn, block.ffn_out, f"block_{i}.ffn_out")
        h = g.layer_norm(g.op("Add", [h, ffn]), block.ffn_norm, f"block_{i}.ffn_norm")

    # Head over [masked mean; CLS] of the last block, as EncoderNet.upper.
    weights_3d = g.op("Unsqueeze", ["mask", "axis_2"])
    total = g.op("ReduceSum", [g.op("Mul", [h, weights_3d]), "axis_1"], keepdims=0)
    count = g.op("Max", [g.op("ReduceSum", [weights_3d, "axis_1"], keepdims=0), "one"])
    features = g.op(
        "Concat", [g.op("Div", [total, count]), g.op("Gather", [h, "first"], axis=1)], axis=-1
    )
    logits = g.dense(features, weights.head, "head")
    g.nodes.append(helper.make_node("Sigmoid", [logits], ["scores"]))
    outputs = int(weights.head[0].shape[1])
    graph = helper.make_graph(
        g.nodes,
        "attune_risk_encoder",
        [
            helper.make_tensor_value_info("ids", TensorProto.INT64, [None, None]),
            helper.make_tensor_value_info("mask", TensorProto.FLOAT, [None, None]),
        ],
        [helper.make_tensor_value_info("scores", TensorProto.FLOAT, [None, outputs])],
        initializer=g.initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = IR_VERSION
    data: bytes = model.SerializeToString()
    return data


class OnnxForward:
    """``forward(ids, mask) -> scores``: (batch, tokens) int and float arrays in, (batch,
    outputs) float32 sigmoid scores out, on an ONNX Runtime CPU session of ``threads``
    intra-op threads. Thread-safe for concurrent ``run`` calls (ONNX Runtime's guarantee)."""

    def __init__(self, model: bytes, threads: int = 1) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # No busy-waiting: the bot's other work (the event loop, the emotion models) shares
        # these two cores, and spinning threads would take their time.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3  # warnings and up only
        self._session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])

    def __call__(self, ids: npt.NDArray[np.int32], mask: F32) -> F32:
        feeds = {"ids": ids.astype(np.int64, copy=False), "mask": mask.astype(np.float32)}
        scores = self._session.run(["scores"], feeds)[0]
        return np.asarray(scores, dtype=np.float32)


def build_forward(weights: EncoderWeights, threads: int = 1) -> OnnxForward:
    """An ONNX Runtime forward pass over ``weights``; RiskModelError when ``onnx`` or
    ``onnxruntime`` is missing or the session does not build."""
    try:
        return OnnxForward(encoder_graph(weights), threads)
    except ImportError as error:
        raise RiskModelError(f"ONNX Runtime path unavailable ({error})") from error
    except Exception as error:  # onnxruntime raises its own Fail/InvalidGraph types
        raise RiskModelError(
            f"ONNX graph does not load ({type(error).__name__}: {error})"
        ) from error
