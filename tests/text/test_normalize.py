from storytrace.text.normalize import fix_text, fold_word, normalize, strip_diacritics


def test_diacritics_fold_to_the_same_form():
    assert normalize("Vučić") == normalize("Vucic") == "vucic"
    assert normalize("Recep Tayyip Erdoğan") == normalize("RECEP TAYYIP ERDOGAN")
    assert fold_word("Ørsted") == "orsted"
    assert strip_diacritics("Žižek São Paulo") == "Zizek Sao Paulo"


def test_quotes_dashes_and_spaces_unified():
    assert normalize("“Don’t” — he said\u00a0 twice…") == "\"don't\" - he said twice..."
    assert normalize("a\u2013b\u2212c") == "a-b-c"


def test_nfkc_and_case_folding():
    assert normalize("ＦＵＬＬ ｗｉｄｔｈ ﬁne") == "full width fine"
    assert normalize("STRASSE Straße") == "strasse strasse"


def test_mojibake_repaired():
    assert fix_text("CafÃ© â€œquotedâ€\x9d") == "Café “quoted”"
    assert normalize("Ã©tÃ©") == "ete"


def test_clean_text_kept_and_empty_input():
    assert fix_text("Vučić met Erdoğan.") == "Vučić met Erdoğan."
    assert normalize("") == ""
    assert normalize("   \n\t ") == ""


def test_non_latin_scripts_survive():
    assert normalize("Москва  Пекин") == "москва пекин"
    assert normalize("北京 会见") == "北京 会见"
