"""The hybrid back-end: unit index, unit search and joining, fallback, the .voice file with units, and the
choice of back-end, on espeak-ng recordings analysed with WORLD.

Durations here come from an even split of each recording among its phones (no aligner needed): the
mechanics are the same as with the trained aligner's, which the training test covers.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from moksori.audio import load_audio
from moksori.cli import app
from moksori.engine import data, features, unit_training, voicefile
from moksori.engine.unit_select import FALLBACK, Costs, speak
from moksori.engine.units import StoredFrames, cost_coefficients, half_spans
from moksori.engine.voice import Voice
from moksori.engine.voicefile import VoiceFileError
from moksori.text import phonemes
from moksori.text.phoneset import PHONE_ID, phone_ids
from tests.engine.voices import random_voice

SENTENCES = 6
TEXT = "오늘 날씨가 정말 좋네요."


@pytest.fixture(scope="module")
def corpus(synthetic_speaker) -> list[data.Utterance]:
    folder = synthetic_speaker("ko_f", SENTENCES)
    utterances = []
    for uid, text in data.read_rows(folder):
        samples, rate = load_audio(folder / "wavs" / f"{uid}.wav")
        analysis = features.analyze(samples, rate)
        frames = analysis.frames // 2 * 2
        utterances.append(data.Utterance(uid, np.asarray(phone_ids(phonemes(text, "ko"))),
                                         data.feature_matrix(analysis)[:frames], analysis.energy[:frames]))
    return utterances


def even_durations(utterance: data.Utterance) -> np.ndarray:
    """Frames per phone [N]: the recording split evenly (in 2-frame steps), every phone at least one step."""
    edges = np.round(np.linspace(0, utterance.frames // 2, len(utterance.phones) + 1)).astype(int)
    return np.diff(edges) * 2


def index_of(utterances: list[data.Utterance]):
    return unit_training.index_utterances(utterances, {u.id: even_durations(u) for u in utterances})


def recorded(utterance: data.Utterance) -> features.Features:
    """A recording's own features, as if the model had predicted them exactly."""
    m = features.MCEP_DIM
    return features.Features(lf0=utterance.feats[:, -2].copy(), vuv=utterance.feats[:, -1].copy(),
                             mcep=utterance.feats[:, :m].copy(), bap=utterance.feats[:, m:-2].copy(),
                             energy=utterance.energy.copy(), sample_rate=22050)


