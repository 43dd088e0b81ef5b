"""What the caller wants, from keywords: the intents of a shop's phone line are few and their words are
distinctive (예약, 취소, 바꾸다, 포장, 전해 주세요, 사장님 바꿔 주세요), so rules are exact and testable.
"""

from __future__ import annotations

import re

from moksori.assistant.slots import PARTY_DIFFERENCE_WORDS

_HANDOFF = re.compile(
    r"(?<![가-힣])(?:사장님|사장|직원|사람|담당자|상담원|주인|원장님|원장|실장님|실장|매니저|선생님|점장님|점장)\s?(?:분|님)?\s?(?:이랑|하고|과|와|께|한테)?\s?"
    r"(?:좀\s)?(?:(?:바로|빨리|얼른|지금)\s)?(?:바꿔|연결|통화|직접|얘기|이야기|대화|전화\s?받)"
    r"|(?:사장님|원장님|실장님|점장님|선생님|담당자|직원)\s?(?:계세요|계신가요|있어요|있나요)\s.*(?:바꿔|연결|통화)"
    r"|(?<![가-힣])사람이랑\s?(?:얘기|통화)|(?:사장님|사람|원장님|실장님|선생님)\s?(?:안\s?)?(?:계세요|있어요|계신가요)\??$"
    r"|기계\s?말고|로봇\s?말고|상담원"
)
_CANCEL = re.compile(r"취소|캔슬|못\s?갈\s?것|못\s?가게|못\s?갈\s?거|안\s?갈\s?게|못\s?갈\s?듯|없던\s?걸로")
_CHANGE = re.compile(
    r"변경|바꾸|바꿀|바꿔|바꾸고|바꿨|옮기|옮겨|옮길|미루|미뤄|미룰|당기|당겨|당길|늦추|늦춰|늦출|수정|조정"
    r"|(?:인원|사람|명)\S*\s?(?:더\s)?(?:늘었|늘어|늘려|늘릴|줄었|줄어|줄여|줄일)"
)
# "예약했는데요 … 다섯 명으로요", "조인성 이름으로 예약했는데 한 명 더 가도 돼요?": a booking made before and a
# new value for it is a change, whatever verb carries it.
_BOOKED = re.compile(r"예약\s?(?:했|한|해\s?놨|해\s?뒀|해\s?두었|되어\s?있|돼\s?있)|잡아\s?(?:놓은|놨|둔|뒀)|(?:예약|시간)\S*\s?잡았")
_NEW_VALUE = re.compile(
    rf"(?:명|분|시|반|일|요일)\s?(?:으로|로)(?:\s|요|$|도|는)|(?:명|분)\s?{PARTY_DIFFERENCE_WORDS}"
    r"|혼자\s?(?:받|갈|올|할|가|와)"
)
_SHIFT = re.compile(r"(?:시간|분)\s?(?:정도\s?)?(?:만\s?)?(?:늦|미루|미뤄|당기|당겨|앞당|일찍)")
# (예약금 is a deposit: "예약금도 따로 걸어야 돼요?" asks a rule)
_BOOKING = re.compile(r"예약(?!\s?(?:했|한|된|되어|돼\s?있|해\s?놨|해\s?뒀|하신|번호)|금)|자리\s?(?:있|되|남|가능)|잡아\s?주|(?:명|분)\s?(?:되나요|돼요|가능|자리)")
# ("두 개만 빼 놔 주세요": kept aside for the caller, an order)
_ORDER = re.compile(
    r"주문|포장|테이크\s?아웃|픽업|(?:찾으러|가지러)(?!\s?(?:갔|왔))|가져갈|사\s?갈|시킬|시키려|시켜"
    r"|빼\s?(?:놔|놓아|둬|두어)|챙겨\s?(?:놔|둬|두어)|따로\s?빼"
)
# 전해 (pass on), not inside 운전해, 안전해, 완전해, 충전해 …: "끝나고 제가 직접 운전해서 집에 가도 되나요?" leaves no message
_PASS_ON = r"(?<![운안완온충발보자])전해"
_MESSAGE = re.compile(
    rf"메시지|메세지|메모|{_PASS_ON}|전달|남기|남겨|연락\s?(?:좀\s)?(?:주|달|부탁|바랍)|전화\s?(?:좀\s)?(?:주시|주세요|달라|부탁)|콜백"
    r"|문자\s?(?:좀\s|하나\s)?(?:주|남기|남겨|보내|부탁|드려)"
)
_GOODBYE = re.compile(
    r"끊을게|끊겠|수고하세|수고하십|안녕히|들어가세요|^(?:아니요\s|아뇨\s)?(?:됐습니다|됐어요)|그게\s?다|이만(?!\s?(?:원|[일이삼사오육칠팔구]?[천백]))|괜찮습니다|(?:다음에|나중에)\s?(?:다시\s?)?(?:할게|걸게|전화)|다시\s?걸게|"
    r"^(?:(?:네|예|아|음|아니요|아뇨|이제|더|다른|건|거는|그건|뭐|딱히|특별히|지금은|일단은?)\s)*(?:없어요|없습니다)|아니요\s?괜찮|고맙습니다$|감사합니다$|감사해요$|고마워요$|다른\s?(?:데|곳|가게|집)\s?(?:알아볼|알아 볼|가\s?볼|찾아\s?볼)|(?:다시|이따가?|나중에)\s?(?:전화|연락)\s?(?:할게|드릴게|드리겠|하겠)|수고\s?(?:허쇼|하이소|하이다)|들어가이소"
    # "네 감사합니다 이따 갈게요", "알겠습니다 다음에 들를게요": thanks, and coming by some time (a day or an hour
    # said with it asks for a booking)
    r"|(?:감사합니다|고맙습니다|감사해요|고마워요|알겠습니다|알겠어요)\s(?:그럼\s)?(?:(?:이따가?|나중에|다음에|조만간|금방|지금|바로|곧|지금\s바로)\s)?"
    r"(?:갈게요|들를게요|가\s?볼게요|들르겠습니다|가겠습니다|찾아갈게요)$"
)
# Leaving a message said outright wins over the subject of the message ("단체 예약 견적 문의드린다고 전해 주세요").
_LEAVE_MESSAGE = re.compile(
    rf"(?:메시지|메세지|메모|문의)\s?(?:를\s?|좀\s|하나\s|하나만\s)?(?:남기|남길|남겨|전해|드릴)|{_PASS_ON}\s?(?:주세요|줘|주실|달라|드려)|전달\s?(?:해\s?주|부탁)"
    # "사장님한테 전화 좀 달라고 해 주세요" (Gyeongsang: "달라 캐 주이소")
    r"|(?:사장님|주인\s?분|원장님|실장님)\s?(?:께|한테|에게)\s.+(?:라고|라)\s?(?:좀\s)?(?:해|캐)\s?(?:주세요|주이소|줘요|주십시오)"
)
_NO_MORE = re.compile(r"^(?:아니요|아뇨|아니에요|아니|없어요|없습니다|괜찮아요|괜찮습니다|됐어요)")
# ("귀가 잘 안 들리고 말하기도 어려워서 …" tells why the caller types; it asks nothing to be said again)
_REPEAT = re.compile(
    r"^(?:뭐|뭐라고|네에)요?$|다시\s?(?:한\s?번\s?)?(?:천천히\s?)?말씀(?!드리)"
    r"|잘\s?안\s?들(?:려요|렸어요|렸는데요?|리는데요?|립니다|리네요)"
    r"|뭐라고요|뭐라고\s?하셨|못\s?들었|한\s?번\s?더\s?(?:천천히\s?)?말씀"
)
# "천천히 말씀해 주세요", "못 읽었어요": asking again only as the turn's last sentence ("조금 천천히 말씀해 주세요. 문자로도
# 상담을 받을 수 있습니까?" asks the question)
_SLOWER = re.compile(r"천천히\s?(?:다시\s?)?말씀|못\s?(?:읽었|봤)")
_PARDON = re.compile(r"(?:네|예|응|어|네에|예에)\s*\?+")
_BARE_YES = re.compile(r"(?:네|예|응|넵|네네|예예)(?:\s?(?:네|예))*")
_THIS_NUMBER = re.compile(r"이\s?번호|지금\s?(?:거는|건|전화한)\s?번호|이걸로|발신\s?번호")

