"""Word lists used by fact extraction: months, weekdays, number words, currencies, units, titles,
organisation cues, a small place gazetteer and demonyms. All keys are folded (``fold_word``) forms.

Languages covered: English first; the date, number, money and percent words also cover German, French,
Spanish and Italian, plus a few Balkan and Central European forms seen in news of the region.
"""
from __future__ import annotations

from ..text.normalize import fold_word


def word_set(text: str) -> frozenset[str]:
    """Whitespace-separated words of ``text`` as a frozenset."""
    return frozenset(text.split())


# Month name (folded, with common abbreviations) -> month number.
MONTHS: dict[str, int] = {}
for _number, _names in enumerate((
    "january jan januar janvier enero gennaio janeiro siječanj sijecanj januara jänner",
    "february feb februar fevrier février febrero febbraio fevereiro veljača veljaca februara",
    "march mar marz märz mars marzo marco ozujak ožujak marta",
    "april apr avril abril aprile travanj aprila",
    "may mai mayo maggio maio svibanj maja",
    "june jun juni juin junio giugno junho lipanj juna",
    "july jul juli juillet julio luglio julho srpanj jula",
    "august aug aout août agosto kolovoz avgusta augusta",
    "september sep sept septembre septiembre settembre setembro rujan septembra",
    "october oct oktober octobre octubre ottobre outubro listopad oktobra",
    "november nov novembre noviembre novembro studeni novembra",
    "december dec dezember decembre décembre diciembre dicembre dezembro prosinac decembra",
), start=1):
    for _name in _names.split():
        MONTHS[_name] = _number
MONTH_SPELLINGS = tuple(MONTHS)  # as written (with accents), for building the date regex
MONTHS = {fold_word(k): v for k, v in MONTHS.items()}
#: Month words that are also ordinary words: accepted only next to a day or year number.
AMBIGUOUS_MONTHS = word_set("may mar march jan mai marca marta maja jula juna")

# Weekday (folded) -> ISO weekday number (1 = Monday).
WEEKDAYS: dict[str, int] = {}
for _number, _names in enumerate((
    "monday mon montag lundi lunes lunedi ponedjeljak ponedeljak",
    "tuesday tue tues dienstag mardi martes martedi utorak",
    "wednesday wed mittwoch mercredi miercoles mercoledi srijeda sreda",
    "thursday thu thur thurs donnerstag jeudi jueves giovedi cetvrtak",
    "friday fri freitag vendredi viernes venerdi petak",
    "saturday sat samstag sonnabend samedi sabado sabato subota",
    "sunday sun sonntag dimanche domingo domenica nedjelja nedelja",
), start=1):
    for _name in _names.split():
        WEEKDAYS[_name] = _number
WEEKDAY_SPELLINGS = tuple(WEEKDAYS)
WEEKDAYS = {fold_word(k): v for k, v in WEEKDAYS.items()}
WEEKDAY_NAMES = ("", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
#: Weekday abbreviations that are ordinary words; need a capital letter and a date next to them.
AMBIGUOUS_WEEKDAYS = word_set("mon tue wed thu fri sat sun domingo")

# Cardinal number words (folded) -> value. "one" is left out: as a pronoun it is far too common.
NUMBER_WORDS: dict[str, float] = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "dozen": 12,
    # German, French, Spanish, Italian small numbers
    "zwei": 2, "drei": 3, "vier": 4, "funf": 5, "sechs": 6, "sieben": 7, "acht": 8, "neun": 9, "zehn": 10,
    "zwolf": 12, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "sept": 7, "huit": 8, "neuf": 9, "dix": 10,
    "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8, "nueve": 9, "diez": 10,
    "quattro": 4, "sette": 7, "dieci": 10,
}
NUMBER_UNITS_WORDS: dict[str, float] = {"one": 1, **NUMBER_WORDS}  # "twenty-one" needs "one" as a part
ORDINAL_WORDS: dict[str, int] = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "fifteenth": 15, "twentieth": 20,
}
#: Ordinals that are mostly not counts ("second-largest", "first time", "second half").
WEAK_ORDINALS = word_set("first second")

