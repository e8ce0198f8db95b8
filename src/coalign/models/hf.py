"""Transformers models in process: base + optional LoRA adapter, chat generation, log-likelihood.

This is the model layer's view of a Hugging Face causal LM, behind the ``coalign/hf`` Inspect
provider (so every benchmark can score a corrected model). :class:`CausalLMScorer` is the one
transformers implementation of continuation log-likelihood, used by :class:`HFRuntime` and, over
the model and tokenizer it loaded, by Inspect's own ``hf/`` provider (see
:func:`coalign.models.loglik.loglik_scorer`).

The embedded SmolLM2 is shipped as a quantised GGUF file. transformers can read it (dequantising
to float32, which needs the ``gguf`` package) but flags the result as quantised and refuses to
train or save it; :func:`smollm2_hf_dir` therefore converts it once and saves a plain
transformers copy in the cache (``$COALIGN_CACHE`` or ``~/.cache/coalign``), which both training
and this runtime load.

torch, transformers and peft are imported inside functions so that importing this module (done
whenever Inspect loads coalign's providers) stays cheap.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coalign.models.gguf import ModelUnavailableError, smollm2_path
from coalign.models.loglik import LogLikelihood

SMOLLM2_SPEC = "smollm2"
TRAIN_INSTALL_HINT = "pip install 'coalign[train]'  (transformers, peft, trl, accelerate, gguf)"


class BaseModelError(RuntimeError):
    """A base model or adapter that cannot be found or loaded; the message says which and why."""


def cache_dir() -> Path:
    """coalign's cache directory: ``$COALIGN_CACHE`` or ``~/.cache/coalign``."""
    env = os.environ.get("COALIGN_CACHE")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "coalign"


_convert_lock = threading.Lock()


def smollm2_hf_dir(cache: Path | None = None) -> Path:
    """A trainable transformers copy of the embedded SmolLM2, converted once from its GGUF.

    The copy is written to a temporary directory and renamed into place, so an interrupted
    conversion never leaves a half-written model behind.
    """
    target = (cache or cache_dir()) / "smollm2-hf"
    if (target / "config.json").exists() and (target / "model.safetensors").exists():
        return target
    with _convert_lock:
        if (target / "config.json").exists() and (target / "model.safetensors").exists():
            return target
        gguf = smollm2_path()
        try:
            import gguf as _gguf  # noqa: F401  (transformers needs it to read GGUF files)
            from transformers import AutoModelForCausalLM, AutoTokenizer
        except ImportError as e:
            raise ModelUnavailableError(
                f"converting the embedded GGUF model needs transformers and gguf ({e}). "
                f"Install them with: {TRAIN_INSTALL_HINT}"
            ) from e
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".smollm2-hf.", dir=target.parent))
        try:
            tok = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
            model: Any = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name)
            # The weights are already dequantised to float32; only the flags say "quantised".
            model.hf_quantizer = None
            if hasattr(model.config, "quantization_config"):
                del model.config.quantization_config
            model.config._name_or_path = "SmolLM2-135M-Instruct (dequantised from Q4_1 GGUF)"
            model.save_pretrained(tmp)
            tok.save_pretrained(tmp)
            if target.exists():
                shutil.rmtree(target)
            os.replace(tmp, target)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return target


def resolve_base(base: str | os.PathLike[str]) -> str:
    """Turn a base-model spec into something ``from_pretrained`` loads.

    ``smollm2`` is the embedded model (converted on first use); a path must be a directory with
    a ``config.json``; anything else is passed on as a Hugging Face hub id (used from the local
    hub cache when offline).
    """
    spec = str(base)
    if spec == SMOLLM2_SPEC:
        return str(smollm2_hf_dir())
    p = Path(spec).expanduser()
    if p.exists():
        if not (p / "config.json").exists():
            raise BaseModelError(
                f"base model {spec!r}: directory has no config.json, so it is not a "
                "transformers model (for the embedded model use 'smollm2')"
            )
        return str(p)
    if spec.startswith((".", "/", "~")) or spec.count("/") > 1:
        raise BaseModelError(f"base model {spec!r}: no such directory")
    return spec


def apply_thread_setting() -> None:
    """Honour ``COALIGN_TORCH_THREADS`` (torch's intra-op threads).

    On a CPU shared with other busy processes, OpenMP threads spin-wait on each other and two
    threads can be several times slower than one; setting this to 1 avoids that.
    """
    value = os.environ.get("COALIGN_TORCH_THREADS")
    if value:
        import torch

        torch.set_num_threads(max(1, int(value)))