# Regional question endings count too: Gyeongsang -능교/-는교/-나예/-까예/-니껴, Jeolla -당가/-랑가.
_REGIONAL_QUESTION = r"(?:능교|는교|나예|까예|니껴)(?![가-힣])|(?:당가|랑가)요?(?![가-힣])"
_QUESTION_WORDS = re.compile(
    rf"{_REGIONAL_QUESTION}|\?|팔아요|파세요|팔죠|취급|알려\s?주|가르쳐\s?주|궁금|여쭤|문의|나요|가요|까요|어요\s*$|워요\s*$|않아요\s*$|괜찮아요|세요\s*$|에요\s*$|예요\s*$|죠|얼마|몇|어디|언제|무슨|어떤|어때|뭐|있어요|돼요|되요|되죠|하죠|해요\s*$|습니까"
)
_HOURS = re.compile(
    r"영업\s?시간|몇\s?시\s?(?:까지|부터|에\s?(?:열|닫|문|오픈|마감))|문\s?(?:열|닫|여)|오픈|마감|쉬는\s?날|휴무|"
    r"쉬(?:어요|나요|세요|시나요|는지)|영업\s?(?:하|해)|(?:오늘|내일|모레|요일|주말)\s?(?:은|에도|에|엔|도)?\s?(?:해요|하나요|하세요|영업)|"
    # (not "다운펌하고 나서 머리는 언제부터 감아도 돼요?", "언제까지 다시 갖다 드려야 돼요?": a time from which or by
    # which to do something else)
    r"(?:몇\s?시|언제)\s?(?:까지|부터)(?!\s?(?:[가-힣]+\s){0,2}[가-힣]*(?:아도|어도|해도|면|야)(?![가-힣]))"
)
# "어디" asks for the shop only when nothing else is named before it ("화장실 어디에 있어요" is not the address).
# ("지금 가는 길인데요" is on the way, asking none)
_ADDRESS = re.compile(
    r"(?<!메일\s)(?<!메일)(?<!홈페이지\s)주소|위치가?\s?어떻|찾아가는\s?길|찾아가려면|어떻게\s?찾아가|오시는\s?길|가는\s?길(?!\s?(?:이에요|인데|이니까|이라|이거든|입니다))|어떻게\s?가|몇\s?층|"
    r"^(?:(?:어|음|저기요|저|아|그|네)\s)*(?:(?:가게|매장|거기|여기|그쪽|가게가|매장이|거기가|여기가|위치가|위치는)\s?){0,2}어디"
)
# "얼마나 걸려요?" asks how long, not how much
_PRICE = re.compile(r"얼마(?!나\s?(?:걸|오래|기다))|가격|비용|요금|금액|값")
_ITEMS = re.compile(
    r"메뉴(?!판)|뭐\s?(?:있|팔|해)|어떤\s?(?:거|게|것|메뉴|시술|서비스)|종류|시술\s?(?:뭐|종류)|파는"
)