# Scale words (folded, without a trailing dot) -> multiplier.
SCALES: dict[str, float] = {
    "hundred": 1e2, "thousand": 1e3, "thousands": 1e3, "million": 1e6, "millions": 1e6, "billion": 1e9,
    "billions": 1e9, "trillion": 1e12, "tsd": 1e3, "tausend": 1e3, "mio": 1e6, "millionen": 1e6,
    "mrd": 1e9, "milliarde": 1e9, "milliarden": 1e9, "mille": 1e3, "milliard": 1e9, "milliards": 1e9,
    "millon": 1e6, "millones": 1e6, "milione": 1e6, "milioni": 1e6, "miliardo": 1e9, "miliardi": 1e9,
    "milion": 1e6, "miliona": 1e6, "milijun": 1e6, "milijuna": 1e6, "milijarda": 1e9, "milijardi": 1e9,
    "milijardu": 1e9, "mln": 1e6, "mld": 1e9, "lakh": 1e5, "crore": 1e7,
}
#: Short scales written right after the digits or a currency ("$50K", "€4.5bn", "€95m").
SHORT_SCALES: dict[str, float] = {"k": 1e3, "m": 1e6, "mn": 1e6, "b": 1e9, "bn": 1e9, "tn": 1e12, "tr": 1e12}

# Currency symbols and codes (as written) -> ISO code.
CURRENCY_SYMBOLS: dict[str, str] = {
    "US$": "USD", "A$": "AUD", "AU$": "AUD", "C$": "CAD", "CA$": "CAD", "NZ$": "NZD", "HK$": "HKD",
    "S$": "SGD", "R$": "BRL", "$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₺": "TRY", "₽": "RUB",
    "₹": "INR", "₴": "UAH", "zł": "PLN", "Kč": "CZK", "Fr.": "CHF",
}
CURRENCY_CODES = word_set(
    "USD EUR GBP JPY CNY CHF AUD CAD NZD TRY RUB INR RSD PLN HUF CZK RON BGN HRK SEK NOK DKK UAH BAM MKD ALL BRL"
    " ZAR KRW SGD HKD AED SAR ILS EGP NGN KES"
)
# Currency words (folded) -> ISO code.
CURRENCY_WORDS: dict[str, str] = {
    "dollar": "USD", "dollars": "USD", "dolar": "USD", "dolares": "USD", "dollaro": "USD", "dollari": "USD",
    "euro": "EUR", "euros": "EUR", "evra": "EUR", "eura": "EUR", "pound": "GBP", "pounds": "GBP",
    "sterling": "GBP", "yen": "JPY", "yuan": "CNY", "renminbi": "CNY", "franc": "CHF", "francs": "CHF",
    "franken": "CHF", "lira": "TRY", "liras": "TRY", "lire": "TRY", "rouble": "RUB", "roubles": "RUB",
    "ruble": "RUB", "rubles": "RUB", "rupee": "INR", "rupees": "INR", "dinar": "RSD", "dinars": "RSD",
    "dinara": "RSD", "zloty": "PLN", "zlotys": "PLN", "zlotych": "PLN", "forint": "HUF", "forints": "HUF",
    "koruna": "CZK", "korun": "CZK", "crowns": "CZK", "leu": "RON", "lei": "RON", "lev": "BGN", "leva": "BGN",
    "kuna": "HRK", "kunas": "HRK", "hryvnia": "UAH", "hryvnias": "UAH", "rand": "ZAR", "won": "KRW",
}
#: Currency words that are also ordinary words; only counted after an amount.
AMBIGUOUS_CURRENCY_WORDS = word_set("won rand lev all pound pounds franc")

PERCENT_WORDS = ("percent", "per cent", "pct", "prozent", "pour cent", "por ciento", "per cento",
                 "procent", "procenta", "posto", "odsto", "percentage points")

