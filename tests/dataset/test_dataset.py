"""Dataset checks and import on espeak-ng fixtures with files broken on purpose."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from moksori.audio import ENGINE_SAMPLE_RATE, load_audio, rms_db
from moksori.dataset import DatasetError, check_dataset, import_dataset, read_metadata
from moksori.dataset.source import extract_zip
from moksori.dataset.vad import speech_frames


def _copy(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest)
    return dest


def _add_row(root: Path, utt_id: str, text: str = "안녕하세요.") -> None:
    with open(root / "metadata.csv", "a", encoding="utf-8") as handle:
        handle.write(f"{utt_id}|{text}\n")


def _codes(report) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for problem in report.problems:
        found.setdefault(problem.item, set()).add(problem.code)
    return found


@pytest.fixture
def broken_dataset(synthetic_speaker, tmp_path: Path) -> Path:
    """Four good espeak utterances plus one of each kind of bad file."""
    root = _copy(synthetic_speaker("ko_f", 4), tmp_path / "ds")
    wavs = root / "wavs"
    good, rate = load_audio(next(wavs.glob("*.wav")))

    sf.write(wavs / "flac_ok.flac", good, rate)
    data = bytearray((wavs / "flac_ok.flac").read_bytes())
    data[len(data) // 2 : len(data) // 2 + 2000] = bytes(2000)
    (wavs / "corrupt.flac").write_bytes(bytes(data))
    (wavs / "flac_ok.flac").unlink()

    (wavs / "empty.wav").write_bytes(b"")
    sf.write(wavs / "no_samples.wav", np.zeros(0, dtype=np.float32), rate)
    (wavs / "text.wav").write_text("this is not audio\n")
    sf.write(wavs / "ten_minutes.wav", np.zeros(16000 * 600, dtype=np.int16), 16000, subtype="PCM_16")
    sf.write(wavs / "stereo.wav", np.stack([good, good * 0.5], axis=1), rate)
    sf.write(wavs / "silent.wav", np.zeros(rate, dtype=np.float32), rate)
    sf.write(wavs / "narrowband.wav", good[::3], 8000)
    sf.write(wavs / "orphan.wav", good, rate)  # no metadata row
    for utt_id in ("corrupt", "empty", "no_samples", "text", "ten_minutes", "stereo", "silent", "narrowband", "lost"):
        _add_row(root, utt_id)
    with open(root / "metadata.csv", "a", encoding="utf-8") as handle:
        handle.write("a row without a separator\n")
    return root


def test_check_reports_every_bad_file_with_a_clear_message(broken_dataset: Path) -> None:
    report = check_dataset(broken_dataset)
    codes = _codes(report)
    assert codes["corrupt"] == {"undecodable"}
    assert codes["empty"] == {"undecodable"}
    assert codes["no_samples"] == {"too_short"}
    assert codes["text"] == {"undecodable"}
    assert codes["ten_minutes"] == {"too_long"}
    assert codes["stereo"] == {"stereo"}
    assert codes["silent"] == {"silent"}
    assert codes["narrowband"] == {"low_sample_rate"}
    assert codes["lost"] == {"missing_audio"}
    assert codes["orphan"] == {"no_metadata_row"}
    assert codes["metadata.csv:14"] == {"bad_row"}
    assert "600.0 s long" in next(p.message for p in report.problems if p.item == "ten_minutes")
    assert "text.wav is not readable audio" in next(p.message for p in report.problems if p.item == "text")
    usable = {f.id for f in report.usable}
    assert usable == {"ko_f_0001", "ko_f_0002", "ko_f_0003", "ko_f_0004", "stereo"}
    assert report.ok


def test_import_skips_bad_files_and_prepares_the_rest(broken_dataset: Path, tmp_path: Path) -> None:
    out = import_dataset(broken_dataset, tmp_path / "prepared")
    rows = read_metadata(out)
    assert set(rows) == {"ko_f_0001", "ko_f_0002", "ko_f_0003", "ko_f_0004", "stereo"}
    assert sorted(p.stem for p in (out / "wavs").iterdir()) == sorted(rows)
    info = sf.info(str(out / "wavs" / "stereo.wav"))
    assert (info.channels, info.samplerate) == (1, ENGINE_SAMPLE_RATE)
    report = json.loads((out / "import_report.json").read_text(encoding="utf-8"))
    assert report["imported"] == 5
    assert {p["item"] for p in report["problems"] if p["severity"] == "error"} >= {"corrupt", "text", "lost", "orphan"}


def test_import_refuses_a_non_empty_destination_and_keeps_it(synthetic_speaker, tmp_path: Path) -> None:
    dest = tmp_path / "voice"
    dest.mkdir()
    (dest / "keep.txt").write_text("mine")
    with pytest.raises(DatasetError, match="not empty"):
        import_dataset(synthetic_speaker("ko_f", 4), dest)
    assert (dest / "keep.txt").read_text() == "mine"


def test_dataset_without_usable_audio_is_an_error(tmp_path: Path) -> None:
    root = tmp_path / "ds"
    (root / "wavs").mkdir(parents=True)
    (root / "metadata.csv").write_text("a|안녕\n", encoding="utf-8")
    (root / "wavs" / "a.wav").write_text("not audio")
    assert not check_dataset(root).ok
    with pytest.raises(DatasetError, match="no usable recordings"):
        import_dataset(root, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_three_column_metadata_uses_the_normalized_text(tmp_path: Path) -> None:
    (tmp_path / "metadata.csv").write_text("\ufeffLJ1|Dr. Smith, 1984|Doctor Smith, nineteen eighty-four\n", encoding="utf-8")
    assert read_metadata(tmp_path) == {"LJ1": "Doctor Smith, nineteen eighty-four"}


def test_zip_of_a_dataset_folder_imports(synthetic_speaker, tmp_path: Path) -> None:
    src = synthetic_speaker("ko_f", 4)
    archive = tmp_path / "voice.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in src.rglob("*"):
            zf.write(path, Path("my_voice") / path.relative_to(src))
    report = check_dataset(archive)
    assert len(report.usable) == 4 and not report.problems
    assert report.root == str(archive) and all(f.path.startswith("wavs/") for f in report.files)
    out = import_dataset(archive, tmp_path / "prepared")
    assert len(read_metadata(out)) == 4


@pytest.mark.parametrize("name", ["../evil.wav", "/etc/evil.wav", "wavs/../../evil.wav"])
def test_zip_with_unsafe_paths_is_refused(tmp_path: Path, name: str) -> None:
    archive = tmp_path / "bad.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("metadata.csv", "a|b\n")
        zf.writestr(name, b"x")
    with pytest.raises(DatasetError, match="unsafe path"):
        check_dataset(archive)
    assert not (tmp_path.parent / "evil.wav").exists()


def test_zip_bomb_limits(tmp_path: Path) -> None:
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("metadata.csv", "a|b\n")
        zf.writestr("wavs/a.wav", bytes(50 * 2**20))  # 50 MiB of zeros compress to ~50 KiB
    assert archive.stat().st_size < 2**20
    with pytest.raises(DatasetError, match="unpacks to 50 MiB; the limit is 10 MiB"):
        extract_zip(archive, tmp_path / "x", max_bytes=10 * 2**20)
    with pytest.raises(DatasetError, match="holds 2 files; the limit is 1"):
        extract_zip(archive, tmp_path / "y", max_files=1)


def test_not_a_dataset(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(DatasetError, match="neither a folder nor a zip"):
        check_dataset(tmp_path / "notes.txt")
    with pytest.raises(DatasetError, match="no metadata.csv"):
        check_dataset(tmp_path)


def test_import_resamples_trims_and_normalises(synthetic_speaker, tmp_path: Path) -> None:
    """A 48 kHz take padded with 1.5 s of faint room noise on each side comes out trimmed and at -23 dBFS."""
    src = synthetic_speaker("ko_f", 1)
    speech, rate = load_audio(next((src / "wavs").glob("*.wav")), sample_rate=48000)
    rng = np.random.default_rng(0)
    pad = (rng.standard_normal(int(1.5 * rate)) * 1e-4).astype(np.float32)
    root = tmp_path / "ds"
    (root / "wavs").mkdir(parents=True)
    sf.write(root / "wavs" / "take.wav", np.concatenate([pad, speech * 0.1, pad]), rate)
    (root / "metadata.csv").write_text("take|안녕하세요, 만나서 반갑습니다.\n", encoding="utf-8")

    out = import_dataset(root, tmp_path / "prepared")
    prepared, out_rate = sf.read(out / "wavs" / "take.wav", dtype="float32")
    assert out_rate == ENGINE_SAMPLE_RATE
    audible = np.flatnonzero(np.abs(speech) > 0.01 * np.max(np.abs(speech)))
    speech_s = (audible[-1] - audible[0]) / rate
    assert speech_s - 0.05 < len(prepared) / out_rate < speech_s + 0.35  # margins of ~0.1 s, not 1.5 s
    assert abs(speech_frames(prepared, out_rate).speech_level_db() - (-23.0)) < 1.0
    assert rms_db(prepared) > rms_db(speech * 0.1) + 5


def test_synthetic_speakers_are_made_in_a_deeply_nested_folder(tmp_path: Path) -> None:
    from moksori.dataset.synthetic import espeak_available, make_speaker_dataset

    if not espeak_available():
        pytest.skip("espeak-ng is not installed")
    folder = make_speaker_dataset(tmp_path.joinpath(*["a-deeply-nested-folder"] * 10), "ko_f", 1)
    assert len(str(folder)) > 220  # where espeak-ng's own -w option writes nothing
    samples, rate = sf.read(next((folder / "wavs").glob("*.wav")))
    assert rate == 22050 and samples.size > rate // 2 and np.abs(samples).max() > 0.05