# "라떼 시킬 때 우유를 두유로 바꿀 수 있어요?": what an order can have, asked; nothing is ordered or changed
_WHEN_ORDERING = re.compile(r"(?:시킬|주문할|포장할)\s?때\s.*(?:수\s?(?:있|없)|돼요|되나요|되죠|되요|가능)")


# Choosing there, in person, said last: "이따 가서 시킬게요", "가서 메뉴 보고 고를게요" (not "그건 이따 가서
# 물어볼게요. 주문할게요, …")
_IN_PERSON = re.compile(r"가서\s(?:\S+\s){0,3}(?:시킬|주문할|고를|정할)(?:게요|께요|게)\s*$")


def detect(text: str) -> str | None:
    """handoff, check, cancel, change, booking, order, message, goodbye, no, or None (a question or a slot
    value)."""
    if _HANDOFF.search(text):
        return "handoff"
    if _WHEN_ORDERING.search(text):
        return None
    if re.search(r"예약\s?(?:확인|했는지|됐는지|되어\s?있는지|잘\s?됐)", text) and not _CHANGE.search(text):
        return "check"
    # "예약했다가 못 가게 되면요, 돈은 돌려받을 수 있나요?": what happens if, asked; nothing is cancelled
    # "작은애가 못 가게 돼서 다섯 명으로 줄여 주세요": one person cannot come; the booking is changed, not cancelled
    someone_drops = _asks_change(text) and _NEW_VALUE.search(text) and "취소" not in text
    if _CANCEL.search(text) and not someone_drops and not re.search(
        r"취소\s?(?:하면|되면|수수료|규정|가능한가|할\s?수\s?있)|못\s?가게\s?되면|못\s?가면", text
    ):
        return "cancel"
    # (킬로 is a unit and 바로 an adverb: "몇 킬로 타면 바꿔 주는 게 좋아요?" changes no booking)
    # "푹신한 안장으로 바꾸면 얼마예요?" asks a price; it changes no booking
    if _asks_change(text) and ("예약" in text or not _PRICE.search(text)):
        return "change"
    if _BOOKED.search(text) and _NEW_VALUE.search(text):
        return "change"
    if _LEAVE_MESSAGE.search(text):
        return "message"
    # "케이크는 며칠 전에 주문해야 돼요?", "배달앱으로 시키면 최소 주문 금액이 얼마예요?" ask a rule, they order nothing
    if _IN_PERSON.search(text):
        return "goodbye"  # "그냥 이따 가서 메뉴 보고 시킬게요": ordered there, later
    if _ORDER.search(text) and not re.search(
        r"(?:주문|예약)\S*\s?(?:해야|필수)|며칠\s?전|최소\s?주문|(?:시키|주문하|포장하)면\s.*(?:얼마|금액|비용|요금)"
        # "미리 튀겨 놓은 거예요 아니면 주문하면 바로 튀겨 주세요?": how an order is made, asked
        r"|(?:시키|주문하|포장하)면\s(?:바로|금방|빨리|어떻게|언제|얼마나)",
        text,
    ):
        return "order"
    if (
        _BOOKING.search(text)
        and not _PRICE.search(text)
        and not re.search(r"예약\s?(?:해야|필수|없이|안\s?하|꼭|취소하면|변경하면|바꾸면)|예약\S*\s?했다가", text)
    ):
        return "booking"
    if _MESSAGE.search(text):
        return "message"
    if _NO_MORE.match(text):
        return "no"
    if _GOODBYE.search(text):
        return "goodbye"
    return None