# Measurement units (folded) -> canonical unit.
UNITS: dict[str, str] = {
    "km": "km", "kilometre": "km", "kilometres": "km", "kilometer": "km", "kilometers": "km", "kilometern": "km",
    "m": "m", "metre": "m", "metres": "m", "meter": "m", "meters": "m", "metern": "m", "metros": "m",
    "cm": "cm", "mm": "mm", "mi": "mile", "mile": "mile", "miles": "mile", "ft": "ft", "feet": "ft", "foot": "ft",
    "kg": "kg", "kilogram": "kg", "kilograms": "kg", "kilos": "kg", "t": "t", "tonne": "t", "tonnes": "t",
    "ton": "t", "tons": "t", "tonnen": "t", "g": "g", "gram": "g", "grams": "g", "ha": "ha", "hectare": "ha",
    "hectares": "ha", "hektar": "ha", "acre": "acre", "acres": "acre", "gw": "GW", "gwh": "GWh", "mw": "MW",
    "mwh": "MWh", "kw": "kW", "kwh": "kWh", "twh": "TWh", "tw": "TW", "km2": "km2", "mph": "mph", "kmh": "km/h",
    "c": "C", "f": "F", "l": "l", "litre": "l", "litres": "l", "liter": "l", "liters": "l", "barrel": "barrel",
    "barrels": "barrel", "bpd": "bpd",
    "second": "s", "seconds": "s", "sekunden": "s", "secondes": "s", "segundos": "s", "minute": "min",
    "minutes": "min", "minuten": "min", "hour": "h", "hours": "h", "stunden": "h", "heures": "h", "horas": "h",
    "day": "day", "days": "day", "tage": "day", "tagen": "day", "jours": "day", "dias": "day", "week": "week",
    "weeks": "week", "wochen": "week", "semaines": "week", "month": "month", "months": "month", "monate": "month",
    "monaten": "month", "mois": "month", "meses": "month", "year": "year", "years": "year", "jahre": "year",
    "jahren": "year", "ans": "year", "annees": "year", "anos": "year", "decade": "decade", "decades": "decade",
}

#: Words before an amount that mark it as approximate ("about 2 million" may round "1.8 million").
HEDGES = word_set(
    "about around approximately roughly nearly almost some over under estimated circa ca approx rund etwa"
    " fast knapp gut uber environ quelque quelques alrededor casi unos unas aproximadamente quasi oltre"
)
HEDGE_PHRASES = frozenset((
    "more than", "less than", "fewer than", "up to", "at least", "at most", "mehr als", "weniger als", "plus de",
    "moins de", "pres de", "mas de", "menos de", "cerca de", "piu di",
))

#: Vague quantities that can fill a number slot ("several drones" where the other text says "five drones").
VAGUE_QUANTITIES = word_set(
    "several many few some dozens hundreds thousands millions numerous multiple various countless"
    " mehrere viele einige plusieurs nombreux nombreuses quelques varios varias muchos muchas decenas"
    " cientos miles half"
)

STOPWORDS = word_set("""
a an the and or but nor so yet of to in on at by for from with without into onto over under about above
below between among through during before after since until till up down out off as than then that this
these those there here it its it's he him his she her hers they them their theirs we us our ours you your
yours i me my mine who whom whose which what when where why how is are was were be been being am do does did
doing have has had having will would shall should can could may might must not no nor only also too very
just more most less least much many some any each every all both either neither other another such same own
own per via vs said says say told tell according while whereas although though because if unless whether
again further once already still even ever never always often however meanwhile moreover also later
earlier now today yesterday tomorrow ago last next new one ones s t
der die das den dem des ein eine einer eines einem einen und oder aber im in am an auf aus bei mit nach
von vor zu zum zur fur uber unter um als wie dass ist sind war waren wird werden hat haben sein nicht auch
noch nur bis seit sich es er sie wir ihr man soll sollen will wollen kann konnen damit
le la les un une des du de d l et ou mais dans sur sous avec pour par sans en au aux est sont a ete ont
qui que quoi dont ou ce cet cette ces il elle ils elles nous vous on se sa son ses leur leurs ne pas plus
el los las unos unas y o pero en con por para sin del al es son fue fueron ha han que se su sus lo le les
il lo gli uno una e o ma di da in con per tra fra che non
""")

#: Capitalised words that start sentences and are never names on their own.
CAPITAL_STOPWORDS = STOPWORDS | word_set("""
however meanwhile moreover furthermore despite regardless similarly still instead indeed thus therefore
speaking asked according following during after before since while when where whether although though
yesterday today tomorrow earlier later unlike like including among under over around about across
there here this that these those its his her their our your my
mr mrs ms dr prof
""")