def load_model_and_tokenizer(
    base: str | os.PathLike[str],
    adapter: str | os.PathLike[str] | None = None,
    *,
    device: str | None = None,
    dtype: str | None = None,
    merge: bool = True,
) -> tuple[Any, Any]:
    """Load a causal LM (and a PEFT adapter on top) with its tokenizer, or raise BaseModelError."""
    try:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer
    except ImportError as e:
        raise ModelUnavailableError(f"{e}. Install with: {TRAIN_INSTALL_HINT}") from e
    apply_thread_setting()
    path = resolve_base(base)
    kwargs: dict[str, Any] = {}
    if dtype:
        kwargs["dtype"] = getattr(torch, dtype)
    try:
        tok: Any = AutoTokenizer.from_pretrained(path)
        model: Any = AutoModelForCausalLM.from_pretrained(path, **kwargs)
    except Exception as e:  # transformers raises OSError, ValueError, KeyError, ...
        raise BaseModelError(f"cannot load base model {str(base)!r} from {path}: {e}") from e
    if adapter is not None:
        ad = Path(adapter)
        if not (ad / "adapter_config.json").exists():
            raise BaseModelError(f"adapter {str(adapter)!r}: no adapter_config.json there")
        try:
            from peft import PeftModel

            model = PeftModel.from_pretrained(model, str(ad))
            if merge:
                # Folding the LoRA weights into the base makes generation as fast as the base's.
                model = model.merge_and_unload()
        except Exception as e:
            raise BaseModelError(f"cannot load adapter {str(adapter)!r} on {base!r}: {e}") from e
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    model.to(device or ("cuda" if torch.cuda.is_available() else "cpu"))
    model.eval()
    return model, tok


@dataclass(frozen=True)
class Generation:
    """One generated reply with its token counts."""

    text: str
    input_tokens: int
    output_tokens: int
    stop_reason: str  # "stop" | "max_tokens"


class CausalLMScorer:
    """Continuation log-likelihoods from a loaded transformers causal LM and its tokenizer.

    Thread-safe: every forward pass takes ``lock`` (pass the lock that guards other uses of
    the same model, e.g. generation).
    """

    def __init__(self, model: Any, tokenizer: Any, *, lock: threading.Lock | None = None) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.lock = lock or threading.Lock()

    @property
    def device(self) -> Any:
        """The torch device the model is on."""
        return next(self.model.parameters()).device

    def format_prompt(self, messages: Sequence[dict[str, str]]) -> str:
        """Messages rendered with the chat template, ending with the assistant turn opening."""
        tok = self.tokenizer
        if getattr(tok, "chat_template", None):
            return str(
                tok.apply_chat_template(list(messages), tokenize=False, add_generation_prompt=True)
            )
        return "".join(f"{m['role']}: {m['content']}\n" for m in messages) + "assistant: "

    def loglik(self, messages: Sequence[dict[str, str]], continuation: str) -> LogLikelihood:
        """Log-probability of ``continuation`` as the assistant's reply to ``messages``."""
        return self.loglik_many(messages, [continuation])[0]

    def loglik_many(
        self, messages: Sequence[dict[str, str]], continuations: Sequence[str]
    ) -> list[LogLikelihood]:
        """Log-probability of each continuation, evaluating the shared prompt only once.

        The prompt's key/value cache is computed once and copied for each continuation, which
        saves most of the cost when the prompt is long (persona + question in the values
        benchmark) and the continuations short.
        """
        import copy
        import inspect

        import torch

        prompt = self.format_prompt(messages)
        tok = self.tokenizer
        p_ids = tok(prompt, add_special_tokens=False)["input_ids"]
        fulls = [tok(prompt + c, add_special_tokens=False)["input_ids"] for c in continuations]
        starts = []
        for full in fulls:
            # BPE may merge across the boundary; score the tokens after the shared prefix.
            start = 0
            while start < min(len(p_ids), len(full)) and p_ids[start] == full[start]:
                start += 1
            starts.append(max(start, 1))
        shared = min(starts, default=1)
        out: list[LogLikelihood] = []
        # transformers 5 renamed ``past_key_values`` to ``cache`` (the old name is deprecated)
        params = inspect.signature(type(self.model).forward).parameters
        kw = "cache" if "cache" in params else "past_key_values"
        # Only the prefix's last row of logits is needed; older models compute them all.
        keep = {"logits_to_keep": 1} if "logits_to_keep" in params else {}
        device = self.device
        with self.lock, torch.inference_mode():
            prefix = torch.tensor([p_ids[:shared]], device=device)
            first = self.model(input_ids=prefix, use_cache=True, **keep)
            cache, last = getattr(first, kw), first.logits[0, -1:].float()
            for full, start in zip(fulls, starts, strict=True):
                if start >= len(full):
                    out.append(LogLikelihood(0.0, 0))
                    continue
                rest = torch.tensor([full[shared:]], device=device)
                step = self.model(input_ids=rest, use_cache=True, **{kw: copy.deepcopy(cache)})
                # row i predicts token shared + i
                logits = torch.cat([last, step.logits[0, :-1].float()])[start - shared :]
                logp = torch.log_softmax(logits, dim=-1)
                target = torch.tensor(full[start:], device=device)
                lp = logp.gather(1, target.unsqueeze(1)).sum()
                out.append(LogLikelihood(float(lp), int(target.shape[0])))
        return out