def test_index_holds_every_half_phone_of_every_recording(corpus) -> None:
    index = index_of(corpus)
    durations = [even_durations(u) for u in corpus]
    assert len(index) == sum(len(half_spans(d)[0]) for d in durations)
    assert len(index.frames) == sum(int(d.sum()) for d in durations)
    # Units tile the frames in recording order, and each carries its recording's frames (float16).
    assert index.start[0] == 0 and np.array_equal(index.start[1:], (index.start + index.length)[:-1])
    first = corpus[0]
    own = index.utterance == 0
    assert np.array_equal(index.phone[own][1::2], first.phones[: own.sum() // 2])
    assert index.left[0] == 0 and index.right[own][-1] == 0 and index.left[2] == first.phones[0]
    np.testing.assert_allclose(index.unit_frames(3)[:, :-1], first.feats[index.start[3] : index.start[3] + index.length[3]],
                               rtol=2e-3, atol=2e-3)
    assert len(index.candidates(int(first.phones[1]), 0)) >= 1
    assert len(index.candidates(PHONE_ID["TH"], 0)) == 0  # an English phone: never recorded


def test_a_recorded_sentence_is_spoken_with_its_own_recording(corpus) -> None:
    index = index_of(corpus)
    target = corpus[2]
    spoken, chosen, _ = speak(index, recorded(target), target.phones, even_durations(target))
    assert np.array_equal(chosen, np.flatnonzero(index.utterance == 2))  # one natural stretch, no joins
    np.testing.assert_allclose(spoken.mcep, target.feats[:, : features.MCEP_DIM], atol=0.02)
    assert np.array_equal(spoken.vuv, target.feats[:, -1])


def test_a_lower_stretch_keeps_more_of_each_units_own_length(corpus) -> None:
    """Predicted durations twice the recordings': fully stretched the units double; with stretch 0.5 they grow
    by √2 and the sentence is re-timed around them; the durations returned add up to the frames made."""
    target = corpus[2]
    index = index_of(corpus)
    durations = even_durations(target)
    doubled = recorded(target)
    doubled = features.Features(**{name: np.repeat(getattr(doubled, name), 2, axis=0)
                                   for name in ("lf0", "vuv", "mcep", "bap", "energy")}, sample_rate=22050)
    full, chosen, full_durations = speak(index, doubled, target.phones, durations * 2, costs=Costs(stretch=1.0))
    part, part_chosen, part_durations = speak(index, doubled, target.phones, durations * 2)  # default: 0.5
    assert np.array_equal(full_durations, durations * 2) and len(full.lf0) == 2 * target.frames
    assert len(part.lf0) == int(part_durations.sum())
    own = index.length[part_chosen[part_chosen >= 0]].sum()
    assert abs(len(part.lf0) - own * np.sqrt(2)) < 0.05 * own * np.sqrt(2)
    assert len(part.lf0) < len(full.lf0)


def _largest_step(frames: np.ndarray, index) -> np.ndarray:
    """Frame-to-frame change [T-1] of the normalised low mel-cepstrum."""
    coefficients = cost_coefficients(frames, index.cost_mean, index.cost_std)
    return np.sqrt(np.mean(np.square(np.diff(coefficients, axis=0)), axis=1))


def test_joins_are_smooth(corpus) -> None:
    """A sentence spoken from the other recordings: no step at a join beyond what natural speech has."""
    target, others = corpus[0], corpus[1:]
    index = index_of(others)
    durations = even_durations(target)
    smooth, chosen, spoken_durations = speak(index, recorded(target), target.phones, durations)
    raw, raw_chosen, _ = speak(index, recorded(target), target.phones, durations, costs=Costs(crossfade=0))
    assert np.array_equal(chosen, raw_chosen)
    real = chosen[chosen >= 0]
    assert len(real) > len(chosen) // 2 and len(np.unique(index.utterance[real])) > 1  # really joined
    starts = np.cumsum(half_spans(spoken_durations)[2])[:-1]  # first frame of every half-phone but the first
    natural = np.concatenate([_largest_step(u.feats, index) for u in others])
    steps_smooth, steps_raw = _largest_step(smooth.mcep, index), _largest_step(raw.mcep, index)
    at_joins = starts - 1  # step from a half-phone's last frame to the next one's first
    assert steps_raw[at_joins].max() > np.percentile(natural, 99)  # without cross-fades the joins jump
    assert steps_smooth[at_joins].max() <= np.percentile(natural, 99)
    assert steps_smooth.max() <= natural.max()
    assert np.isfinite(smooth.lf0).all() and set(np.unique(smooth.vuv)) <= {0.0, 1.0}


def test_a_join_between_phones_costs_more_than_one_in_a_phones_middle(corpus) -> None:
    target, others = corpus[0], corpus[1:]
    index = index_of(others)
    durations = even_durations(target)
    half = half_spans(durations)[1]

    def joins(costs: Costs) -> tuple[int, int]:
        """(joins between phones, joins in a phone's middle) of units that were not neighbours in a recording."""
        _, chosen, _ = speak(index, recorded(target), target.phones, durations, costs=costs)
        before, after = chosen[:-1], chosen[1:]
        same_recording = index.utterance[np.maximum(after, 0)] == index.utterance[np.maximum(before, 0)]
        neighbours = (after == before + 1) & same_recording
        joined = (before >= 0) & (after >= 0) & ~neighbours
        return int((joined & (half[:-1] == 1)).sum()), int((joined & (half[:-1] == 0)).sum())

    between, _ = joins(Costs(join_boundary=0.0))
    between_penalised, within_penalised = joins(Costs(join_boundary=5.0))
    assert between > 0 and between_penalised < between and within_penalised > 0


def test_model_frames_where_no_unit_fits(corpus) -> None:
    index = index_of(corpus[1:])
    target = corpus[0]
    durations = even_durations(target)
    phones = target.phones.copy()
    missing = len(phones) // 2
    phones[missing] = PHONE_ID["TH"]  # a phone the recordings never have
    predicted = recorded(target)
    spoken, chosen, spoken_durations = speak(index, predicted, phones, durations)
    owner = half_spans(durations)[0]
    assert (chosen[owner == missing] == FALLBACK).all() and (chosen[owner != missing] != FALLBACK).any()
    assert spoken_durations[missing] == durations[missing]  # the model's frames keep their length
    # The units before it keep some of their own lengths, so the phone may start elsewhere than predicted.
    start, predicted_start = int(spoken_durations[:missing].sum()), int(durations[:missing].sum())
    width = Costs().crossfade
    inner = slice(width, durations[missing] - width)  # away from the cross-fades
    assert inner.stop > inner.start
    np.testing.assert_array_equal(spoken.mcep[start + inner.start : start + inner.stop],
                                  predicted.mcep[predicted_start + inner.start : predicted_start + inner.stop])
    # With the model's frames cheaper than any unit, the whole sentence is the model's.
    everything, chosen, _ = speak(index, predicted, target.phones, durations, costs=Costs(fallback=0.0))
    assert (chosen == FALLBACK).all()
    np.testing.assert_array_equal(everything.mcep, predicted.mcep)
    np.testing.assert_array_equal(everything.vuv, predicted.vuv)


def test_model_spectrum_mixes_the_predicted_envelope_into_the_units(corpus) -> None:
    target, others = corpus[0], corpus[1:]
    index = index_of(others)
    durations = even_durations(target)
    predicted = recorded(target)
    predicted.mcep = predicted.mcep + np.float32(0.05)  # not exactly any recording's envelope
    # On the predicted timeline (units stretched all the way), so the envelopes can be compared frame by frame.
    units_only, chosen, _ = speak(index, predicted, target.phones, durations, costs=Costs(stretch=1.0))
    halfway, chosen_halfway, _ = speak(index, predicted, target.phones, durations,
                                       costs=Costs(model_spectrum=0.5, stretch=1.0))
    model_only, _, _ = speak(index, predicted, target.phones, durations, costs=Costs(model_spectrum=1.0, stretch=1.0))
    assert np.array_equal(chosen, chosen_halfway) and (chosen >= 0).any()  # the search is unchanged
    assert np.abs(units_only.mcep - predicted.mcep).max() > 0.1
    np.testing.assert_allclose(model_only.mcep, predicted.mcep, atol=1e-5)
    np.testing.assert_allclose(halfway.mcep, (units_only.mcep + predicted.mcep) / 2, atol=1e-5)
    np.testing.assert_array_equal(halfway.vuv, units_only.vuv)  # only the envelope is mixed
    np.testing.assert_array_equal(halfway.lf0, units_only.lf0)


def test_pitch_shift_moves_the_units_f0(corpus) -> None:
    index = index_of(corpus)
    target = corpus[1]
    shifted_prediction = recorded(target)
    shifted_prediction.lf0 = shifted_prediction.lf0 + np.float32(np.log(2) / 12 * 3)
    plain, chosen, _ = speak(index, recorded(target), target.phones, even_durations(target))
    shifted, chosen_shifted, _ = speak(index, shifted_prediction, target.phones, even_durations(target), pitch_shift=3)
    assert np.array_equal(chosen, chosen_shifted)  # the search ignores the requested shift
    np.testing.assert_allclose(shifted.lf0 - plain.lf0, np.log(2) / 4, atol=1e-5)


def test_feature_distance_is_zero_for_the_recording_itself(corpus) -> None:
    same = unit_training.feature_distance(recorded(corpus[0]), corpus[0].feats)
    assert same == pytest.approx({"mcd_db": 0.0, "f0_rmse_cents": 0.0, "vuv_error": 0.0}, abs=1e-5)
    other = unit_training.feature_distance(recorded(corpus[1]), corpus[0].feats)
    assert other["mcd_db"] > 1 and unit_training.score(other) > unit_training.score(same)


# --- the .voice file and the back-end choice ---------------------------------------------------------


def voice_with_units(path: Path, corpus, backend: str | None) -> Path:
    plain = random_voice(path.with_suffix(".plain"))
    contents = voicefile.load(plain)
    card = {**contents.card, **({"backend": backend} if backend else {})}
    return voicefile.save(path, {"model": contents.config["model"], "language": "ko"}, contents.state_dict,
                          contents.phone_set, card, index_of(corpus))


def test_voice_file_round_trip_with_units(corpus, tmp_path: Path) -> None:
    index = index_of(corpus)
    path = voice_with_units(tmp_path / "units.voice", corpus, "hybrid")
    loaded = voicefile.load(path)
    assert loaded.config["format_version"] == voicefile.FORMAT_VERSION == "1.1"
    assert isinstance(loaded.units.frames, StoredFrames)  # read from the file as needed, not held in memory
    assert np.array_equal(np.asarray(loaded.units.frames), index.frames)
    for name, table in index.tables().items():
        assert np.array_equal(loaded.units.tables()[name], table), name
    # A natural stretch (read in one piece), a unit on its own and one from before it, as a sentence asks.
    units = np.array([3, 4, 5, 9, 2])
    stored, stored_at = loaded.units.frames_of(units)
    held, held_at = index.frames_of(units)
    assert np.array_equal(stored, held) and np.array_equal(stored_at, held_at)
    assert np.array_equal(held[held_at[3] : held_at[3] + index.length[9]], index.unit_frames(9))
    assert np.array_equal(held[held_at[0] : held_at[3]], np.concatenate([index.unit_frames(u) for u in (3, 4, 5)]))
    with zipfile.ZipFile(path) as archive:
        assert archive.getinfo(voicefile.UNIT_FRAMES).compress_type == zipfile.ZIP_STORED


def test_damaged_units_are_refused(corpus, tmp_path: Path) -> None:
    path = voice_with_units(tmp_path / "units.voice", corpus, "hybrid")
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(voicefile.UNIT_FRAMES)
    raw[info.header_offset + 200] ^= 0xFF  # inside the stored frames
    damaged = tmp_path / "damaged.voice"
    damaged.write_bytes(bytes(raw))
    with pytest.raises(VoiceFileError, match="recorded units are damaged"):
        voicefile.load(damaged)


def test_an_old_voice_without_units_still_loads_and_speaks_parametric(tmp_path: Path) -> None:
    path = random_voice(tmp_path / "old.voice")
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    config = json.loads(members["config.json"])
    config["format_version"] = "1.0"
    members["config.json"] = json.dumps(config).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    voice = Voice.load(path)
    assert voice.units is None and voice.backend == "parametric"
    assert voice.synthesize(TEXT).size > 0
    with pytest.raises(ValueError, match="no recorded units"):
        Voice.load(path, backend="hybrid")
    with pytest.raises(ValueError, match="no recorded units"):
        voice.synthesize(TEXT, backend="hybrid")


def test_backend_follows_the_card_and_can_be_overridden(corpus, tmp_path: Path) -> None:
    hybrid = Voice.load(voice_with_units(tmp_path / "h.voice", corpus, "hybrid"))
    assert hybrid.backend == "hybrid"
    assert Voice.load(voice_with_units(tmp_path / "p.voice", corpus, "parametric")).backend == "parametric"
    assert Voice.load(voice_with_units(tmp_path / "n.voice", corpus, None)).backend == "parametric"
    overridden = Voice.load(tmp_path / "h.voice", backend="parametric")
    assert overridden.backend == "parametric"
    with pytest.raises(ValueError, match="unknown back-end"):
        Voice.load(tmp_path / "h.voice", backend="concatenative")

    by_default = hybrid.synthesize(TEXT)
    assert np.array_equal(by_default, hybrid.synthesize(TEXT, backend="hybrid"))
    parametric = hybrid.synthesize(TEXT, backend="parametric")
    assert np.array_equal(parametric, overridden.synthesize(TEXT))
    assert len(by_default) == len(parametric)  # same predicted durations, other frames
    assert not np.allclose(by_default, parametric)
    assert np.isfinite(by_default).all() and np.abs(by_default).max() > 1e-3
    assert np.array_equal(np.concatenate(list(hybrid.stream(TEXT))), by_default)


def test_say_backend_option(corpus, tmp_path: Path) -> None:
    runner = CliRunner()
    path = voice_with_units(tmp_path / "h.voice", corpus, "hybrid")
    outputs = {}
    for backend in ("parametric", "hybrid"):
        out = tmp_path / f"{backend}.wav"
        result = runner.invoke(app, ["say", "-v", str(path), TEXT, "-o", str(out), "--backend", backend])
        assert result.exit_code == 0, result.output
        outputs[backend] = load_audio(out)[0]
    assert not np.allclose(outputs["parametric"], outputs["hybrid"])
    old = random_voice(tmp_path / "old.voice")
    result = runner.invoke(app, ["say", "-v", str(old), TEXT, "-o", str(tmp_path / "x.wav"), "--backend", "hybrid"])
    assert result.exit_code == 2 and "no recorded units" in result.stderr



@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:only 12 usable utterances")
def test_training_builds_both_backends_and_picks_one_by_the_rule(synthetic_speaker, tmp_path: Path) -> None:
    from moksori.engine.training import TrainConfig, train

    config = TrainConfig(steps=12, batch_size=4, model_size="tiny", eval_every=6, threads=1, workers=2)
    path = train(synthetic_speaker("ko_f", 12), tmp_path / "ko_f.voice", config)
    voice = Voice.load(path)
    scores = voice.card["backends"]
    assert set(scores) == {"parametric", "hybrid"}
    for figures in scores.values():
        assert figures["mcd_db"] > 0 and 0 <= figures["vuv_error"] <= 1
        assert figures["score"] == pytest.approx(unit_training.score(figures), abs=1e-3)
    assert voice.card["backend"] == unit_training.choose_backend(scores) == voice.backend
    assert voice.card["units"]["recordings"] == 12 and voice.card["units"]["half_phones"] == len(voice.units)
    assert voice.units.frames.shape[0] > 0
    for backend in ("parametric", "hybrid"):
        audio = voice.synthesize(TEXT, backend=backend)
        assert np.isfinite(audio).all() and np.abs(audio).max() > 1e-3


def test_the_hybrid_back_end_is_chosen_unless_its_units_clearly_do_not_fit() -> None:
    def scores(parametric: float, hybrid: float) -> dict:
        return {"parametric": {"score": parametric}, "hybrid": {"score": hybrid}}

    margin = unit_training.HYBRID_MARGIN
    assert unit_training.choose_backend(scores(12.0, 11.0)) == "hybrid"
    # A few tenths worse in the feature domain: the person's own sounds are still what strangers understand.
    assert unit_training.choose_backend(scores(12.0, 12.0 + margin / 2)) == "hybrid"
    assert unit_training.choose_backend(scores(12.0, 12.0 + margin * 2)) == "parametric"
