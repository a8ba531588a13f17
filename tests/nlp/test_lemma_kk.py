"""Word forms → lemmas for the Kazakh lemmatiser, and the lemma stage for kk/ru/en."""

from __future__ import annotations

import pytest

from birlik.domain.records import Document
from birlik.domain.text import normalise, tokenize
from birlik.nlp.lemma_kk import (
    KazakhLemmatizer,
    LemmaStage,
    _verb_shaped,
    english_lemma,
    load_word_frequencies,
    opens_sentence,
    sentence_starts,
)

KAZAKH_FORMS = [
    # nouns: plural, possessive, case
    ("қыздарының", "қыз"), ("балалар", "бала"), ("баласы", "бала"), ("қаланың", "қала"),
    ("жерге", "жер"), ("үйде", "үй"), ("адамнан", "адам"), ("адамның", "адам"),
    ("сөзін", "сөз"), ("күнмен", "күн"), ("ішінен", "іш"), ("ішінде", "іш"),
    ("тарихындағы", "тарих"), ("әкесінен", "әке"), ("ойларға", "ой"), ("жылы", "жыл"),
    ("жылдың", "жыл"), ("келіншектермен", "келіншек"), ("мектепке", "мектеп"),
    ("әулетінен", "әулет"), ("ауылды", "ауыл"), ("қала", "қала"), ("бала", "бала"),
    # voicing alternations and dropped vowels
    ("кітабы", "кітап"), ("жүрегі", "жүрек"), ("тарағы", "тарақ"), ("аяғы", "аяқ"),
    ("себебі", "себеп"), ("орнына", "орын"), ("аузымен", "ауыз"), ("халқының", "халық"),
    # verbs: tenses, persons, participles, converbs, negation, passive
    ("барамын", "бар"), ("келді", "кел"), ("келе", "кел"), ("айтты", "айт"),
    ("біледі", "біл"), ("бермеді", "бер"), ("қылмады", "қыл"), ("көтермеді", "көтер"),
    ("шыққан", "шық"), ("сүймеген", "сүй"), ("жазылған", "жаз"), ("сатылып", "сат"),
    ("төгілген", "төк"), ("барып", "бар"), ("деп", "де"), ("жатса", "жат"),
    ("ойлайтын", "ойла"), ("тілейтін", "тіле"), ("оқиды", "оқы"), ("бүлінер", "бүл"),
    ("шешуі", "шеш"), ("бермеуі", "бер"), ("сездірмеске", "сездір"), ("аспай", "ас"),
    ("тұрғызылғандықтан", "тұрғыз"), ("бұзылады-ау", "бұз"),
    # pronouns and irregular forms
    ("маған", "мен"), ("оған", "ол"), ("оның", "ол"), ("сені", "сен"), ("бізге", "біз"),
    ("мұны", "бұл"), ("осыған", "осы"), ("соның", "сол"), ("өзінің", "өз"), ("еді", "е"),
    ("емес", "е"), ("үшінші", "үш"),
    # proper names keep the name stem, lower case
    ("Алматыда", "алматы"), ("Астанаға", "астана"), ("Шолпанның", "шолпан"),
    ("Лондонның", "лондон"), ("Тоқаевтың", "тоқаев"), ("Арабиясының", "арабия"),
]


@pytest.fixture(scope="session")
def kazakh() -> KazakhLemmatizer:
    return KazakhLemmatizer()


@pytest.fixture(scope="session")
def kazakh_rules_only() -> KazakhLemmatizer:
    return KazakhLemmatizer(use_hunspell=False)


@pytest.mark.parametrize(("form", "lemma"), KAZAKH_FORMS)
def test_kazakh_lemma(kazakh: KazakhLemmatizer, form: str, lemma: str) -> None:
    assert kazakh.lemma(form) == lemma


@pytest.mark.parametrize(
    ("form", "lemma"),
    [("кітабы", "кітап"), ("барамын", "бар"), ("жазылған", "жаз"), ("қыздарының", "қыз"),
     ("маған", "мен"), ("Алматыда", "алматы"), ("бала", "бала")],
)
def test_rules_work_without_hunspell(
    kazakh_rules_only: KazakhLemmatizer, form: str, lemma: str
) -> None:
    assert kazakh_rules_only.lemma(form) == lemma


