"""Writes bench/assistant/calls_dev.jsonl and calls_test.jsonl: scripted phone calls to the four shops of
bench/assistant/shops with the records each call must leave.

Every pool of phrasings is split in two: even entries are for dev, odd entries for test, so the test
split says things in ways the dev split never does (names, numbers, openings, fillers, corrections).
Calls are as of 2026-12-01 10:00 (a Tuesday), the ``--now`` of the benchmark.

    python bench/assistant/make_calls.py
"""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

HERE = Path(__file__).parent
TODAY = dt.date(2026, 12, 1)
NATIVE = ["", "한", "두", "세", "네", "다섯", "여섯", "일곱", "여덟", "아홉", "열", "열한", "열두"]
NATIVE_FULL = ["", "하나", "둘", "셋", "넷", "다섯", "여섯", "일곱", "여덟", "아홉", "열"]
DIGIT = "공일이삼사오육칠팔구"

NAMES = ["김민수", "이지은", "박서준", "최유진", "정하늘", "강도윤", "조수아", "윤지호", "장예린", "임재현",
         "한소희", "오승민", "서지민", "신동혁", "권나연", "황보람", "안재훈", "송미경", "류현우", "전다은"]  # fmt: skip
FILLERS = ["", "어 ", "음 ", "저기요 ", "아 네 ", "여보세요 ", "네 안녕하세요 ", "저 "]


def pools(split: str, *options: str) -> list[str]:
    """The phrasings of one pool that belong to ``split``."""
    if len(options) == 1:
        return list(options)
    keep = 0 if split == "dev" else 1
    return [option for index, option in enumerate(options) if index % 2 == keep]


class Writer:
    def __init__(self, split: str, seed: int) -> None:
        self.split = split
        self.rng = random.Random(seed)
        self.calls: list[dict] = []

    def pick(self, *options: str) -> str:
        return self.rng.choice(pools(self.split, *options))

    def filler(self) -> str:
        return self.pick(*FILLERS)

    def name(self) -> str:
        return self.pick(*NAMES)

    def phone(self) -> tuple[str, str]:
        digits = "010" + "".join(self.rng.choice("0123456789") for _ in range(8))
        a, b, c = digits[:3], digits[3:7], digits[7:]
        spoken = lambda part: "".join(DIGIT[int(d)] for d in part)  # noqa: E731
        said = self.pick(
            f"{spoken(a)} {spoken(b)} {spoken(c)}이요",
            f"{a}-{b}-{c}",
            f"{spoken(a)}에 {spoken(b)}에 {spoken(c)}요",
            f"제 번호는 {spoken(a)} {spoken(b)} {spoken(c)}입니다",
            f"공일공 {b} {c}요",
            f"{spoken(a)} {spoken(b)} {spoken(c)}",
            f"번호는 {a} {b} {c}요",
            f"{spoken(a)}, {spoken(b)}, {spoken(c)}이에요",
        )
        return said, digits

    def add(self, shop: str, caller: list[str], records: list[dict], **expect: object) -> str:
        call_id = f"{self.split}-{shop}-{len(self.calls) + 1:03d}"
        self.calls.append({"id": call_id, "shop": shop, "caller": caller, "expect": {"records": records, **expect}})
        return call_id


def say_name(w: Writer, name: str) -> str:
    return w.pick(f"{name}요", f"{name}입니다", f"{name}이라고 합니다" if _coda(name) else f"{name}라고 합니다",
                  f"제 이름은 {name}이에요" if _coda(name) else f"제 이름은 {name}예요", f"{name[0]} {name[1:]}요",
                  f"예약자는 {name}으로 해 주세요" if _coda(name) else f"예약자는 {name}로 해 주세요")


def _coda(word: str) -> bool:
    return (ord(word[-1]) - 0xAC00) % 28 != 0


def yes(w: Writer) -> str:
    return w.pick("네", "네 맞아요", "예 맞습니다", "응 맞아", "네네 그렇게 해 주세요", "맞아요", "어 네 맞아요", "예")


def date_phrase(w: Writer, day: dt.date) -> str:
    offset = (day - TODAY).days
    options = [f"{day.month}월 {day.day}일", f"{day.day}일"]
    if offset == 0:
        options = ["오늘", "오늘"]
    elif offset == 1:
        options += ["내일", "낼"]
    elif offset == 2:
        options += ["모레", "내일모레"]
    weekday = "월화수목금토일"[day.weekday()] + "요일"
    monday = TODAY - dt.timedelta(days=TODAY.weekday())
    week = (day - monday).days // 7
    if week == 0:
        options += [f"이번 주 {weekday}", weekday]
    elif week == 1:
        options += [f"다음 주 {weekday}", f"담주 {weekday}"]
    elif week == 2:
        options += [f"다다음 주 {weekday}"]
    return w.pick(*options)