#: Person titles: the words before a name that say the name is a person (folded).
TITLE_WORDS = word_set("""
president minister premier chancellor governor mayor senator congressman congresswoman judge justice
secretary ambassador spokesman spokeswoman spokesperson director chairman chairwoman chair ceo cfo coo
chief executive commissioner commander general admiral colonel major captain lieutenant sergeant king
queen prince princess pope patriarch bishop cardinal imam rabbi sheikh emir sultan mr mrs ms miss dr prof
professor sir dame lord lady coach manager striker midfielder defender goalkeeper player candidate leader
negotiator founder head deputy vice prosecutor lawyer attorney envoy diplomat minister-president
prime foreign interior defence defense finance economy energy health justice home affairs education
culture transport agriculture labour labor trade environment
presidente ministro ministra praesident prasident ministerin bundeskanzler kanzler kanzlerin
bundesprasident premierminister ministre president-elect ceo-elect personalvorstand betriebsratschefin
prefet préfet préfète maire alcalde alcaldesa predsjednik predsednik premijer ministar gradonacelnik
""")
#: Lower-case words right before a name that make it a person ("said", "negotiator", "director").
PERSON_PRECEDERS = word_set("""
said says told president minister chancellor governor mayor judge secretary ambassador spokesman
spokeswoman director chairman ceo executive commissioner commander general coach manager striker candidate
leader negotiator founder head prosecutor lawyer attorney envoy chief brother sister wife husband son
daughter father mother mr mrs ms dr by
""")

#: Words inside a capitalised name that make it an organisation.
ORG_CUES = word_set("""
ministry ministerium ministere ministerio ministarstvo inc incorporated ltd limited llc plc corp corporation
company co group holding holdings bank banka banque banco agency agentur agence council commission
committee party union university universitat universite universidad institute institut instituto
organization organisation organisation association federation league club fc ac sc fund foundation
stiftung fondation court tribunal parliament assembly bundestag congress senate government office
department service services police army navy forces force airlines airways airline news times post
journal herald gazette press tv radio broadcasting network telecommunications telecom technologies
technology tech systems solutions capital partners ventures engineering renewables energy motors motor
industries industry electric electronics pharma pharmaceuticals labs laboratory laboratories studio
studios games media communications authority board bureau secretariat alliance movement front coalition
nations nato ag gmbh se sa spa bv nv ab asa oy doo ad sp zoo kg ug gesellschaft konzern werke
metall verdi reuters afp ap bloomberg dinamo sporting hajduk partizan crvena zvezda real atletico inter
juventus bayern borussia olympique institute jenner lancet
""")
#: Words inside a capitalised name that make it a place.
PLACE_CUES = word_set("""
city county province region district state republic kingdom island islands river lake mountains
mountain valley bay gulf sea ocean coast street avenue square airport station port harbour harbor
peninsula basin oblast krai canton municipality village town massif empire
""")
#: Capitalised single words that are adjectives of religion, history or direction, not names.
NOT_NAMES = word_set("""
western eastern northern southern central ottoman byzantine soviet muslim muslims christian christians
catholic orthodox protestant jewish islamic islamist arab arabic sunni shia shiite hindu buddhist
""")

#: Connectors allowed inside a name ("Bank of England", "Ursula von der Leyen", "Alliance for the Future").
NAME_CONNECTORS = word_set("of for the de del della der den van von la le di da du des dos das bin ibn al el")