def test_memo_is_bounded() -> None:
    lemmatizer = KazakhLemmatizer(use_hunspell=False, memo_limit=3)
    for word in ("келді", "барды", "айтты", "қалды", "жазды"):
        lemmatizer.lemma(word)
    assert len(lemmatizer._memo) <= 3


def _doc(text: str, lang: str) -> Document:
    doc = Document(id="1", text=text, lang=lang)
    doc.tokens = tokenize(normalise(text))
    return doc


def test_stage_kazakh(kazakh: KazakhLemmatizer) -> None:
    stage = LemmaStage(kazakh)
    doc = stage([_doc("Алматыда 2024 жылы қазақтар келді", "kk")])[0]
    assert [t.lemma for t in doc.tokens] == ["алматы", "2024", "жыл", "қазақ", "кел"]
    assert doc.tokens[0].text == "алматыда"


def test_stage_russian(kazakh: KazakhLemmatizer) -> None:
    pytest.importorskip("pymorphy3")
    doc = LemmaStage(kazakh)([_doc("Казахи живут в городах", "ru")])[0]
    assert [t.lemma for t in doc.tokens] == ["казах", "жить", "в", "город"]


def test_stage_english(kazakh: KazakhLemmatizer) -> None:
    doc = LemmaStage(kazakh)([_doc("Ethnic groups of Kazakhstan", "en")])[0]
    assert [t.lemma for t in doc.tokens] == ["ethnic", "group", "of", "kazakhstan"]


def test_english_keeps_non_plurals() -> None:
    assert [english_lemma(w) for w in ("news", "series", "cities", "class")] == [
        "news", "series", "city", "class"
    ]


def test_stage_contract(kazakh: KazakhLemmatizer) -> None:
    stage = LemmaStage(kazakh)
    assert stage.name == "lemma.v1"
    assert stage.requires == {"tokens", "lang"}
    assert stage.provides == {"lemmas"}


@pytest.mark.parametrize(
    ("form", "lemma"),
    [
        # closed-class words are their own lemma
        ("бойынша", "бойынша"), ("алайда", "алайда"), ("шынында", "шынында"),
        ("кейін", "кейін"), ("басқа", "басқа"), ("туралы", "туралы"), ("де", "да"),
        # frequencies keep an attested stem whole, find stems hunspell lacks
        ("дауысы", "дауыс"), ("жасады", "жаса"), ("отаудың", "отау"), ("күйеуін", "күйеу"),
        # verbal nouns and agent forms go to the verb, as in UD Kazakh
        ("алуға", "ал"), ("шешуі", "шеш"), ("айтушы", "айт"), ("оқушылар", "оқушы"),
    ],
)
def test_frequencies_and_closed_class(kazakh: KazakhLemmatizer, form: str, lemma: str) -> None:
    assert kazakh.lemma(form) == lemma


def test_works_without_frequencies_or_hunspell() -> None:
    bare = KazakhLemmatizer(use_hunspell=False, frequencies={})
    assert [bare.lemma(w) for w in ("кітабы", "барамын", "бойынша")] == ["кітап", "бар", "бойынша"]


def test_shipped_wordlist_loads() -> None:
    frequencies = load_word_frequencies()
    assert len(frequencies) > 10_000
    assert frequencies["және"] > frequencies["тақта"] >= 2