def time_phrase(w: Writer, clock: dt.time, needs_period: bool) -> str:
    hour12 = clock.hour % 12 or 12
    half = clock.minute == 30
    period = "오전" if clock.hour < 12 else ("저녁" if clock.hour >= 17 else "오후")
    if clock.hour == 12:
        period = "낮"
    words = [f"{NATIVE[hour12]} 시" + (" 반" if half else ""), f"{hour12}시" + (" 반" if half else ""),
             f"{NATIVE[hour12]}시" + (" 삼십 분" if half else ""), f"{hour12}시" + (" 30분" if half else "")]
    word = w.pick(*words)
    if clock.hour == 12 and not half and w.rng.random() < 0.3:
        return "정오"
    return f"{period} {word}" if needs_period or w.rng.random() < 0.6 else word


def party_phrase(w: Writer, party: int) -> str:
    if party == 1:
        return w.pick("혼자요", "한 명이요", "저 혼자 가요", "1명이요")
    options = [f"{NATIVE[party]} 명이요", f"{party}명이요", f"{NATIVE[party]} 사람이요", f"{NATIVE[party]} 명"]
    if party <= 10:
        options += [f"{NATIVE_FULL[party]}이요" if _coda(NATIVE_FULL[party]) else f"{NATIVE_FULL[party]}요",
                    f"{NATIVE[party]} 분이요"]
    return w.pick(*options)


def open_day(shop: dict, rng: random.Random, earliest: int = 1) -> dt.date:
    while True:
        day = TODAY + dt.timedelta(days=rng.randint(earliest, 12))
        if day.isoformat() in shop["closed_dates"]:
            continue
        if shop["hours"][day.weekday()]:
            return day