def says_goodbye(text: str) -> bool:
    """"안녕히 계세요", "끊을게요", "감사합니다": a goodbye word anywhere in the turn."""
    return bool(_GOODBYE.search(text))


def _asks_change(text: str) -> bool:
    """A change word with what it changes: the booking, its time, day or party, or a new value said with 로 in
    the same sentence ("토요일로 옮겨 주세요"; "중고로 매입도 하세요? 이번에 바꾸려고 해서요" changes no booking)."""
    if not _CHANGE.search(text):
        return False
    if re.search(r"예약|시간|날짜|인원|명|시로|일로|요일로", text):
        return True
    return any(_CHANGE.search(part) and re.search(r"(?<![킬바뒤])로\s", part) for part in sentences(text))


def asks_callback(text: str) -> bool:
    """"…연락 달라고 전해 주세요", "전화 좀 주시라고 해 주세요": the owner is to call back."""
    return bool(re.search(r"(?:연락|전화)\s?(?:좀\s)?(?:달라|주시라|해\s?달라|주셨으면|부탁)", text))


def has_task_word(text: str) -> bool:
    """Whether ``text`` holds a word of a task (예약, 포장, 조정, 취소…): an item named "기어 조정" does."""
    return any(pattern.search(text) for pattern in (_CHANGE, _CANCEL, _BOOKING, _ORDER, _MESSAGE))


def picks_up(text: str) -> bool:
    """"내일 장미 꽃다발 하나 찾을 수 있어요?": coming to collect something, said as a question too."""
    # (not what was done: "어제 치킨 찾으러 갔다가 카드를 두고 왔어요")
    return bool(re.search(r"(?:찾으러|가지러|받으러)(?!\s?(?:갔|왔))|찾아\s?갈|찾을\s?(?:수|게|께|거)|가져갈|받아\s?갈|픽업", text))


def after_background(text: str) -> str:
    """The clause after the last "…는데/은데/인데": "안경 찾으러 가려는데 몇 시까지 하세요?" → "몇 시까지
    하세요?" (what comes before it is the background of the question); the whole turn when there is none."""
    parts = re.split(r"(?:는데|은데|인데|던데)요?,?\s", text)
    return parts[-1] if len(parts) > 1 and parts[-1].strip() else text


def asks_free_times(text: str) -> bool:
    """"몇 시에 자리 있어요?", "제일 빠른 시간으로 해 주세요", "아무 때나 괜찮아요": the caller leaves the time
    to the shop."""
    return bool(re.search(
        r"몇\s?시(?:에|쯤|가)?\s?(?:자리|예약|가능|돼|되|비어|괜찮|비는|빈)|언제\s?(?:가능|돼|되|비어|비는)|빈\s?시간|"
        r"가능한\s?시간|(?:제일|가장)\s?빠른|아무\s?(?:때|시간)|빨리\s?되는",
        text,
    ))


def acknowledges(text: str) -> bool:
    """"네 알겠습니다", "아 그렇구나": the answer was heard, nothing is asked."""
    return bool(re.fullmatch(r"(?:(?:네|예|아|아하|음)\s)*(?:알겠습니다|알겠어요|알았어요|그렇군요|그렇구나|그렇구나요)", text))


def is_message_text(text: str) -> bool:
    """"…으로 전화 부탁드려요", "…라고 전해 주세요": words to pass on to the owner."""
    return bool(_MESSAGE.search(text))


def names_task(text: str) -> bool:
    """The words that name a booking or an order outright (not 자리 있어요, 시켜요, which questions use too)."""
    return bool(re.search(r"예약|주문|포장|테이크\s?아웃|픽업|찾으러|가지러", text))


# "죽값 좀 빼 주시거나 그러진 않아요?", "값 좀 깎아 주세요": money back or off asked for, not a price
_LESS = re.compile(r"(?:값|가격|금액|요금|비용|돈)\S*\s?(?:좀\s)?(?:빼|깎|할인|돌려|환불)")


