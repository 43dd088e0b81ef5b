"""The numpy acoustic model used for speaking against the torch model it is trained as, and speaking
without torch."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from moksori.engine.acoustic import AcousticConfig, AcousticModel
from moksori.engine.features import MCEP_DIM
from moksori.engine.inference import InferenceModel, weight_shapes
from moksori.engine.training import MODEL_SIZES

N_PHONES = 50


def random_model(size: str, reduction: int, gv_strength: float, **options) -> AcousticModel:
    """A torch model of ``size`` with random weights and statistics; phones last 2 to 5 steps or so."""
    torch.manual_seed(0)
    config = AcousticConfig(n_phones=N_PHONES, bap_dim=2, sample_rate=22050, reduction=reduction,
                            gv_strength=gv_strength, **MODEL_SIZES[size], **options)  # fmt: skip
    model = AcousticModel(config).eval()
    rng = np.random.default_rng(1)
    d = config.n_feats
    model.set_statistics({
        "feat_mean": rng.normal(0, 2, d), "feat_std": rng.uniform(0.2, 2, d), "energy_mean": -3.0,
        "energy_std": 0.7, "mcep_gv": rng.uniform(0.2, 3, MCEP_DIM),
    })  # fmt: skip
    with torch.no_grad():
        model.duration.head.bias.fill_(math.log1p(3.0))
    return model


@torch.no_grad()
def torch_generate(model: AcousticModel, ids: list[int], pace: float, pitch_shift: float) -> dict[str, np.ndarray]:
    """The reference: what speaking did with the torch model before it moved to numpy."""
    phones = torch.tensor(ids)[None]
    mask = torch.ones_like(phones, dtype=torch.bool)
    x, log_dur, pitch, energy = model.encode(phones, mask)
    durations = torch.clamp(torch.round(torch.expm1(log_dur) * model.config.duration_scale / pace), min=1).long()
    frames = model.decode(x, mask, durations, pitch, energy)[1][0]  # after the postnet, [T, D]
    fine = durations[0] * model.config.reduction
    mcep = frames[:, :MCEP_DIM]
    if model.config.gv_strength > 0:
        centre = mcep.mean(0, keepdim=True)
        scale = (model.mcep_gv / mcep.var(0).clamp(min=1e-6)).clamp(max=4.0).pow(0.5 * model.config.gv_strength)
        scale[0] = 1.0
        mcep = centre + (mcep - centre) * scale
    values = torch.cat([mcep, frames[:, MCEP_DIM:]], 1) * model.feat_std + model.feat_mean
    b = model.config.bap_dim
    return {
        "mcep": values[:, :MCEP_DIM].numpy(),
        "bap": values[:, MCEP_DIM : MCEP_DIM + b].numpy(),
        "lf0": values[:, MCEP_DIM + b].numpy() + pitch_shift * math.log(2) / 12,
        "vuv": (frames[:, -1] > 0).float().numpy(),
        "energy": (torch.repeat_interleave(energy[0], fine) * model.energy_std + model.energy_mean).numpy(),
        "durations": fine.numpy(),
    }


def numpy_model(model: AcousticModel) -> InferenceModel:
    return InferenceModel(model.config, {name: value.numpy() for name, value in model.state_dict().items()})


@pytest.mark.parametrize("size", ["tiny", "base"])
@pytest.mark.parametrize("reduction", [2, 4])
@pytest.mark.parametrize("gv_strength", [0.0, 1.0])
@pytest.mark.parametrize("options", [{}, {"frame_pitch_layers": 2, "duration_scale": 1.23}])
def test_numpy_forward_equals_the_torch_model(size: str, reduction: int, gv_strength: float, options: dict) -> None:
    model = random_model(size, reduction, gv_strength, **options)
    ids = np.random.default_rng(2).integers(1, N_PHONES, 37).tolist()
    for pace, pitch_shift in ((1.0, 0.0), (0.8, -3.0), (1.7, 5.0)):
        expected = torch_generate(model, ids, pace, pitch_shift)
        feats, durations = numpy_model(model).generate(ids, pace=pace, pitch_shift=pitch_shift)
        assert np.array_equal(durations, expected["durations"])
        assert len(set(durations.tolist())) >= 3  # phones of different lengths, so regulation is exercised
        for name in ("mcep", "bap", "lf0", "vuv", "energy"):
            ours, reference = getattr(feats, name), expected[name]
            assert ours.dtype == np.float32 and ours.shape == reference.shape, name
            scale = np.abs(reference).max()
            np.testing.assert_allclose(ours, reference, rtol=1e-4, atol=1e-4 * scale, err_msg=name)


@pytest.mark.parametrize("size", sorted(MODEL_SIZES))
@pytest.mark.parametrize("frame_pitch_layers", [0, 2])
def test_weight_shapes_match_the_torch_state_dict(size: str, frame_pitch_layers: int) -> None:
    model = random_model(size, 4, 1.0, frame_pitch_layers=frame_pitch_layers)
    assert weight_shapes(model.config) == {name: tuple(value.shape) for name, value in model.state_dict().items()}


def test_pace_pitch_shift_and_durations() -> None:
    model = numpy_model(random_model("tiny", 4, 1.0))
    ids = [3, 4, 5, 6, 7]
    feats, durations = model.generate(ids)
    assert feats.mcep.shape == (durations.sum(), MCEP_DIM) and feats.bap.shape[1] == 2
    assert len(durations) == 5 and (durations % 4 == 0).all()
    assert feats.lf0.shape == feats.vuv.shape == feats.energy.shape == (durations.sum(),)
    _, slow_durations = model.generate(ids, pace=0.5)
    assert slow_durations.sum() >= 2 * durations.sum() - 5 * 4
    shifted, _ = model.generate(ids, pitch_shift=12.0)
    assert np.allclose(shifted.lf0 - feats.lf0, math.log(2), atol=1e-5)
    with pytest.raises(ValueError, match="pace"):
        model.generate(ids, pace=0)


def test_speaking_does_not_import_torch(voice_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "say.wav"
    code = (
        "import sys\n"
        "from moksori.engine import Voice\n"
        "voice = Voice.load(sys.argv[1])\n"
        "assert voice.synthesize('안녕하세요, 반갑습니다.').size > 0\n"
        "assert len(list(voice.stream('오늘 날씨가 좋네요.'))) > 0\n"
        "from moksori.cli import app\n"
        "app(['say', '-v', sys.argv[1], '물 한 잔 주세요.', '-o', sys.argv[2]], standalone_mode=False)\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] == 'torch'\n"
        "               or m in ('moksori.engine.acoustic', 'moksori.engine.training'))\n"
        "assert not heavy, heavy\n"
    )
    result = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", code, str(voice_path), str(out)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert out.stat().st_size > 1000
