"""Items with quantities out of what a caller said: "아아 두 잔", "아메리카노 2잔이랑 라떼 하나".

Names are matched on their jamo (라떼 ≈ 라테, 아메리까노 ≈ 아메리카노) with rapidfuzz, over windows of one
to three words with the particles that follow a noun taken off.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from rapidfuzz import fuzz

from moksori.assistant.numbers import native_pattern, sino_pattern, sino_tens_pattern, spoken_value
from moksori.assistant.slots import clean
from moksori.text.hangul import decompose, is_syllable

_PARTICLES = (
    "이랑", "랑", "하고", "이요", "요", "은", "는", "이", "가", "을", "를", "으로", "로", "도", "만", "에", "것",
    "거", "하나", "입니다", "이에요", "예요", "짜리",
)  # fmt: skip
COUNTERS = (
    "잔",
    "개",
    "그릇",
    "인분",
    "판",
    "마리",
    "세트",
    "병",
    "봉지",
    "조각",
    "컵",
    "접시",
    "통",
    "박스",
    "상자",
    "번",
    "회",
    "명",
    "줄",  # 김밥 한 줄
    "근",  # meat: 삼겹살 두 근
    "켤레",  # shoes: 운동화 두 켤레
    "벌",  # clothes: 정장 한 벌
    "팩",
    "말(?!씀)",  # rice cakes and grain by volume: 가래떡 한 말, 송편 한 되 (not 한 말씀)
    "되(?![나는었어요])",
)
# Below this jamo similarity (0–100) a window is not the item; measured on the item tables of the tests.
MATCH_FLOOR = 80.0
SHORT_MATCH_FLOOR = 85.0


@dataclass(frozen=True)
class ItemMention:
    name: str
    qty: int
    start: int  # index of the first word, to keep the caller's order
    counted: bool = True  # False when no quantity was said (qty is then 1)


def jamo(text: str) -> str:
    """Hangul syllables decomposed into their letters (onset, vowel, coda); other characters kept."""
    letters = []
    for char in text:
        if is_syllable(char):
            syllable = decompose(char)
            letters.append(syllable.onset + syllable.vowel + syllable.coda)
        else:
            letters.append(char)
    return "".join(letters)


@cache
def _counted() -> str:
    """A number and its counter: "두 개", "2잔", "세 줄", "오십 개"."""
    return rf"(?P<number>{native_pattern()}|{sino_tens_pattern()}|\d{{1,3}})\s?(?:{'|'.join(COUNTERS)})"


@cache
def _servings() -> str:
    """Servings are counted in Sino-Korean numbers: "이 인분" is two servings (native 두 인분 is said too)."""
    return rf"(?P<sino>{sino_pattern()})\s?인분"


@cache
def _quantity_pattern() -> re.Pattern[str]:
    counters = "|".join(COUNTERS)
    # A number before 시/분/명/월/일 is a time, a party or a date, not a quantity.
    # Without a counter the number ends the word or takes an ending ("하나요", "둘이랑"): 세트 is no 세.
    return re.compile(
        rf"^\s*(?:(?P<sino_count>{sino_tens_pattern()})\s?(?:{counters})|(?P<number>{native_pattern()}|\d{{1,3}})\s?(?:(?:{counters})|(?!\s?(?:시|분|명|월|일|사람))"
        rf"(?=[^가-힣]|$|이요|요|만|씩|이랑|랑|하고|도|이에요|예요))|{_servings()})"
    )


def _quantity_value(match: re.Match[str]) -> int | None:
    """The quantity a match of the patterns above says, up to 50 (more is a misheard number)."""
    value = spoken_value(match.group("number") or match.groupdict().get("sino") or match.groupdict().get("sino_count"))
    return value if value and value <= 50 else None


def _strip_particles(word: str) -> list[str]:
    """``word`` as said and without one particle; a polite 요 after the particle goes too ("장미로요")."""
    stems = [word] + ([word[:-1]] if word.endswith("요") and len(word) > 2 else [])
    forms = list(stems)
    for stem in stems:
        for particle in _PARTICLES:
            if stem.endswith(particle) and len(stem) > len(particle):
                forms.append(stem[: -len(particle)])
    return list(dict.fromkeys(forms))


_LETTER_FAMILY = {"ㄲ": "ㄱ", "ㅋ": "ㄱ", "ㄸ": "ㄷ", "ㅌ": "ㄷ", "ㅃ": "ㅂ", "ㅍ": "ㅂ", "ㅆ": "ㅅ", "ㅉ": "ㅈ", "ㅊ": "ㅈ"}


def _similarity(spoken: str, name: str) -> float:
    spoken_jamo, name_jamo = jamo(spoken), jamo(name)
    if spoken == name:
        return 100.0
    if len(name) <= 1 or len(spoken_jamo) < 3:
        return 0.0  # one-syllable names (젤) only match exactly
    if _LETTER_FAMILY.get(spoken_jamo[0], spoken_jamo[0]) != _LETTER_FAMILY.get(name_jamo[0], name_jamo[0]):
        # a word misheard or said casually keeps its first letter, tensed or not (잠심 for 점심, 까페 for 카페);
        # "아이 피아노" is not "성인 피아노"
        return 0.0
    score = fuzz.ratio(spoken_jamo, name_jamo)
    if len(name) <= 2 and (len(spoken) != len(name) or score < SHORT_MATCH_FLOOR):
        return 0.0  # 되나 is not 된장: two syllables leave little room for error
    return score


def space_out(text: str, names: dict[str, str]) -> str:
    """Spaces put back where a caller ran items and quantities together (the recogniser and typed lines
    both do): "페퍼로니피자하나고구마피자하나요" → "페퍼로니피자 하나 고구마피자 하나요", "고구마피자두판포장이요" →
    "고구마피자 두판 포장이요". Only a word holding two items, or an item run into a number, is split."""
    forms = sorted((form for form in names if len(form) >= 2), key=len, reverse=True)
    if not forms:
        return text
    item = re.compile("|".join(re.escape(form) for form in forms))
    counters = "|".join(COUNTERS)
    quantity = re.compile(rf"(?:{native_pattern()}|\d{{1,3}})(?:{counters})?")
    spaced = []
    for word in text.split():
        matches = list(item.finditer(word))
        run_into_number = any(quantity.match(word, m.end()) for m in matches)
        if len(matches) >= 2 or (matches and run_into_number):
            word = item.sub(lambda m: f" {m.group(0)} ", word)
            word = re.sub(rf"(?<![가-힣])((?:{native_pattern()}|\d{{1,3}})(?:{counters}))(?=[가-힣])", r"\1 ", word)
        spaced.append(word)
    return " ".join(" ".join(spaced).split())


def item_words(text: str, names: dict[str, str]) -> list[str]:
    """The words of ``text`` as ``find_items`` reads them (its mentions' ``start`` indexes them)."""
    return space_out(_WHICH_ONE.sub(r"\1\2", clean(text)), names).split()


def find_items(text: str, names: dict[str, str]) -> list[ItemMention]:
    """Items said, each with its quantity (1 when none is said).

    ``names`` maps every way to say an item (its name and aliases, spaces removed) to the item's name.
    """
    words = item_words(text, names)
    found: list[tuple[float, int, int, str]] = []  # (score, start, end, item)
    for start in range(len(words)):
        quantity_reached = False
        for end in range(start + 1, min(start + 4, len(words)) + 1):
            joined = "".join(words[start:end])
            # (a particle is taken off the last word only, never a whole word: 이 in "떡볶이 이 인분" is two)
            head = "".join(words[start : end - 1])
            exact = [names[head + form] for form in _strip_particles(words[end - 1]) if head + form in names]
            if exact:  # a name or alias said as written, numbers and all ("테니스 코트 두 시간")
                found.append((100.0 + (end - start) * 0.01, start, end, exact[0]))
                continue
            # "아아 두", "떡볶이 이 인분": the second word is the quantity, not part of a name said loosely
            quantity_reached = quantity_reached or (
                end - start > 1 and bool(_quantity_pattern().match(" ".join(words[end - 1 : end + 1]))))
            if quantity_reached or end - start > 3:
                continue  # past it, and beyond three words, only a name said as written
            best = (0.0, "")
            for form in _strip_particles(joined):
                if _names_a_kind(form, names):
                    continue
                for said, item in names.items():
                    score = _similarity(form, said)
                    if score > best[0]:
                        best = (score, item)
            if best[0] >= MATCH_FLOOR:
                found.append((best[0] + (end - start) * 0.01, start, end, best[1]))
    chosen: list[tuple[int, int, str]] = []
    used: set[int] = set()
    for _score, start, end, item in sorted(found, reverse=True):
        if used.isdisjoint(range(start, end)):
            chosen.append((start, end, item))
            used.update(range(start, end))
    chosen += _sharing_a_head(words, chosen, used, names)
    said_items = _shared_modifiers(words, sorted(chosen), used, _size_variants(names), names)
    mentions: dict[str, ItemMention] = {}
    for (start, end, item), said in said_items:
        if _picked_out(words, end) and any(m.name == item or m.name.startswith(item + " ") for m in mentions.values()):
            continue  # "아아 라지로 두 잔이랑 … 아아 하나는 얼음 적게": one of those, not one more
        qty = said or 1
        previous = mentions.get(item)
        if said is None and previous is not None:
            continue  # "과메기 두 세트 … 과메기 사면 김도 줘요?": talked about again, not one more
        # "감튀 하나랑 … 아 감튀는 두 개로 해 주세요": an item said again as the topic (은/는) or with its
        # quantity as the result (두 개로) restates its quantity; otherwise the two mentions add up.
        restated = words[end - 1].endswith(("은", "는")) or any(w.endswith("로") for w in words[end : end + 2])
        # A mention with no quantity before one with it is the same item said twice ("백설기 백설기 세 되").
        added = previous.qty if previous and previous.counted and not restated else 0
        counted = said is not None or (previous is not None and previous.counted)
        # (an item counted after being only named takes its place in the order where it was counted)
        mentions[item] = ItemMention(item, qty + added, previous.start if previous and previous.counted else start, counted)
    return sorted(mentions.values(), key=lambda mention: mention.start)


_POINTING = ("그거", "그거를", "그걸", "그것", "그것도", "이거", "이걸", "요거")
_EACH = ("각각", "각")
_EACH_SUFFIX = re.compile(r"씩(?:이요|요|이랑|이에요|만)?$")
# Words said between an item and its quantity that leave both as they are: how it is made ("따뜻하게 두 잔",
# "얼음 적게 한 잔").
# "오 키로짜리", "만 원짜리": which one of the item, said before its quantity ("귤 오 키로짜리 두 박스").
_WHICH_ONE = re.compile(r"(\S+)\s(\S*짜리)(?=\s|$)")  # "오 키로짜리" as one word
_OPTION = re.compile(r"^(?:\S+게|덜|얼음|얼음은|아이스로|핫으로|따뜻한|차가운|뜨거운|\S*짜리)$")


def _sharing_a_head(
    words: list[str], chosen: list[tuple[int, int, str]], used: set[int], names: dict[str, str]
) -> list[tuple[int, int, str]]:
    """Items said with the first word of the item before them left out ("콜드브루 큰 병 하나랑 작은 병 하나": the
    small bottle of cold brew), found among the words no item was found in just after it and a "…랑"."""
    found = []
    for start, end, _item in chosen:
        for place in range(end, min(end + 3, len(words))):
            if place in used:
                break
            if not words[place - 1].endswith(("랑", "하고", ",")):
                continue  # only another item said after "…랑", not "두 개 중에" (중 is no size there)
            span = _item_with_head(words, words[start], place, used, names)
            if span:
                found.append(span)
                used.update(range(span[0], span[1]))
                break
    return found


def _item_with_head(
    words: list[str], head: str, place: int, used: set[int], names: dict[str, str]
) -> tuple[int, int, str] | None:
    """The longest run of up to three words from ``place`` that names an item after ``head``."""
    for length in (3, 2, 1):
        if place + length > len(words) or not used.isdisjoint(range(place, place + length)):
            continue
        said = head + "".join(words[place : place + length - 1])
        item = next((names[said + form] for form in _strip_particles(words[place + length - 1]) if said + form in names),
                    None)
        if item:
            return place, place + length, item
    return None


@cache
def _picked_out_pattern() -> re.Pattern[str]:
    return re.compile(rf"^(?:{native_pattern()})(?:\s?(?:{'|'.join(COUNTERS)}))?[은는]$")


def _picked_out(words: list[str], end: int) -> bool:
    """A count said as the topic after an item ("아아 하나는 얼음 적게 해 주세요", "라떼 두 잔은 샷 추가요"): some of
    what is ordered, picked out for how it is made."""
    return any(_picked_out_pattern().match(" ".join(words[end : end + size])) for size in (1, 2))


def _size_variants(names: dict[str, str]) -> dict[tuple[str, str], str]:
    """(item, size word) → the item of that size, where the menu lists both ("흑당 버블티", "흑당 버블티 라지")."""
    items = set(names.values())
    return {(base, full[len(base) + 1 :]): full for full in items for base in items
            if full.startswith(base + " ") and " " not in full[len(base) + 1 :]}


def _size_said(word: str) -> str:
    """A word as a size word: "라지로요" → "라지"."""
    return re.sub(r"(?:으로|로)?요?$", "", word)


def _shared_modifiers(
    words: list[str], spans: list[tuple[int, int, str]], used: set[int], variants: dict[tuple[str, str], str],
    names: dict[str, str],
) -> list[tuple[tuple[int, int, str], int | None]]:
    """Each item said (span) with the quantity said for it. Items said one after another with no quantity of
    their own share what follows the last of them: a size ("흑당이랑 타로는 라지로") and a quantity said for
    each ("고기만두랑 김치만두 각각 두 판", "… 두 잔씩"); options in between are skipped ("밀크티 따뜻하게 두 잔").
    A kind said after an item that the menu lists with it ("반반 두 개요, 순살로요" where 순살 반반 is an item) is
    that item."""
    sizes = {size for _, size in variants}
    result: list[tuple[tuple[int, int, str], int | None]] = []
    waiting: list[int] = []  # indexes in result of the items said just before, with nothing after them
    absorbed: set[int] = set()  # where a kind word said for the item before begins
    for index, (start, end, item) in enumerate(spans):
        if start in absorbed:
            continue
        after, size, each = end, None, False
        while after < len(words) and after not in used and after - end < 3:
            if _size_said(words[after]) in sizes:
                size = _size_said(words[after])
            elif words[after] in _EACH:
                each = True
            elif not _OPTION.match(words[after]):
                break
            after += 1
        said = _quantity_after(words, after, used) or _quantity_inside(words[end - 1])
        each = each or any(_EACH_SUFFIX.search(word) for word in words[after : after + 2])
        following = spans[index + 1][0] if index + 1 < len(spans) else len(words)
        if size is None:  # a size after the quantity: "흑당 버블티는 세 잔 다 라지로"
            size = next((_size_said(word) for word in words[after : min(after + 4, following)]
                         if _size_said(word) in sizes), None)
        if size is None:
            said_as = "".join(words[start:end])
            for place in range(after, min(after + 4, len(words))):
                if not re.search(r"(?:으로|로)요?$", words[place]):
                    continue  # chosen as how it is to be: "순살로요" (in "순살 소자 하나요" 순살 begins an item)
                kind = names.get(_size_said(words[place]) + said_as) or names.get(said_as + _size_said(words[place]))
                if kind:  # and the kind word is no item of its own
                    item = kind
                    absorbed.add(place)
                    break
        group = [*waiting, len(result)]
        result.append(((start, end, item), said))
        if size:
            for member in group:
                (member_start, member_end, member_item), member_said = result[member]
                sized = variants.get((member_item, size))
                if sized:
                    result[member] = ((member_start, member_end, sized), member_said)
        if each and said:
            for member in waiting:
                result[member] = (result[member][0], said)
        waiting = group if after == end and said is None and following == end else []
    return result


def _names_a_kind(form: str, names: dict[str, str]) -> bool:
    """"케이크" at a cake shop: the end of several items' names (롤케이크, 초코케이크), so none of them."""
    return form not in names and len({item for said, item in names.items() if said.endswith(form) and said != form}) >= 2


# 네 counts only before a counter it is known with (네 개, 네 잔); before any other word it is a yes ("두 다발" still
# counts: 다발 is a counter too, if not a listed one)
_COUNTER_ONLY = frozenset(("네",))


def _quantity_after(words: list[str], end: int, used: set[int]) -> int | None:
    if end < len(words) and words[end] in _POINTING:
        end += 1  # "답례떡 세트 그거를 마흔 개"
    if end >= len(words) or end in used:
        return None
    following = " ".join(words[end : end + 2])
    match = _quantity_pattern().match(following)
    if match and match.group("number") in _COUNTER_ONLY and match.group(0).strip() == match.group("number"):
        return None  # "청국장? 네 보리밥 정식 두 개랑 …": 네 with no counter is a yes, not four
    return _quantity_value(match) if match else None


def _quantity_inside(word: str) -> int | None:
    """ "라떼하나", "아메리카노두잔": a quantity glued to the item's word."""
    match = re.search(rf"(?:(?P<number>{native_pattern()})\s?(?:{'|'.join(COUNTERS)})?|{_servings()})$", word)
    return _quantity_value(match) if match and match.start() > 0 else None


# "그거 하나 포장해 주세요", "둘이요": a native number said on its own (한/두 need a counter: 한 판, 두 개).
_BARE_NUMBER = re.compile(r"(?<![가-힣])(?P<number>하나|둘|셋|넷|다섯)(?:이요|이에요|만요|요|만|씩)?(?![가-힣])")


_REMOVE = re.compile(r"^(?:빼|빼고|취소|없애|제외)")


def removed_items(text: str, names: dict[str, str]) -> list[str]:
    """Items taken out of an order: "캘리포니아롤은 빼 주시고", "우동 취소해 주세요" (the last item named in the
    three words before 빼/취소/없애/제외)."""
    words = clean(text).split()
    removed = []
    for index, word in enumerate(words):
        if index and _REMOVE.match(word):
            before = find_items(" ".join(words[max(0, index - 3) : index]), names)
            if before:
                removed.append(before[-1].name)
    return removed


def restates_quantity(text: str) -> bool:
    """"치즈김밥은 두 줄로 해 주세요": …로 after a quantity gives an item a new quantity; the rest of the
    order stays (after an item, "마르게리타로 할게요", it replaces the order)."""
    return bool(re.search(rf"(?<![가-힣\d]){_counted()}\s?(?:으로|로)", clean(text)))


@cache
def _swap_count_pattern() -> re.Pattern[str]:
    return re.compile(rf"(?<![가-힣])(?P<number>{native_pattern()})(?:\s?(?:{'|'.join(COUNTERS)}))?[은는](?![가-힣])")


def swapped(ordered: list[ItemMention], mentions: list[ItemMention], text: str) -> list[ItemMention] | None:
    """The order with one of its items swapped for another ("뜨아 세 잔이요, 그거 셋 다 아아로 바꿔 주세요",
    "순살 반반 두 개 중에 하나는 눈꽃으로 바꿔 주세요") or for another size of it ("수육은 작은 걸로"): the ordered
    item named first, the new one after it; as many as said with 은/는 change ("하나는"), all of them otherwise; the
    rest of the order stays. None when the turn names anything else."""
    names = {mention.name: mention for mention in ordered}
    old = [mention for mention in mentions if mention.name in names]
    new = [mention for mention in mentions if mention.name not in names]
    if len(old) == 2 and not new and old[0].start < old[1].start and not old[1].counted:
        old, new = old[:1], old[1:]  # "아아 세 잔 중에 하나는 라떼로": into an item already ordered
    if not old and len(new) == 1:
        # "수육은 작은 걸로 바꿔 주세요": another size of the one ordered item that shares its first word
        old = [mention for mention in ordered if mention.name.split()[0] == new[0].name.split()[0]]
        if len(old) != 1:
            return None
    elif len(old) != 1 or len(new) != 1 or new[0].start < old[0].start:
        return None
    have = names[old[0].name].qty
    picked = _swap_count_pattern().search(clean(text))
    count = min(have, spoken_value(picked.group("number")) or have) if picked else have
    # the new item takes the old one's place (a count said with it is its own: "뜨아 세 잔 말고 아아 두 잔으로")
    into = names.get(new[0].name)
    added = new[0].qty if new[0].counted and into is None else count
    taken = [ItemMention(old[0].name, have - count, old[0].start, True)] if have > count else []
    if into is None:
        taken.append(ItemMention(new[0].name, added, new[0].start, True))
    return [
        item
        for mention in ordered
        for item in (
            taken if mention.name == old[0].name
            else [ItemMention(mention.name, mention.qty + added, mention.start, True)] if mention is into
            else [mention]
        )
    ]


def parse_quantity(text: str) -> int | None:
    """A quantity said without an item: "두 개", "세 잔이요", "2개" (the item is known from before)."""
    match = re.search(rf"(?<![가-힣\d])(?:{_counted()}|{_servings()})", clean(text))
    if not match:
        match = _BARE_NUMBER.search(clean(text))
    return _quantity_value(match) if match else None