PLACES = frozenset(p.strip() for p in """
afghanistan|albania|algeria|andorra|angola|argentina|armenia|australia|austria|azerbaijan|bahrain|bangladesh|
belarus|belgium|benin|bhutan|bolivia|bosnia|bosnia and herzegovina|herzegovina|botswana|brazil|bulgaria|
burkina faso|burundi|cambodia|cameroon|canada|chad|chile|china|colombia|congo|costa rica|croatia|cuba|cyprus|
czech republic|czechia|denmark|djibouti|ecuador|egypt|eritrea|estonia|eswatini|ethiopia|finland|france|gabon|
gambia|georgia|germany|ghana|greece|guatemala|guinea|haiti|honduras|hungary|iceland|india|indonesia|iran|iraq|
ireland|israel|italy|ivory coast|jamaica|japan|jordan|kazakhstan|kenya|kosovo|kuwait|kyrgyzstan|laos|latvia|
lebanon|liberia|libya|liechtenstein|lithuania|luxembourg|madagascar|malawi|malaysia|mali|malta|mauritania|
mexico|moldova|monaco|mongolia|montenegro|morocco|mozambique|myanmar|namibia|nepal|netherlands|the netherlands|
new zealand|nicaragua|niger|nigeria|north korea|north macedonia|macedonia|norway|oman|pakistan|palestine|
panama|paraguay|peru|philippines|poland|portugal|qatar|romania|russia|rwanda|saudi arabia|senegal|serbia|
sierra leone|singapore|slovakia|slovenia|somalia|south africa|south korea|korea|south sudan|spain|sri lanka|
sudan|sweden|switzerland|syria|taiwan|tajikistan|tanzania|thailand|togo|tunisia|turkey|turkiye|turkmenistan|
uganda|ukraine|united arab emirates|uae|united kingdom|uk|britain|great britain|england|scotland|wales|
united states|us|usa|america|uruguay|uzbekistan|vatican|venezuela|vietnam|yemen|zambia|zimbabwe|
deutschland|frankreich|osterreich|schweiz|italien|spanien|polen|ungarn|tschechien|kroatien|serbien|turkei|
russland|griechenland|espana|francia|alemania|italia|reino unido|estados unidos|srbija|hrvatska|polska|
europe|africa|asia|america|north america|south america|latin america|middle east|balkans|balkan|
western balkans|central europe|eastern europe|western europe|scandinavia|caucasus|crimea|donbas|gaza|
west bank|sahel|sub-saharan africa|
tirana|belgrade|beograd|zagreb|sarajevo|skopje|podgorica|pristina|prishtina|ljubljana|sofia|bucharest|
budapest|vienna|wien|prague|praha|warsaw|warszawa|berlin|paris|london|madrid|rome|roma|lisbon|lisboa|
athens|ankara|istanbul|moscow|kyiv|kiev|minsk|brussels|bruxelles|amsterdam|the hague|hague|copenhagen|
stockholm|oslo|helsinki|dublin|bern|geneva|zurich|munich|munchen|frankfurt|hamburg|cologne|koln|
hanover|hannover|dresden|leipzig|stuttgart|osnabruck|wolfsburg|milan|milano|naples|turin|barcelona|
valencia|seville|marseille|lyon|nice|toulouse|bordeaux|strasbourg|manchester|birmingham|glasgow|
edinburgh|new york|washington|chicago|los angeles|san francisco|boston|houston|miami|toronto|montreal|
ottawa|beijing|shanghai|hong kong|tokyo|seoul|delhi|new delhi|mumbai|dubai|riyadh|doha|tehran|baghdad|
damascus|beirut|jerusalem|tel aviv|cairo|tripoli|tunis|algiers|rabat|nairobi|lagos|addis ababa|
johannesburg|cape town|sydney|melbourne|canberra|brisbane|perth|auckland|singapore|jakarta|manila|
bangkok|hanoi|kabul|islamabad|karachi|dhaka|baku|yerevan|tbilisi|astana|almaty|tashkent|
novi sad|nis|kragujevac|split|rijeka|osijek|zadar|dubrovnik|mostar|banja luka|tuzla|bitola|ohrid|
durres|vlora|shkoder|prizren|mitrovica|wroclaw|krakow|gdansk|poznan|lodz|katowice|nysa|klodzko|opava|
ostrava|brno|bratislava|kosice|debrecen|szeged|cluj|timisoara|iasi|constanta|varna|plovdiv|
thessaloniki|izmir|malatya|elazig|diyarbakir|adiyaman|gaziantep|hatay|kahramanmaras|antalya|bursa|
odesa|odessa|kharkiv|lviv|dnipro|mariupol|bakhmut|st petersburg|recife|rio de janeiro|sao paulo|
oder|danube|sava|drina|vardar|
""".replace("\n", "").split("|") if p.strip())