# Written for this project (not taken from any dataset): each form of the list.
MORPHOLOGY_TABLE = [
    # nouns: plural + possessive + case chains, voicing (п/б, қ/ғ, к/г) and vowel drop restored
    ("мектептеріміздің", "мектеп"), ("кітаптарыңызға", "кітап"), ("кітабымнан", "кітап"),
    ("құлағына", "құлақ"), ("жүрегімізде", "жүрек"), ("ауылдарындағы", "ауыл"),
    ("мұрнын", "мұрын"), ("ерніне", "ерін"), ("қарнының", "қарын"), ("нарқы", "нарық"),
    # adjectives: derived adjectives are their own lemma, comparatives go to the base
    ("маңызды", "маңызды"), ("нақты", "нақты"), ("ұлттық", "ұлттық"),
    ("алғашқы", "алғашқы"), ("ішкі", "ішкі"),
    ("арзанырақ", "арзан"), ("жақынырақ", "жақын"), ("үлкенірек", "үлкен"),
    # participles
    ("жазған", "жаз"), ("келген", "кел"), ("шыққан", "шық"), ("кеткен", "кет"),
    ("оқитын", "оқы"), ("баратын", "бар"), ("сөйлейтін", "сөйле"), ("алар", "ал"),
    ("барарсың", "бар"), ("көрерміз", "көр"), ("оқымақ", "оқы"),
    # converbs
    ("барып", "бар"), ("келіп", "кел"), ("ойлап", "ойла"), ("тауып", "тап"),
    ("келе", "кел"), ("ойлай", "ойла"), ("келгелі", "кел"), ("боп", "бол"),
    # negation
    ("бармады", "бар"), ("келмеген", "кел"), ("айтпай", "айт"), ("көрмейтін", "көр"),
    ("қорықпайтын", "қорық"),
    # mood: conditional, imperative/optative, desiderative
    ("барсаң", "бар"), ("келсек", "кел"), ("айтсын", "айт"), ("барайық", "бар"),
    ("келейін", "кел"), ("жазыңыздар", "жаз"), ("айтқым", "айт"), ("барғысы", "бар"),
    # person/number chains and the past tenses
    ("барамын", "бар"), ("келесің", "кел"), ("айтамыз", "айт"), ("жазасыз", "жаз"),
    ("келдік", "кел"), ("айттыңдар", "айт"), ("барыпты", "бар"), ("келіпті", "кел"),
    ("жатырмыз", "жат"), ("дамиды", "дамы"), ("дами", "дамы"), ("құю", "құй"),
    # voice: passive, reflexive, reciprocal reduced to the base verb; causative kept
    ("жазылды", "жаз"), ("салынған", "сал"), ("қабылданды", "қабылда"), ("көрінеді", "көр"),
    ("бөлісеміз", "бөл"), ("жүргізілді", "жүргіз"),
    # adjectives in -лы/-ды/-ты told from the accusative and the past tense
    ("үлгілі", "үлгілі"), ("түрлі", "түрлі"), ("қажетті", "қажетті"), ("кітапты", "кітап"),
    ("жерді", "жер"), ("түсті", "түс"),
    # stem-final қ/п voiced in the dictionary's infinitive (ағу, табу), я = й + а
    ("ағып", "ақ"), ("табылды", "тап"), ("жая", "жай"), ("зерттеп", "зертте"),
    # pronouns of quality and manner, months
    ("мұндай", "бұл"), ("солай", "сол"), ("олардың", "олар"), ("тамызда", "тамыз"),
]


@pytest.mark.parametrize(("form", "lemma"), MORPHOLOGY_TABLE)
def test_kazakh_morphology_table(kazakh: KazakhLemmatizer, form: str, lemma: str) -> None:
    assert kazakh.lemma(form) == lemma


def test_ending_tables_grouped_by_last_letter_keep_their_order() -> None:
    """The lemmatiser tries only the endings a word can end with; each group must keep the
    table's order (the first cut found wins ties), and no ending may be lost."""
    from birlik.nlp import lemma_kk

    for table, groups in ((lemma_kk._CASE, lemma_kk._CASE_BY_LAST),
                          (lemma_kk._FINITE, lemma_kk._FINITE_BY_LAST),
                          (lemma_kk._POSS, lemma_kk._POSS_BY_LAST)):
        for last, entries in groups.items():
            assert list(entries) == [e for e in table if e[0].endswith(last)]
        assert sum(len(entries) for entries in groups.values()) == len(table)


# Written for this project: a capital (sentence start) does not hide a verb that ends in a
# way no name ends; participles in -ған and negatives in -бай stay names (Төлеген).
CAPITALISED = [
    ("Барып", "бар"), ("Келеді", "кел"), ("Қорықпайтын", "қорық"), ("Жазатын", "жаз"),
    ("Төлеген", "төлеген"), ("Алматыда", "алматы"), ("Шолпанның", "шолпан"),
]


@pytest.mark.parametrize(("form", "lemma"), CAPITALISED)
def test_capitalised_verbs_are_verbs(kazakh: KazakhLemmatizer, form: str, lemma: str) -> None:
    assert kazakh.lemma(form) == lemma


