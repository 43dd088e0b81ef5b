"""The real script prompts and the policies applied to check results."""

from __future__ import annotations

from moksori.web.services import Services, text_key
from moksori.web.takes import cer_outlier


def test_script_prompts_are_keyed_by_their_text():
    services = Services()
    script = services.script("ko")
    assert len(script) >= 300 and len({p.key for p in script}) == len(script)
    assert all(p.key == text_key("script", p.text) for p in script)
    bank = services.message_bank("ko")
    assert bank and all(p.key.startswith("bank:") for p in bank)
    assert services.script("en")[0].text != script[0].text


def test_cer_outliers_are_judged_against_the_speakers_own_median():
    assert not cer_outlier(0.9, [0.3, 0.3, 0.3, 0.3])  # too little history to judge
    assert not cer_outlier(0.5, [0.3, 0.3, 0.3, 0.3, 0.3])
    assert cer_outlier(0.7, [0.3, 0.3, 0.3, 0.3, 0.3])
    # A voice the recogniser always struggles with is not flagged for being itself.
    assert not cer_outlier(0.95, [0.8, 0.85, 0.9, 0.8, 0.82])