# Demonym / adjective (folded) -> place (folded). "Serbian President", "French-made", "Brazilian striker".
DEMONYMS: dict[str, str] = {
    "albanian": "albania", "american": "united states", "australian": "australia", "austrian": "austria",
    "belgian": "belgium", "bosnian": "bosnia", "brazilian": "brazil", "british": "united kingdom",
    "bulgarian": "bulgaria", "canadian": "canada", "chinese": "china", "croatian": "croatia",
    "czech": "czech republic", "danish": "denmark", "dutch": "netherlands", "egyptian": "egypt",
    "english": "england", "estonian": "estonia", "ethiopian": "ethiopia", "european": "europe",
    "finnish": "finland", "french": "france", "georgian": "georgia", "german": "germany", "greek": "greece",
    "hungarian": "hungary", "indian": "india", "iranian": "iran", "iraqi": "iraq", "irish": "ireland",
    "israeli": "israel", "italian": "italy", "japanese": "japan", "kenyan": "kenya", "kosovar": "kosovo",
    "kosovan": "kosovo", "latvian": "latvia", "lithuanian": "lithuania", "macedonian": "north macedonia",
    "mexican": "mexico", "montenegrin": "montenegro", "moldovan": "moldova", "nigerian": "nigeria",
    "norwegian": "norway", "pakistani": "pakistan", "palestinian": "palestine", "polish": "poland",
    "portuguese": "portugal", "romanian": "romania", "russian": "russia", "saudi": "saudi arabia",
    "scottish": "scotland", "serbian": "serbia", "serb": "serbia", "serbs": "serbia", "slovak": "slovakia",
    "slovenian": "slovenia", "spanish": "spain", "swedish": "sweden", "swiss": "switzerland",
    "syrian": "syria", "turkish": "turkey", "ukrainian": "ukraine", "korean": "korea", "balkan": "balkans",
    "african": "africa", "asian": "asia", "welsh": "wales", "argentine": "argentina", "chilean": "chile",
    "colombian": "colombia", "venezuelan": "venezuela", "cuban": "cuba", "lebanese": "lebanon",
    "libyan": "libya", "moroccan": "morocco", "tunisian": "tunisia", "algerian": "algeria",
    "afghan": "afghanistan", "indonesian": "indonesia", "vietnamese": "vietnam", "thai": "thailand",
    "filipino": "philippines", "cypriot": "cyprus", "belarusian": "belarus", "armenian": "armenia",
    "azerbaijani": "azerbaijan", "kazakh": "kazakhstan", "uzbek": "uzbekistan", "qatari": "qatar",
    "emirati": "united arab emirates", "jordanian": "jordan", "yemeni": "yemen", "sudanese": "sudan",
    "somali": "somalia", "ghanaian": "ghana", "ugandan": "uganda", "tanzanian": "tanzania",
    "rwandan": "rwanda", "malian": "mali", "deutsche": "germany", "deutschen": "germany",
    "deutscher": "germany", "franzosische": "france", "francais": "france", "francaise": "france",
    "espanol": "spain", "espanola": "spain", "srpski": "serbia", "hrvatski": "croatia",
    "turkiye's": "turkey",
}
# Place name variants folded to one form ("the netherlands" -> "netherlands", "turkiye" -> "turkey").
PLACE_ALIASES: dict[str, str] = {
    "the netherlands": "netherlands", "turkiye": "turkey", "czechia": "czech republic", "usa": "united states",
    "us": "united states", "america": "united states", "uk": "united kingdom", "britain": "united kingdom",
    "great britain": "united kingdom", "beograd": "belgrade", "prishtina": "pristina", "kiev": "kyiv",
    "wien": "vienna", "praha": "prague", "warszawa": "warsaw", "roma": "rome", "lisboa": "lisbon",
    "munchen": "munich", "koln": "cologne", "hannover": "hanover", "milano": "milan", "macedonia": "north macedonia",
    "deutschland": "germany", "frankreich": "france", "osterreich": "austria", "schweiz": "switzerland",
    "italien": "italy", "spanien": "spain", "polen": "poland", "ungarn": "hungary", "tschechien": "czech republic",
    "kroatien": "croatia", "serbien": "serbia", "turkei": "turkey", "russland": "russia", "griechenland": "greece",
    "espana": "spain", "francia": "france", "alemania": "germany", "italia": "italy", "srbija": "serbia",
    "hrvatska": "croatia", "polska": "poland", "hague": "the hague", "balkan": "balkans", "odessa": "odesa",
    "bosnia and herzegovina": "bosnia", "korea": "south korea",
}