# An adjective in -ды/-ты ("having") before a noun stays whole; the accusative before its
# verb is cut; a name takes only the accusative.
IN_CONTEXT = [
    ("табысты", "жоба", "табысты"), ("мерзімді", "демалысқа", "мерзімді"),
    ("лайықты", "орын", "лайықты"), ("табысты", "аяқтады", "табыс"),
    ("кітапты", "оқыды", "кітап"), ("түсті", "және", "түс"), ("Иранды", "елге", "иран"),
    ("табысты", None, "табыс"),
]


@pytest.mark.parametrize(("form", "following", "lemma"), IN_CONTEXT)
def test_adjective_before_a_noun(kazakh: KazakhLemmatizer, form: str, following: str | None,
                                 lemma: str) -> None:
    assert kazakh.lemma(form, following) == lemma


def test_stage_reads_the_next_word(kazakh: KazakhLemmatizer) -> None:
    doc = LemmaStage(kazakh)([_doc("мерзімді демалысқа кітапты оқыды", "kk")])[0]
    assert [t.lemma for t in doc.tokens] == ["мерзімді", "демалыс", "кітап", "оқы"]


# Written for this project: at a sentence's start a capital says little; a verb form of a
# known verb is read as a verb, a name-like form (a bare participle, case on a name) stays.
SENTENCE_INITIAL = [
    ("Келсе", "кел"), ("Жазса", "жаз"), ("Барамыз", "бар"), ("Айтпады", "айт"),
    ("Төлеген", "төлеген"), ("Төлегеннен", "төлеген"), ("Асқарға", "асқар"),
    ("Алматыда", "алматы"),
]


@pytest.mark.parametrize(("form", "lemma"), SENTENCE_INITIAL)
def test_sentence_initial_capital(kazakh: KazakhLemmatizer, form: str, lemma: str) -> None:
    assert kazakh.lemma(form, initial=True) == lemma


def test_sentence_initial_only_where_a_sentence_opens(kazakh: KazakhLemmatizer) -> None:
    assert kazakh.lemma("Айтпады") != "айт"  # inside a sentence: a name's reading
    doc = LemmaStage(kazakh)([_doc("Айтпады ол. «Келсе» Айтпады", "kk")])[0]
    assert [t.lemma for t in doc.tokens if t.text[:1].isalpha()] == ["айт", "ол", "кел",
                                                                     "айтпады"]


def test_sentence_starts() -> None:
    text = "Бар. «Кел» бар\nЖаз! жаз"
    tokens = tokenize(text)
    words = [text[t.start:t.end] for t in tokens]
    starts = [w for w, s in zip(words, sentence_starts(text, tokens, words), strict=True) if s]
    assert starts == ["Бар", "Кел", "Жаз", "жаз"]


@pytest.mark.parametrize(("stem", "shaped"), [
    ("бар", True), ("ту", True), ("ки", True), ("ала", True), ("та", False), ("ба", False),
    ("спе", False), ("бс", False),
])
def test_verb_shaped(stem: str, shaped: bool) -> None:
    assert _verb_shaped(stem) is shaped


# Derivational -лық/-дық/-тық on a stem no list knows is a noun or adjective, not the past
# tense of an unknown verb; 2-letter hunspell "verbs" ending in a/е (тау, бау) are nouns.
@pytest.mark.parametrize(("form", "lemma"), [
    ("барлық", "барлық"), ("тамақ", "тамақ"), ("оқуда", "оқы"),
])
def test_dictionary_noise_and_derivation(kazakh: KazakhLemmatizer, form: str, lemma: str) -> None:
    assert kazakh.lemma(form) == lemma


def test_unknown_stem_with_lyq_stays_whole() -> None:
    bare = KazakhLemmatizer(use_hunspell=False, frequencies={})
    assert bare.lemma("этностық") == "этностық"
    assert bare.lemma("келдік") == "кел"


# и spells ый/ій, so the endings after it are those after й; two-letter dictionary verbs
# are not penalised like two-letter fragments.
@pytest.mark.parametrize(("form", "lemma"), [("киді", "ки"), ("ашылды", "аш"), ("іліп", "іл")])
def test_short_verbs_and_i_stems(kazakh: KazakhLemmatizer, form: str, lemma: str) -> None:
    if not kazakh.hunspell:
        pytest.skip("needs hunspell-kk's verb list")
    assert kazakh.lemma(form) == lemma