def open_time(shop: dict, day: dt.date, rng: random.Random, minutes: int) -> dt.time:
    """A start time inside the day's hours where the shop still has room (``shop["booked"]``)."""
    opens, closes = shop["hours"][day.weekday()]
    slots = [m for m in range(opens, closes - minutes + 1, 30) if m % 60 in (0, 30)]
    rng.shuffle(slots)
    for chosen in slots:
        start = dt.datetime.combine(day, dt.time(chosen // 60, chosen % 60))
        if minutes == 0 or has_room(shop, start, minutes):
            return start.time()
    return dt.time(slots[0] // 60, slots[0] % 60)


def has_room(shop: dict, start: dt.datetime, minutes: int) -> bool:
    end = start + dt.timedelta(minutes=minutes)
    taken = [1 for s, m in shop["booked"] if s < end and start < s + dt.timedelta(minutes=m)]
    return len(taken) < shop["capacity"]


def book(shop: dict, day: str, clock: str, minutes: int) -> None:
    shop["booked"].append((dt.datetime.fromisoformat(f"{day}T{clock}"), minutes))


SHOPS = {
    "restaurant": {
        "file": "restaurant.yaml", "kind": "restaurant", "orders": True, "booking": True, "max_party": 12,
        "hours": [None, (690, 1320), (690, 1320), (690, 1320), (690, 1380), (690, 1380), (690, 1260)],
        "closed_dates": ["2026-12-25", "2027-01-01"], "slot": 90, "capacity": 3, "minutes": {},
        "items": {"돼지갈비": ["돼지갈비", "양념갈비", "돼지 갈비"], "냉면": ["물냉면", "냉면"], "된장찌개": ["된장찌개"],
                  "소갈비": ["소갈비", "생갈비"]},
        "counter": "인분",
        "faq": {"가게 뒤편에 전용 주차장이 있어요": ["주차 되나요?", "차 가지고 가도 되나요?", "주차할 데 있어요?", "주차장 있나요?"],
                "최대 열두 분까지": ["단체석 있어요?", "회식하려는데 방 있어요?", "룸 있나요?", "단체로 앉을 자리 있어요?"],
                "아기 의자도": ["애기 데리고 가도 되나요?", "아기 의자 있어요?", "아이 데려가도 괜찮아요?", "애들이랑 가도 돼요?"],
                "배달은 하지 않고": ["배달 돼요?", "배달도 하세요?", "배달 가능한가요?", "배달 시킬 수 있어요?"]},
    },
    "nail": {
        "file": "nail.yaml", "kind": "salon", "orders": False, "booking": True, "max_party": 2,
        "hours": [(600, 1200), (600, 1200), None, (600, 1200), (600, 1260), (660, 1080), None],
        "closed_dates": ["2026-12-25"], "slot": 30, "capacity": 2,
        "minutes": {"젤 네일": 60, "케어": 30, "페디큐어": 90, "젤 제거": 30},
        "items": {"젤 네일": ["젤네일", "젤 네일", "젤"], "케어": ["케어", "손톱 케어"], "페디큐어": ["페디큐어", "패디"],
                  "젤 제거": ["젤 제거", "제거"]},
        "faq": {"지하 주차장": ["주차 되나요?", "차 가져가도 돼요?", "주차장 있어요?", "주차 가능해요?"],
                "카드와 계좌이체": ["카드 돼요?", "카드 결제 되나요?", "계좌이체 돼요?", "카드로 계산해도 돼요?"],
                "한 시간 반 정도": ["시술 시간 얼마나 걸려요?", "오래 걸려요?", "몇 시간 걸려요?", "시간 얼마나 걸리나요?"]},
    },
    "cafe": {
        "file": "cafe.yaml", "kind": "cafe", "orders": True, "booking": False,
        "hours": [(480, 1260)] * 5 + [(600, 1200), (600, 1080)], "closed_dates": [], "slot": 30, "capacity": 1,
        "minutes": {},
        "items": {"아메리카노": ["아메리카노", "따뜻한 아메리카노", "따아"], "아이스 아메리카노": ["아아", "아이스 아메리카노"],
                  "카페라떼": ["라떼", "카페라떼", "카페 라테"], "바닐라라떼": ["바닐라라떼", "바닐라 라떼"],
                  "크루아상": ["크루아상", "크로와상"], "치즈케이크": ["치즈케이크", "치즈 케이크"]},
        "counter": "잔",
        "faq": {"와이파이 비밀번호": ["와이파이 돼요?", "와이파이 비밀번호 뭐예요?", "인터넷 쓸 수 있어요?", "와이파이 있나요?"],
                "디카페인으로": ["디카페인 있어요?", "디카페인 돼요?", "카페인 없는 커피 있나요?", "디카페인으로 바꿀 수 있어요?"],
                "콘센트가 있어요": ["콘센트 있어요?", "노트북 충전할 수 있나요?", "충전 돼요?", "콘센트 있는 자리 있어요?"],
                "반려견과 함께": ["강아지 데려가도 돼요?", "애견 동반 되나요?", "반려견이랑 가도 돼요?", "강아지랑 같이 가도 되나요?"]},
    },
    "clinic": {
        "file": "clinic.yaml", "kind": "other", "orders": False, "booking": True, "max_party": 1,
        "hours": [(540, 1080)] * 5 + [(540, 780), None], "closed_dates": [], "slot": 30, "capacity": 1,
        "minutes": {"초진 진료": 40, "침 치료": 30, "추나 치료": 30},
        "items": {"초진 진료": ["초진", "처음 진료"], "침 치료": ["침 치료", "침 맞으러"], "추나 치료": ["추나 치료", "추나"]},
        "faq": {"건강보험이 적용": ["보험 되나요?", "실비 돼요?", "보험 적용 돼요?", "실손 보험 청구 되나요?"],
                "오후 1시부터 2시": ["점심시간이 언제예요?", "점심 시간 몇 시예요?", "점심시간 있어요?", "점심 시간에도 진료해요?"],
                "두 시간 무료 주차": ["주차 되나요?", "차 가져가도 돼요?", "주차장 있어요?", "주차 가능한가요?"]},
    },
}  # fmt: skip

OUT_OF_SCOPE = ["화장실 어디 있어요?", "오늘 날씨 어때요?", "사장님 결혼하셨어요?", "사업자 등록번호 알려 주세요",
                "근처에 맛집 있어요?", "채용 공고 보고 전화했는데요", "택배 맡겨도 돼요?", "현금영수증 나중에 발급 돼요?",
                "외국어 하는 직원 있어요?", "인테리어 누가 하셨어요?", "쿠폰 적립 되나요?", "휠체어 들어갈 수 있어요?"]  # fmt: skip


def booking_call(w: Writer, key: str, shop: dict, style: str) -> tuple[list[str], dict]:
    rng = w.rng
    item = rng.choice(list(shop["items"])) if shop["kind"] in ("salon", "other") else None
    minutes = shop["minutes"].get(item, shop["slot"])
    day = open_day(shop, rng)
    clock = open_time(shop, day, rng, minutes)
    party = rng.randint(2, 6) if shop["max_party"] > 2 else 1
    name = w.name()
    phone_said, phone = w.phone()
    ambiguous = clock.hour in range(13, 18) and key == "restaurant"
    date_words, time_words = date_phrase(w, day), time_phrase(w, clock, ambiguous or clock.hour < 12)
    item_words = w.pick(*shop["items"][item]) if item else ""
    lines: list[str] = []
    if style == "all":
        opener = w.pick(
            f"{date_words} {time_words}에 {party_phrase(w, party).removesuffix('이요').removesuffix('요')} 예약 되나요?",
            f"{date_words} {time_words}에 예약하고 싶은데요",
            f"예약 좀 하려고요. {date_words} {time_words}요",
            f"{date_words} {time_words}쯤에 자리 있어요?",
        )
        if item:
            opener = w.pick(f"{date_words} {time_words}에 {item_words} 예약하고 싶어요",
                            f"{item_words} 예약하려는데 {date_words} {time_words} 돼요?")
        lines.append(w.filler() + opener)
        if "명" not in opener and "사람" not in opener and party > 1 and "분" not in opener:
            lines.append(party_phrase(w, party))
    else:
        lines.append(w.filler() + w.pick("예약하려고 전화했는데요", "예약 좀 할 수 있을까요?", "예약 문의 드리려고요",
                                          "저 예약하고 싶은데요"))
        lines.append(w.pick(f"{date_words}요", f"{date_words}에 가려고요", f"음 {date_words}이요" if _coda(date_words) else f"{date_words}요"))
        lines.append(w.pick(f"{time_words}요", f"{time_words}에요", f"{time_words}쯤이요"))
        if party > 1:
            lines.append(party_phrase(w, party))
        if item:
            lines.append(w.pick(f"{item_words}요", f"{item_words} 하려고요", f"{item_words}이요" if _coda(item_words) else f"{item_words}요"))
    lines.append(say_name(w, name))
    lines.append(phone_said)
    record = {"type": "booking", "date": day.isoformat(), "time": clock.strftime("%H:%M"), "party": party,
              "name": name, "phone": phone, "item": item}
    return lines, record


def minutes_of(shop: dict, record: dict) -> int:
    return shop["minutes"].get(record.get("item"), shop["slot"])


def write_split(split: str, seed: int) -> list[dict]:
    w = Writer(split, seed)
    for shop in SHOPS.values():
        shop["booked"] = []
        shop["names"] = []
    rng = w.rng
    for key, shop in SHOPS.items():
        for _ in range(4):  # FAQ calls: one to three questions, sometimes an out-of-scope one
            asked = rng.sample(list(shop["faq"]), k=min(2, len(shop["faq"])))
            lines, answers, oos = [], [], []
            for answer in asked:
                lines.append(w.filler() + w.pick(*shop["faq"][answer]))
                answers.append({"turn": len(lines) - 1, "contains": answer})
            if rng.random() < 0.5:
                lines.append(w.pick(*OUT_OF_SCOPE))
                oos.append(len(lines) - 1)
                lines.append(w.pick("아니요 괜찮아요", "아뇨 됐어요"))
            lines.append(w.pick("네 감사합니다 끊을게요", "알겠습니다 수고하세요", "네 그게 다예요", "아니요 없어요 감사합니다"))
            w.add(key, lines, [], answers=answers, out_of_scope=oos)
        for _ in range(2):  # out of scope, then a message with the question and a number
            said, phone = w.phone()
            question = w.pick(*OUT_OF_SCOPE)
            w.add(key, [w.filler() + question, w.pick("메시지 남겨 주세요", "그럼 메시지 남길게요", "메모 남겨 주세요",
                                                      "네 메시지로 남겨 주세요"), said, yes(w)],
                  [{"type": "message", "phone": phone}], out_of_scope=[0])
        for _ in range(2):  # out of scope, then the owner
            question = w.pick(*OUT_OF_SCOPE)
            w.add(key, [w.filler() + question, w.pick("네 연결해 주세요", "네", "네 사장님 바꿔 주세요", "예 그렇게 해 주세요")],
                  [{"type": "handoff"}], out_of_scope=[0])
        # the line checked first, a question, and goodbye
        question = rng.choice(list(shop["faq"]))
        w.add(key, [w.pick("여보세요", "여보세요?", "네 안녕하세요", "여보세요 안녕하세요"), w.pick(*shop["faq"][question]),
                    w.pick("네 알겠습니다 수고하세요", "감사합니다")], [], answers=[{"turn": 1, "contains": question}])
        for _ in range(2):  # a message for the owner
            said, phone = w.phone()
            w.add(key, [w.filler() + w.pick("사장님께 메시지 좀 남기고 싶은데요", "사장님한테 전해 주실 수 있어요?",
                                            "메모 좀 남겨 주세요", "사장님께 연락 좀 달라고 전해 주세요"),
                        w.pick("지난번에 두고 간 우산 찾으러 가도 되는지 여쭤보려고요", "거래처인데 납품 일정 때문에 연락 부탁드립니다",
                               "내일 오전에 물건 받으러 간다고 전해 주세요", "견적 문의 드리고 싶어서요"),
                        said, yes(w)], [{"type": "message", "phone": phone}])
        for _ in range(2):  # a person, please
            w.add(key, [w.filler() + w.pick("사장님 좀 바꿔 주세요", "사람이랑 통화하고 싶어요", "직원분 연결해 주세요",
                                            "기계 말고 사장님이랑 얘기할게요")], [{"type": "handoff"}])
        if shop["booking"]:
            for index in range(12):
                lines, record = booking_call(w, key, shop, "all" if index % 2 else "step")
                if index % 4 == 3:  # a correction at the read-back: another time the same day
                    day = dt.date.fromisoformat(record["date"])
                    new_clock = open_time(shop, day, rng, minutes_of(shop, record))
                    if new_clock.strftime("%H:%M") != record["time"]:
                        fix = time_phrase(w, new_clock, True)
                        lines.append(w.pick(f"아니요 {fix}요", f"아뇨 {fix}로 해 주세요", f"아니에요 {fix}요"))
                        record["time"] = new_clock.strftime("%H:%M")
                    lines.append(yes(w))
                elif index % 4 == 1:  # a question in the middle of the booking
                    question = rng.choice(list(shop["faq"]))
                    lines.insert(1, w.pick(*shop["faq"][question]))
                    lines.append(yes(w))
                else:
                    lines.append(yes(w))
                book(shop, record["date"], record["time"], minutes_of(shop, record))
                shop["names"].append(record["name"])
                booking_id = w.add(key, lines, [record])
                if index in (2, 5):  # the same caller later cancels
                    phone_line = [ln for ln in lines if "공일공" in ln or "010" in ln][-1]
                    name = record["name"]
                    if index == 5 and shop["names"].count(name) == 1:  # found by the name instead of the number
                        phone_line = w.pick(f"{name}으로 예약했어요" if _coda(name) else f"{name}로 예약했어요",
                                            f"{name} 이름으로 예약했는데요")
                    w.add(key, [w.filler() + w.pick("예약 취소하려고요", "예약한 거 취소해 주세요", "저 예약했는데 못 갈 것 같아서요",
                                                    "예약 캔슬할게요"), phone_line, yes(w)],
                          [{"type": "booking_cancel", "of": booking_id}])
                if index in (4, 8):  # or moves it
                    phone_line = [ln for ln in lines if "공일공" in ln or "010" in ln][-1]
                    day = dt.date.fromisoformat(record["date"])
                    opens, closes = shop["hours"][day.weekday()]
                    old = dt.time.fromisoformat(record["time"])
                    length = minutes_of(shop, record)
                    new_minutes = old.hour * 60 + old.minute + 60
                    if new_minutes > closes - length:
                        new_minutes = old.hour * 60 + old.minute - 60
                    new = dt.time(new_minutes // 60 % 24, new_minutes % 60)
                    if new_minutes < opens or not has_room(shop, dt.datetime.combine(day, new), length):
                        continue
                    book(shop, record["date"], new.strftime("%H:%M"), length)
                    w.add(key, [w.filler() + w.pick("예약 시간 좀 바꾸고 싶은데요", "예약 변경하려고요", "예약한 거 시간 옮길 수 있어요?",
                                                    "예약 시간 변경 좀 해 주세요"), phone_line,
                                f"{time_phrase(w, new, True)}로 바꿔 주세요", yes(w)],
                          [{"type": "booking_change", "of": booking_id, "time": new.strftime("%H:%M")}])
            # rules: a closed day, then the caller picks an open day
            closed = next(TODAY + dt.timedelta(days=d) for d in range(1, 8)
                          if not shop["hours"][(TODAY + dt.timedelta(days=d)).weekday()])
            good = open_day(shop, rng)
            item = rng.choice(list(shop["items"])) if shop["kind"] in ("salon", "other") else None
            clock = open_time(shop, good, rng, shop["minutes"].get(item, shop["slot"]))
            book(shop, good.isoformat(), clock.strftime("%H:%M"), shop["minutes"].get(item, shop["slot"]))
            name = w.name()
            said, phone = w.phone()
            party = 2 if shop["max_party"] > 2 else 1
            lines = [f"{date_phrase(w, closed)} {time_phrase(w, clock, True)}에 예약 돼요?",
                     f"그럼 {date_phrase(w, good)} {time_phrase(w, clock, True)}로 할게요"]
            if party > 1:
                lines.append(party_phrase(w, party))
            if item:
                lines.append(w.pick(*shop["items"][item]) + "요")
            lines += [say_name(w, name), said, yes(w)]
            w.add(key, lines, [{"type": "booking", "date": good.isoformat(), "time": clock.strftime("%H:%M"),
                                "party": party, "name": name, "phone": phone, "item": item}])
            # a caller who gives up: no record
            w.add(key, [w.filler() + "예약하려고요", w.pick("음 잠깐만요", "어 그게"), w.pick("아 모르겠네요", "나중에 다시 걸게요")], [])
        else:
            w.add(key, [w.filler() + "내일 저녁에 예약 되나요?", w.pick("아니요 괜찮아요", "아뇨 됐어요"), "끊을게요"], [])
            w.add(key, [w.filler() + w.pick("토요일에 자리 예약할 수 있어요?", "이번 주 금요일 오후에 예약 돼요?"),
                        w.pick("네 연결해 주세요", "네")], [{"type": "handoff"}])
        if shop["orders"]:
            for _ in range(10):
                chosen = rng.sample(list(shop["items"]), k=rng.randint(1, 2))
                qty = {item: rng.randint(1, 3) for item in chosen}
                counter = shop.get("counter", "개")
                words = []
                for item in chosen:
                    count = qty[item]
                    words.append(w.pick(f"{w.pick(*shop['items'][item])} {NATIVE[count]} {counter}",
                                        f"{w.pick(*shop['items'][item])} {count}{counter}",
                                        f"{w.pick(*shop['items'][item])} {NATIVE_FULL[count]}"))
                joined = w.pick(" 이랑 ".join(words), " 하고 ".join(words), ", ".join(words))
                day = TODAY
                opens, closes = shop["hours"][day.weekday()]
                clock = open_time(shop, day, rng, 0)
                while clock.hour < 11:  # pick-ups from 11:00 (the calls are at 10:00)
                    clock = open_time(shop, day, rng, 0)
                name = w.name()
                said, phone = w.phone()
                pickup_words = w.pick(f"{time_phrase(w, clock, True)}에 찾으러 갈게요", f"{time_phrase(w, clock, True)}요",
                                      f"{time_phrase(w, clock, True)}쯤 갈게요")
                if rng.random() < 0.3 and opens <= 10 * 60:  # "an hour from now" while the shop is open
                    later = rng.choice([(60, "한 시간 뒤에", "한 시간 후에요"), (90, "한 시간 반 뒤에 갈게요", "한 시간 반 있다가 갈게요"),
                                        (120, "두 시간 뒤에요", "두 시간 후에 갈게요")])
                    clock = (dt.datetime(2026, 12, 1, 10, 0) + dt.timedelta(minutes=later[0])).time()
                    pickup_words = later[1] if w.split == "dev" else later[2]
                lines = [w.filler() + w.pick(f"{joined} 포장 주문할게요", f"포장 주문하려고요. {joined}요",
                                             f"{joined} 포장 되나요?", f"테이크아웃으로 {joined} 부탁드려요"),
                         pickup_words,
                         say_name(w, name).replace("예약자는", "주문자는"), said, yes(w)]
                w.add(key, lines, [{"type": "order", "items": [{"name": i, "qty": qty[i]} for i in chosen],
                                    "pickup": dt.datetime.combine(day, clock).strftime("%Y-%m-%dT%H:%M"),
                                    "name": name, "phone": phone}])
    return w.calls


def main() -> None:
    for split, seed in (("dev", 1), ("test", 2)):
        calls = write_split(split, seed)
        with open(HERE / f"calls_{split}.jsonl", "w", encoding="utf-8") as handle:
            for call in calls:
                handle.write(json.dumps(call, ensure_ascii=False) + "\n")
        print(split, len(calls))


if __name__ == "__main__":
    main()