def question_kind(text: str) -> str | None:
    """hours, address, price, items or booking_info: questions the profile itself answers."""
    if _PRICE.search(text) and not _LESS.search(text):
        return "price"
    if _HOURS.search(text):
        return "hours"
    if _ADDRESS.search(text):
        return "address"
    if _ITEMS.search(text):
        return "items"
    if re.search(r"예약", text):
        return "booking_info"
    return None


# A polite sentence ends in 요 (a formal one in 니다); a recogniser writes no punctuation between two sentences of
# one turn.
# (a plain exclamation ends one too: "그럼 거기 가서 먹어야겠네 고기는 어디 거 써요", "아 샤브샤브집이구나 그럼 …")
_SENTENCE_END = re.compile(r"(?<=[?!.])\s+|(?<=요)\s+|(?<=니다)\s+|(?<=겠네)\s+|(?<=구나)\s+")


def sentences(text: str) -> list[str]:
    """The sentences of a turn: "틀니는 맞춰 주세요 어머니가 쓰실 거라서요" → ["틀니는 맞춰 주세요", "어머니가 …"]."""
    return [part.strip() for part in _SENTENCE_END.split(text) if part.strip()]


def looks_like_question(text: str) -> bool:
    """A question ending anywhere a sentence ends: a reason often follows the question ("틀니는 맞춰 주세요
    어머니가 쓰실 거라서요")."""
    return any(_QUESTION_WORDS.search(sentence) for sentence in sentences(text))


_THEN = re.compile(r"(?:^|\s)(?:그럼|그러면|그라면|그람|그면)\s")


def after_then(text: str) -> str:
    """What follows the last 그럼 ("아 일요일은 쉬시는구나 그럼 토요일은요?" → "토요일은요?"), or the whole turn."""
    parts = _THEN.split(text)
    return parts[-1] if len(parts) > 1 and parts[-1].strip() else text


_HESITATIONS = re.compile(r"그\s?뭐냐|뭐더라|뭐지|거시기|(?:^|\s)(?:거기|여기)\s?\S+(?:맞죠|죠|지요|맞지요|맞나요|지예|이지라)(?:\?|\s|$)")


def without_hesitations(text: str) -> str:
    """The turn without words that only hold the floor ("그 뭐냐", "거시기") or check the number dialled
    ("거기 반찬가게죠?"): they end like questions, and the rest of the turn may ask for nothing."""
    return _HESITATIONS.sub(" ", text)


_ASKS = re.compile(
    # ("네 괜찮아요" declines: it asks nothing)
    rf"\?|알려\s?주|궁금|나요|가요|까요|죠|얼마|몇|어디|언제|무슨|어떤|뭐|있어요|없어요|돼요|되요|(?<!네\s)(?<!예\s)괜찮아요|습니까"
    rf"|{_REGIONAL_QUESTION}"
    r"|기도\s?(?:해요|하세요)$"  # "방을 꾸며 주시기도 해요": whether the shop does that too
)


def asks(text: str) -> bool:
    """A question for certain: not a name or a number said with a polite ending (조수아요, 이지은이에요)."""
    return bool(_ASKS.search(text))


# A caller on a bad line checking it is still there: "여보세요? 여보세요? 끊겼나?", "아 네네 들려요", "아 이제 들리네"
_LINE_WORD = re.compile(r"여보세요|여보시오|들리세요|들리나요|들려요|들리네요?|들립니다|끊겼나요?|끊겼어요|끊긴\s?거")
_LINE_CHECK = re.compile(
    rf"^(?:(?:{_LINE_WORD.pattern}|아|어|네|네네|예|이제|잘|음|지금)(?:\s|$))+"
)


def after_line_check(text: str) -> tuple[bool, str]:
    """(whether the turn begins by checking the line, what follows it): "여보세요 여보세요 아 이제 들리네 예약했다가
    못 가게 되면 환불돼요" → (True, "예약했다가 …")."""
    check = _LINE_CHECK.match(text)
    if not check or not _LINE_WORD.search(check.group()):
        return False, text
    return True, text[check.end() :].strip()


def asks_repeat(text: str) -> bool:
    """"뭐라고요?", "다시 말씀해 주세요": the caller did not catch the last prompt. (A bare "네?" is not
    told apart from "네" once punctuation is gone, so it stays a yes.)"""
    said = sentences(text)
    return bool(_REPEAT.search(text)) or bool(said and _SLOWER.search(said[-1]))


def declines(text: str) -> bool:
    """"괜찮아요", "됐어요" to an offer: no, thank you (to a read-back "괜찮아요" would be a yes)."""
    return bool(re.search(r"괜찮아요|괜찮습니다|됐어요|됐습니다|안\s?해도\s?(?:돼|되)", text))


def pardon(line: str) -> bool:
    """"네?", "예?": with its question mark (typed or scripted), a bare yes word asks what was said."""
    return bool(_PARDON.fullmatch(line.strip()))