def test_irregular_forms_are_not_attributive_adjectives(kazakh: KazakhLemmatizer) -> None:
    # кімді is the accusative of кім, whatever follows it (not an adjective in -ді)
    assert kazakh.lemma("кімді", "адамды") == "кім"
    assert kazakh.lemma("Кімді", "адамды", initial=True) == "кім"


def test_opens_sentence_after_punctuation_tokens() -> None:
    text = "Бар . Кел"
    tokens = tokenize(text)
    words = [text[t.start:t.end] for t in tokens]
    assert opens_sentence(text, tokens, words, len(words) - 1)


# The stage memoises lemmas per token text and reads the next word only where it can change
# the lemma: its lemmas must be those of the lemmatiser asked word by word with no memo.
MEMO_TEXT = (
    "Айтпады ол. «Келсе» Айтпады, мерзімді демалысқа кітапты оқыды. Мерзімді демалысқа "
    "кітапты оқыды; табысты жұмыс, табысты істі айтты. Алматыда қазақтар келді, қазақтар "
    "келді. Ёлка мен ауылды жерге кетті, ауылды жерге 2024 жылы МЕМЛЕКЕТТІ қорғады-ау."
)


def test_stage_lemmas_equal_the_lemmatiser_word_by_word(kazakh: KazakhLemmatizer) -> None:
    uncached = KazakhLemmatizer(memo_limit=1)  # every memo cleared before it is used again
    stage = LemmaStage(kazakh)
    first = stage([_doc(MEMO_TEXT, "kk")])[0]
    again = stage([_doc(MEMO_TEXT, "kk")])[0]  # now from the stage's memo
    text = first.text
    words = [text[t.start:t.end] for t in first.tokens]
    expected = [
        uncached.lemma(word, words[i + 1] if i + 1 < len(words) else None,
                       initial=word[:1].isupper() and opens_sentence(text, first.tokens, words, i))
        if word[:1].isalpha() and any("\u0400" <= ch <= "\u04ff" for ch in word)
        else word.lower()
        for i, word in enumerate(words)
    ]
    assert [t.lemma for t in first.tokens] == expected
    assert [t.lemma for t in again.tokens] == expected
    assert "мерзімді" in expected and "кітап" in expected  # the next word was read


def test_with_following_is_lemma_in_context(kazakh: KazakhLemmatizer) -> None:
    for word, following in (("мерзімді", "демалысқа"), ("кітапты", "оқыды"),
                            ("табысты", "жұмыс"), ("келді", "ол"), ("ауылды", "жерге")):
        assert kazakh.with_following(word, kazakh.lemma(word), following) == kazakh.lemma(
            word, following)


def test_stage_russian_memo_is_bounded(kazakh: KazakhLemmatizer,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("pymorphy3")
    from birlik.nlp import lemma_kk

    monkeypatch.setattr(lemma_kk, "_MEMO_LIMIT", 3)
    stage = LemmaStage(kazakh)
    text = "Казахи живут в городах, казахи живут в городах и сёлах"
    doc = stage([_doc(text, "ru")])[0]
    assert [t.lemma for t in doc.tokens] == ["казах", "жить", "в", "город", "казах", "жить",
                                             "в", "город", "и", "село"]
    assert 0 < len(stage._russian_memo) <= 3


def test_attestation_skips_only_stems_with_no_listed_form() -> None:
    from birlik.nlp.lemma_kk import _NOUN_PROBES, _VERB_PROBES, Attestation, _probe_forms

    frequencies = load_word_frequencies()
    words = sorted(frequencies)[::40]
    stems = {word[:-cut] for word in words for cut in range(0, 5) if len(word) > cut}
    stems |= {"", "кітап", "жүрек", "тарақ", "кітапх", "қазақ"}
    attested = Attestation(frequencies)
    for stem in sorted(stems):
        for verbal, probes in ((False, _NOUN_PROBES), (True, _VERB_PROBES)):
            attested.count(stem, verbal=verbal, word="")
            forms = [form for form, _ in attested._seen[(stem, verbal)]]
            assert forms == _probe_forms(stem, probes, frequencies, verbal=verbal), stem
