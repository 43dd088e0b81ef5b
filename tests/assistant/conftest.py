from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from moksori.assistant.profile import ShopProfile, parse_profile

NOW = dt.datetime.fromisoformat("2026-12-01T10:00:00+09:00")  # a Tuesday

SALON = """
name: 섬섬옥수 네일
kind: salon
timezone: Asia/Seoul
address: 서울 용산구 한강대로 405 2층
owner_phone: "010-1234-5678"
hours: {mon: "10:00-20:00", tue: "10:00-20:00", wed: closed, thu: "10:00-20:00", fri: "10:00-21:00", sat: "11:00-18:00", sun: closed}
closed_dates: ["2026-12-25"]
items:
  - {name: 젤 네일, price: 40000, minutes: 60, aliases: [젤네일, 젤]}
  - {name: 케어, price: 15000, minutes: 30}
booking: {enabled: true, slot_minutes: 30, capacity: 1, max_party: 2, min_notice_minutes: 60, days_ahead: 30}
orders: {enabled: false}
faq:
  - {q: 주차 되나요?, a: 건물 지하 주차장을 한 시간 무료로 이용하실 수 있어요., also: [차 가져가도 돼요, 주차장 있어요]}
  - {q: 카드 결제 되나요?, a: 네, 카드와 계좌이체 모두 돼요., also: [계좌이체 돼요]}
"""

CAFE = """
name: 오늘의 커피
kind: cafe
address: 서울 성동구 성수이로 77
owner_phone: "010-5555-6666"
hours: {mon: "08:00-21:00", tue: "08:00-21:00", wed: "08:00-21:00", thu: "08:00-21:00", fri: "08:00-21:00", sat: "10:00-20:00", sun: "10:00-18:00"}
items:
  - {name: 아메리카노, price: 4000}
  - {name: 아이스 아메리카노, price: 4500, aliases: [아아]}
  - {name: 카페라떼, price: 5000, aliases: [라떼, 라테]}
orders: {enabled: true, min_notice_minutes: 10}
faq:
  - {q: 디카페인 있어요?, a: 모든 커피를 디카페인으로 바꿀 수 있어요., also: [카페인 없는 커피]}
"""


def profile_from(text: str) -> ShopProfile:
    from moksori.assistant.profile import read_yaml

    return parse_profile(read_yaml(text))


@pytest.fixture
def salon() -> ShopProfile:
    return profile_from(SALON)


@pytest.fixture
def cafe() -> ShopProfile:
    return profile_from(CAFE)


@pytest.fixture
def salon_file(tmp_path: Path) -> Path:
    path = tmp_path / "salon.yaml"
    path.write_text(SALON, encoding="utf-8")
    return path
