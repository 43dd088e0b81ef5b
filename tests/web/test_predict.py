"""Word prediction of the talk screen (static/predict.js), run in Node: Korean words are matched by
the keys that type them, so a syllable still being typed ("안녀", "갑", a lone "ㅇ") already finds
the words it is on the way to."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

PREDICT_JS = Path(__file__).resolve().parents[2] / "src" / "moksori" / "web" / "static" / "predict.js"
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(NODE is None, reason="Node.js is not installed")

LEARNED = ["안녕하세요. 가방 주세요", "과자 좀 주세요", "닭고기 먹고 싶어요", "안녕하세요 Hello", "안경 어디 있어요?"]


def run_predictor(learned: list[str], prefixes: list[str]) -> dict[str, list[str]]:
    """What ``WordPredictor.suggest`` answers for each prefix after learning ``learned``."""
    script = f"""
{PREDICT_JS.read_text(encoding="utf-8")}
const predictor = new WordPredictor();
for (const text of {json.dumps(learned)}) predictor.learn(text);
const answers = {{}};
for (const prefix of {json.dumps(prefixes)}) answers[prefix] = predictor.suggest(prefix);
process.stdout.write(JSON.stringify(answers));
"""
    done = subprocess.run([NODE, "-e", script], capture_output=True, text=True, timeout=30, check=True)
    return json.loads(done.stdout)


def test_an_unfinished_syllable_finds_the_word_it_is_on_the_way_to():
    answers = run_predictor(LEARNED, ["안녀", "안녕", "안", "ㅇ", "아"])
    assert answers["안녀"] == ["안녕하세요"]  # 녀 is 녕 without its last consonant
    assert answers["안녕"] == ["안녕하세요"]
    assert answers["안"] == ["안녕하세요", "안경"]  # the more used word first
    assert answers["ㅇ"] == ["안녕하세요", "안경", "어디", "있어요"]  # one key: the first four
    assert answers["아"] == ["안녕하세요", "안경"]


def test_a_last_consonant_may_still_start_the_next_syllable():
    answers = run_predictor(LEARNED, ["갑", "가바", "머", "먹", "먹ㄱ"])
    assert answers["갑"] == ["가방"]  # typing 가방 shows 갑 on the way
    assert answers["가바"] == ["가방"]
    assert answers["머"] == ["먹고"] and answers["먹"] == ["먹고"] and answers["먹ㄱ"] == ["먹고"]


def test_compound_letters_match_their_first_key():
    answers = run_predictor(LEARNED, ["고", "과", "달", "닭", "닭ㄱ"])
    assert answers["고"] == ["과자"]  # ㅘ is typed ㅗ then ㅏ
    assert answers["과"] == ["과자"]
    assert answers["달"] == ["닭고기"] and answers["닭"] == ["닭고기"]  # ㄺ is typed ㄹ then ㄱ
    assert answers["닭ㄱ"] == ["닭고기"]


def test_finished_words_other_letters_and_non_matches():
    answers = run_predictor(LEARNED, ["안녕하세요", "Hel", "hel", "주", "주세요", "밥", "x", ""])
    assert answers["안녕하세요"] == []  # nothing left to type
    assert answers["Hel"] == ["Hello"] and answers["hel"] == ["Hello"]
    assert answers["주"] == ["주세요"] and answers["주세요"] == []
    assert answers["밥"] == [] and answers["x"] == [] and answers[""] == []