class HFRuntime:
    """A loaded transformers model (optionally with an adapter) behind a lock.

    torch modules are not safe to drive from several threads at once and Inspect calls
    providers from worker threads, so every call takes ``self.lock``.
    """

    def __init__(
        self,
        base: str | os.PathLike[str],
        adapter: str | os.PathLike[str] | None = None,
        *,
        device: str | None = None,
        dtype: str | None = None,
    ) -> None:
        self.base = str(base)
        self.adapter = str(adapter) if adapter is not None else None
        self.model, self.tokenizer = load_model_and_tokenizer(
            base, adapter, device=device, dtype=dtype
        )
        self.lock = threading.Lock()
        # Scoring shares the lock with generation: both drive the same torch module.
        self.scorer = CausalLMScorer(self.model, self.tokenizer, lock=self.lock)

    @property
    def device(self) -> Any:
        """The torch device the model is on."""
        return self.scorer.device

    def format_prompt(self, messages: Sequence[dict[str, str]]) -> str:
        """Messages rendered with the chat template, ending with the assistant turn opening."""
        return self.scorer.format_prompt(messages)

    def chat(
        self,
        messages: Sequence[dict[str, str]],
        *,
        max_tokens: int = 256,
        temperature: float = 0.0,
        top_p: float | None = None,
        seed: int | None = None,
        stop: Sequence[str] = (),
    ) -> Generation:
        """Generate a reply; greedy at temperature 0, seeded sampling otherwise."""
        return self.chat_batch(
            [messages], max_tokens=max_tokens, temperature=temperature, top_p=top_p, seed=seed,
            stop=stop,
        )[0]  # fmt: skip

    def chat_batch(
        self,
        conversations: Sequence[Sequence[dict[str, str]]],
        *,
        max_tokens: int = 256,
        temperature: float = 0.0,
        top_p: float | None = None,
        seed: int | None = None,
        stop: Sequence[str] = (),
    ) -> list[Generation]:
        """Generate replies to several conversations in one left-padded batch.

        On CPU a batch of prompts costs little more than one (the matrix products stay small),
        so batching is what makes evaluating dozens of items in a minute possible.
        """
        import torch

        tok = self.tokenizer
        prompts = [self.format_prompt(m) for m in conversations]
        tok.padding_side = "left"
        enc = tok(prompts, return_tensors="pt", add_special_tokens=False, padding=True).to(
            self.device
        )
        lengths = [int(x) for x in enc["attention_mask"].sum(dim=1)]
        gen: dict[str, Any] = {
            "max_new_tokens": int(max_tokens),
            "pad_token_id": tok.pad_token_id,
            "eos_token_id": tok.eos_token_id,
        }
        if temperature and temperature > 0:
            gen.update(do_sample=True, temperature=float(temperature))
            if top_p is not None:
                gen["top_p"] = float(top_p)
        else:
            gen.update(do_sample=False, temperature=None, top_p=None, top_k=None)
        if stop:
            gen["stop_strings"] = list(stop)
            gen["tokenizer"] = tok
        with self.lock, torch.inference_mode():
            if seed is not None:
                torch.manual_seed(int(seed))
            out = self.model.generate(**enc, **gen)
        width = int(enc["input_ids"].shape[1])
        results = []
        for row, n_in in zip(out, lengths, strict=True):
            new = row[width:].tolist()
            # Finished rows are padded with pad (= eos here) after their end; cut there.
            ended = tok.eos_token_id in new
            if ended:
                new = new[: new.index(tok.eos_token_id) + 1]
            text = tok.decode(new, skip_special_tokens=True)
            stop_hit = False
            for s_ in stop:
                # generate() stops after the stop string; Inspect expects it cut off.
                if s_ in text:
                    text = text[: text.index(s_)]
                    stop_hit = True
            n_out = len(new)
            reason = "stop" if ended or stop_hit or n_out < max_tokens else "max_tokens"
            results.append(
                Generation(
                    text=text.strip(), input_tokens=n_in, output_tokens=n_out, stop_reason=reason
                )
            )
        return results


_runtimes: dict[tuple[str, str | None, str | None, str | None], HFRuntime] = {}
_runtimes_lock = threading.Lock()


def get_hf_runtime(
    base: str | os.PathLike[str] = SMOLLM2_SPEC,
    adapter: str | os.PathLike[str] | None = None,
    *,
    device: str | None = None,
    dtype: str | None = None,
) -> HFRuntime:
    """The shared runtime for (base, adapter): each combination is loaded once per process."""
    key = (
        str(base),
        str(Path(adapter).resolve()) if adapter is not None else None,
        device,
        dtype,
    )
    with _runtimes_lock:
        if key not in _runtimes:
            _runtimes[key] = HFRuntime(base, adapter, device=device, dtype=dtype)
        return _runtimes[key]


def hf_model_spec(
    base: str | os.PathLike[str] = SMOLLM2_SPEC, adapter: str | os.PathLike[str] | None = None
) -> tuple[str, dict[str, str]]:
    """Inspect model name and model_args for a base (+ adapter): ``get_model(name, **args)``."""
    args = {"base": str(base)}
    if adapter is not None:
        args["adapter"] = str(adapter)
    return "coalign/hf", args