def holds_on(text: str) -> bool:
    """"잠시만요", "아 잠깐만요": the caller needs a moment; the question stays open."""
    return bool(re.fullmatch(
        r"(?:(?:아|음|어|네)\s)?(?:잠시만|잠깐만|잠깐|잠시)(?:요|만요)?(?:\s기다려\s?주세요|\s\S+(?:한테|께)\s물어보고요?)?",
        text.strip(" .?!"),
    ))


def yes_but(text: str) -> bool:
    """"네 근데 한 명 더 올 수도 있어요": a yes that goes on to something else is no yes yet."""
    return bool(re.search(r"(?:근데|그런데|다만|하지만|그치만)\s", text))


def without_change_words(text: str) -> str:
    """``text`` with the words of changing taken out: where a shop takes no bookings, "두유로 바꿔 주실 수
    있어요?" asks about the drink, and "…바꿀 수 있는지 문자로 알려 달라고요" leaves a message."""
    return _CHANGE.sub(" ", text)


def asks_for_a_change(text: str) -> bool:
    """"…네 시로 바꿔 주세요", "목요일 말고요": something is to be different, whether or not its new value was
    understood."""
    return bool(_CHANGE.search(text) or re.search(r"(?:^|\s)말고", text))


def only_agrees(text: str) -> bool:
    """"네 맞아요", "예 그래요": agreement and nothing else, no words to pass on."""
    return bool(re.fullmatch(r"(?:(?:아|음)\s)?(?:(?:네|예|응)\s?)*(?:맞아요|맞습니다|그래요|좋아요|알겠어요)?", text.strip(" .?!")))


def one_more(text: str) -> bool:
    """"하나 더 잡아 주세요", "남편 것도 하나 더 할게요", "하나 추가해 주세요": another booking like the one just
    made."""
    return bool(re.search(r"하나\s?(?:더|추가)\s?(?:잡|해|할|예약|부탁)|(?:것|거)도\s?하나\s?더", text))


def starts_with_yes(text: str) -> bool:
    """"네 …", "예 맞아요 …", "좋아요 …": the turn opens with a yes."""
    return bool(re.match(r"(?:(?:아|음)\s)?(?:네|예|응|넵|맞아요|맞습니다|좋아요|그래요|그렇게)(?![가-힣])", text))


def bare_yes(text: str) -> bool:
    """"네", "예", "응" and nothing else: where no yes or no was asked, the caller is only saying they listen."""
    return bool(_BARE_YES.fullmatch(text))


def right_away(text: str) -> bool:
    """"지금 바로 갈게요": a pick-up as soon as the order can be ready."""
    return bool(re.search(r"지금\s?바로|바로\s?(?:갈|가지러|찾으러)|지금\s?(?:갈|출발|가지러|찾으러)", text))


def this_number(text: str) -> bool:
    """ "이 번호로 해 주세요": the caller means the number they are calling from."""
    return bool(_THIS_NUMBER.search(text))


def wants_owner(text: str) -> bool:
    """"연결해 주세요", "직접 통화할게요": the answer to "a message or the owner?" that picks the owner."""
    return bool(re.search(r"연결|통화|바꿔|직접\s?(?:얘기|말)", text)) and not re.search(r"메시지|메세지|남길|남겨", text)


# "늘 먹던 걸로", "지난번이랑 같은 걸로", "원래 하던 시간에": what the caller always has, which the assistant
# cannot know; asked for again, it is a new task
_THE_USUAL = re.compile(
    r"(?:늘|항상|맨날|매번)\s?(?:먹던|먹는|시키던|시키는|하던|하는)|(?:먹던|시키던|하던)\s?(?:걸로|거로|대로)"
    r"|(?:지난번|저번|전)(?:이랑|하고|과|처럼)\s?(?:똑\s?)?같은|원래\s?하던"
)


def asks_the_usual(text: str) -> bool:
    return bool(_THE_USUAL.search(text))


# A visit or an order that is over: "어제 점심에 낙지김치죽 포장해 간 사람인데요 … 이십 분이나 기다렸어요", "그저께
# 비키니 라인 받았는데 오늘 보니까 빨갛게 올라왔어요": told, not asked for again
_PAST_DAY = re.compile(r"(?<![가-힣])(?:어제|그저께|그제|엊그제|지난\s?주|지난번|저번(?:\s?주)?|지난\s?달|며칠\s?전|아까)")
_NEW_TASK = re.compile(
    r"(?:예약|주문|포장|시키|시켜|받|하|찾으러\s?가|가지러\s?가)\S*?(?:할게|하려|려고|러\s?갈|고\s?싶|할\s?수|해\s?주|해도|돼요|되나요|될까요|가능)"
    r"|(?:갈게요|가려고|갈\s?건데|갈\s?거예요|할게요|하려고|할래요|하고\s?싶어요|할\s?건데)"
    r"|" + _THE_USUAL.pattern
)


# "…다섯 개 주문한 서경민인데요, 일곱 개로 늘릴 수 있을까요?", "아까 라자냐 두 개 포장 주문한 …, 하나를 까르보나라로
# 바꿀 수 있을까요?": an order already made, to be changed
_ORDERED = re.compile(r"(?:주문|포장|시킨|시켰)(?:한|했|해\s?놓은|해\s?둔|\s)|시킨|시켰")
_ALTER = re.compile(r"늘리|늘릴|늘려|줄이|줄일|줄여|바꾸|바꿀|바꿔|변경|말고")


def changes_an_order(text: str) -> bool:
    return bool(_ORDERED.search(text)) and bool(_ALTER.search(text)) and "예약" not in text


def tells_a_past_visit(text: str) -> bool:
    """A story of a visit or an order that is over, with nothing new asked for: a complaint or a question about
    it, never a booking or an order (the caller of this also checks that no day to come is named)."""
    return bool(_PAST_DAY.search(text)) and not _NEW_TASK.search(text)


def requests_owner(text: str) -> bool:
    """"사장님 바꿔 주세요", "원장님이랑 통화할게요": the owner asked for in so many words, whatever else the turn says."""
    return bool(re.search(r"(?:바꿔|연결해|돌려)\s?(?:주세요|줘요|주십시오|주실래요|달라고요)|통화\s?(?:할게요|하고\s?싶|하겠)", text))


def wants_message(text: str) -> bool:
    return bool(re.search(rf"메시지|메세지|메모|남길|남겨|{_PASS_ON}|전달", text))


def is_greeting(text: str) -> bool:
    """"여보세요", "안녕하세요", "거기 섬섬옥수죠?": the caller checking the line, not asking anything yet."""
    return bool(
        re.fullmatch(r"(?:(?:네|예|아|어|음)\s)?(?:여보세요|안녕하세요|여보세요\s?안녕하세요|저기요)(?:\s?네)?", text)
        # the shop's name between, a few words none of which ends a sentence: "거기 굴보쌈 아직 나와요 철 지난 거
        # 아니죠" asks about the food
        or re.search(
            r"^(?:(?:네|예|아|어|음|여보세요)\s)*(?:거기|여기)\s(?:[^\s요]+\s){0,3}\S*(?:맞죠|맞나요|맞아요|이죠|죠|인가요)$",
            text,
        )
    )


_OWNER_WORDS = r"(?:사장님|사장|주인\s?분|주인|원장님|실장님|선생님)"


# Whom a message is for: the owner, or anyone called by a title (약사님께, 코치님한테, 주인분께)
_TO_WHOM = r"(?:[가-힣]{1,3}님|주인(?:\s?분)?)\s?(?:께|한테|에게)"


def message_body(text: str) -> str | None:
    """The message itself when the caller says it with the request ("사장님께 내일 늦는다고 전해 주세요")."""
    match = re.search(
        rf"{_TO_WHOM}\s?(.+?)\s?고만?\s?(?:좀\s)?(?:(?:메시지|메세지|문자)\s?(?:로\s?)?)?(?:전해|전달|말씀|남겨)",
        text,
    )
    if match and len(match.group(1)) >= 4:
        return match.group(1).strip()
    # "메시지 남길게요 … 단체 예약 문의드린다고 전해 주세요": the clause before "…고 전해", after the last
    # sentence ending before it.
    # "…줄여 달라고 사장님께 전해 주세요": whom to tell may come between.
    match = re.search(rf"(.+?(?:다|라|냐|자))고?\s?(?:{_OWNER_WORDS}\s?(?:께|한테|에게)\s?)?(?:좀\s)?(?:(?:메시지|메세지)\s?(?:로\s?)?)?(?:전해|전달|남겨|해\s?주|캐\s?주)", text)
    if match:
        clause = re.split(r"(?:요|데|고)\s", match.group(1))[-1].strip()
        if len(clause) >= 4:
            return clause
    # "메시지 하나 남겨 주세요 애기가 새우 알레르기가 있어서 … 빼 달라고요 번호는 …": the words after the request
    request = _LEAVE_MESSAGE.search(text)
    if request:
        rest = text[request.end() :].split(" ", 1)  # the request word's own ending ("…게요", "…고") goes
        rest_text = re.sub(r"^(?:싶은데요|싶어요|싶습니다|주세요|주실래요|줘요|드릴게요)\s?", "", rest[1] if len(rest) > 1 else "")
        rest_text = re.sub(rf"^{_TO_WHOM}요?(?:\s|$)", "", rest_text)  # "…남겨 주세요, 약사님한테요": whom to, no message
        after = re.split(r"(?:^|\s)(?:제\s)?(?:번호는|번호|전화번호는|연락처는)\s|(?:^|\s)공일공|(?:^|\s)010", rest_text)[0].strip()
        if len(after) >= 6:
            return after
    return None


def gives_up_task(text: str) -> bool:
    """"예약은 나중에 할게요 대신 …", "그냥 메시지 남길게요", "금요일은 안 된대요": the task begun is left."""
    return bool(re.search(r"나중에|그냥|대신|안\s?(?:돼|된|되)", text))


# "일곱 시 거는 그대로 두고요", "제 종합 검진은 그대로 두고요": another booking, left as it is
_KEPT = re.compile(r"(?:(?!\S*요\s)\S+\s){0,4}\S*(?:거는|건|것은|는|은)\s그대로\s?(?:두고요|두고|둬\s?주세요|두세요|해\s?주세요|이고요|요)?")
# "다음 주 목요일 제 펌 말고요, 아들 커트만 …": the booking not meant
_NOT_THAT = re.compile(r"(?:(?!\S*요\s)\S+\s){0,4}\S+\s말고요")


def without_other_bookings(text: str) -> str:
    """``text`` without what it says of the caller's other bookings (kept as they are, or not meant)."""
    return _NOT_THAT.sub(" ", _KEPT.sub(" ", text))


def new_values_part(text: str) -> str:
    """The words giving the new values in a change request: "7시 예약을 8시로 바꿔 주세요" → "8시로 바꿔 주세요",
    "… 한 명 더 가도 될까요? 다섯 명으로요" → "다섯 명으로요"."""
    text = without_other_bookings(text)
    # "김민수 이름으로 예약했는데요": 이름으로 names the booking, it is no new value
    text = re.sub(r"(?:이름|번호|성함|명의)\s?(?:으로|로)", "", text)
    # (a formal sentence ends in …니다: "…4명으로 예약한 윤서하입니다 번호는 … 6명으로 바꾸고 싶습니다")
    # ("여덟 시에 네 명으로 잡은 거요, 한 명 더 와서 다섯 명으로 바꿔 주세요": the booking is described, then changed)
    # ("…예약한 이준혁이고요, … 목요일에 일이 생겨서 이번 주 금요일 같은 시간으로 옮길 수 있을까요?": the reason told
    # before the new value is no part of it)
    parts = re.split(r"(?:을|를|에서|말고|인데요?|는데요?|했는데요?|니다|거요|고요|어서|아서|해서|겨서|[?.!])\s", text)
    for part in reversed(parts):
        if re.search(r"(?<!그대)로\s|(?<!그대)로$|으로", part) or _NEW_VALUE.search(part) or _SHIFT.search(part):
            return part
    return parts[-1] if len(parts) > 1 else ""


# 말고, 아니라/아니고, and a bare 아니(다/야/요) in the middle of a turn ("세시에 펌이요 아 아니다 네시요"); a
# turn that starts with 아니요 is a no, not a correction inside the turn.
# "… 다시 말씀드리면 …" says a value again, as a correction does ("공일공 오삼일육 … 다시 말씀드리면 공일공 오삼칠육 …")
_CORRECTION = re.compile(
    r"말고|(?:이|가)?\s?아니(?:라|고)\s|(?<=\S)\s(?:아\s)?아니(?:다|야|요)?\s"
    r"|(?<=\S)\s다시\s?(?:말씀\s?드리면|말하면|불러\s?드리면)\s"
)


def split_correction(text: str) -> tuple[str, str]:
    """(what was said before the last correction, the new value): "7시 말고 8시요" → ("7시", "8시요");
    ("", text) when the turn corrects nothing inside itself."""
    parts = _CORRECTION.split(text)
    if len(parts) < 2 or not parts[-1].strip():
        return "", text
    last = list(_CORRECTION.finditer(text))[-1]
    return text[: last.start()].strip(), text[last.end() :].strip()


def replaces_items(text: str) -> bool:
    """"그냥 마르게리타로 할게요", "페퍼로니로 바꿔 주세요", "대신 라떼요": the items said replace the order's."""
    return bool(
        re.search(r"(?:으로|로)\s?(?:할게|하겠|해\s?주|바꿀|바꿔|바꾸|변경|주세요|갈게)|대신|그냥\s.+(?:으로|로)(?:\s|$)", text)
    )


def undecided(text: str) -> bool:
    """"가서 정할게요", "아직 모르겠어요": the caller does not choose a service now."""
    return bool(re.search(r"가서\s?(?:정|볼|고를|상담)|아직\s?(?:안|못|모르)|모르겠|상담\s?받고|아무거나|미정", text))
