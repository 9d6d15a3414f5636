"""A small multilingual page set, written for these tests: one short news story per script.

Each sample is a title and three paragraphs of a few sentences (written for newsflow, copied from
nowhere) and the legacy encodings its language was long published in. ``variants`` turns a sample
into the ways a page reaches the pipeline: UTF-8 bytes with and without a ``<meta charset>``,
legacy bytes with and without one, and the page as already-decoded text (the ``html`` string of a
JSON record), plain or still carrying a legacy ``<meta>`` that no longer describes it. Every
variant must come out of the clean stage as ``expected_text``: the paragraphs as written, joined
by blank lines.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Sample:
    """One story: its language (ISO 639-1), title, paragraphs and legacy encodings (WHATWG labels)."""

    language: str
    title: str
    paragraphs: tuple[str, ...]
    legacy: tuple[str, ...] = ()
    script: str = ""  # told apart from another sample of the same language ("hant")

    @property
    def key(self) -> str:
        """The sample's name: its language, and its script when another sample shares the language."""
        return f"{self.language}-{self.script}" if self.script else self.language


@dataclass(frozen=True, slots=True)
class Variant:
    """One way a sample's page reaches the pipeline: bytes (a file, an HTTP body) or text (JSON)."""

    sample: Sample
    kind: str
    body: bytes | str
    label: str | None = None  # the WHATWG label of its encoding (bytes) or of its stale <meta> (text)

    @property
    def name(self) -> str:
        """A stable name: language, kind and encoding (``ru-legacy-declared-koi8-r``)."""
        return "-".join(part for part in (self.sample.key, self.kind, self.label) if part)

    @property
    def declared(self) -> bool:
        """Whether a browser could decode it for sure: UTF-8, declared, or already text."""
        return self.kind != "legacy-undeclared"


SAMPLES: tuple[Sample, ...] = (
    Sample(
        "ko",
        "서울 지하철 기본요금 내년 인상",
        (
            "서울시는 내년 봄부터 지하철 기본요금이 150원 인상된다고 밝혔다. 시는 노후 차량 교체와 "
            "안전 설비 확충에 필요한 재원을 마련하기 위한 조치라고 설명했다.",
            "시민들의 반응은 엇갈렸다. 매일 지하철로 출퇴근하는 한 직장인은 물가가 오르는 상황에서 "
            "부담이 더 커진다고 말했다.",
            "시는 청소년과 노인을 위한 할인 제도는 그대로 유지할 계획이다. 새 요금은 시의회 심의를 "
            "거쳐 최종 확정될 예정이다.",
        ),
        ("euc-kr",),
    ),
    Sample(
        "ja",
        "京都で記録的な大雨、交通機関に乱れ",
        (
            "京都市では昨夜から激しい雨が降り続き、市内を流れる鴨川の水位が一時警戒レベルに達した。"
            "気象台によると、一時間の降水量は観測史上最多を記録した。",
            "この影響で、ＪＲや私鉄の一部の路線が朝から運転を見合わせている。駅には足止めされた通勤客や"
            "観光客があふれ、タクシー乗り場には長い列ができた。",
            "市は避難所を開設し、川沿いの住民に早めの避難を呼びかけている。雨は明日の昼ごろまで続く見込みだという。",
        ),
        ("shift_jis", "euc-jp"),
    ),
    Sample(
        "zh",
        "上海举办国际电动汽车展览会",
        (
            "第十届上海国际电动汽车展览会今天在浦东开幕，来自三十多个国家和地区的八百多家企业参展。"
            "主办方表示，今年的展览面积比去年扩大了三分之一。",
            "多家国内厂商在展会上发布了续航里程超过一千公里的新车型。业内人士认为，电池技术的进步"
            "正在改变消费者的购买习惯。",
            "展览会将持续七天，预计接待观众超过五十万人次。组织者还安排了多场关于充电网络建设的论坛。",
        ),
        ("gb18030", "gb2312"),
    ),
    Sample(
        "zh",
        "台北捷運新路線明年通車",
        (
            "台北市政府今天宣布，捷運環狀線北段工程已完成八成，預計明年底正式通車。新路線全長約十五公里，"
            "共設有十二個車站。",
            "市長表示，環狀線通車後，士林和內湖之間的交通時間可縮短一半。不少通勤族對此表示期待。",
            "交通局提醒，施工期間部分道路仍將封閉，請民眾多加利用大眾運輸工具。",
        ),
        ("big5",),
        script="hant",
    ),
    Sample(
        "ru",
        "В Новосибирске построят три новые станции метро",
        (
            "Городские власти Новосибирска объявили о строительстве трёх новых станций метро. Работы "
            "начнутся весной следующего года и займут около четырёх лет.",
            "По словам мэра, новые станции свяжут левый берег с центром города. Жители спальных районов "
            "давно жаловались на переполненные автобусы.",
            "Стоимость проекта оценивается в сорок миллиардов рублей. Часть средств выделит "
            "федеральный бюджет.",
        ),
        ("windows-1251", "koi8-r"),
    ),
    Sample(
        "el",
        "Νέα γραμμή τραμ στη Θεσσαλονίκη",
        (
            "Ο δήμος της Θεσσαλονίκης παρουσίασε χθες τα σχέδια για μια νέα γραμμή τραμ που θα συνδέει "
            "το λιμάνι με το πανεπιστήμιο. Η κατασκευή αναμένεται να ξεκινήσει το φθινόπωρο.",
            "Σύμφωνα με τον δήμαρχο, η γραμμή θα εξυπηρετεί περίπου σαράντα χιλιάδες επιβάτες την ημέρα. "
            "Οι κάτοικοι του κέντρου ζητούν λιγότερη κίνηση και καθαρότερο αέρα.",
            "Το έργο θα χρηματοδοτηθεί κυρίως από ευρωπαϊκά κονδύλια. Οι πρώτοι συρμοί θα παραδοθούν "
            "σε τρία χρόνια.",
        ),
        ("iso-8859-7",),
    ),
    Sample(
        "ar",
        "افتتاح مكتبة عامة جديدة في عمان",
        (
            "افتتحت أمانة عمان الكبرى أمس مكتبة عامة جديدة في وسط المدينة. وتضم المكتبة أكثر من خمسين "
            "ألف كتاب باللغتين العربية والإنجليزية.",
            "وقال مدير المكتبة إن المبنى يضم قاعة للأطفال ومختبرا للحاسوب. وأضاف أن الدخول سيكون مجانيا "
            "لجميع الزوار.",
            "ومن المتوقع أن تستقبل المكتبة نحو ألف زائر يوميا. وتخطط الأمانة لافتتاح مكتبتين أخريين "
            "خلال العام المقبل.",
        ),
        ("windows-1256",),
    ),
    Sample(
        "he",
        "קו רכבת קלה חדש בירושלים",
        (
            "עיריית ירושלים הודיעה אתמול על פתיחת קו חדש של הרכבת הקלה. הקו יחבר את השכונות בדרום העיר "
            "עם מרכז העיר ועם התחנה המרכזית.",
            "לדברי ראש העירייה, הקו החדש ישרת כמאה אלף נוסעים ביום. תושבים רבים הביעו שביעות רצון "
            "מהפרויקט, אך סוחרים במרכז העיר חוששים מהעבודות.",
            "הנסיעה הראשונה תתקיים בחודש הבא. בעירייה מקווים שהקו יפחית את העומס בכבישים.",
        ),
        ("windows-1255",),
    ),
    Sample(
        "hi",
        "दिल्ली में नई मेट्रो लाइन शुरू",
        (
            "दिल्ली में आज एक नई मेट्रो लाइन का उद्घाटन किया गया। इस लाइन से शहर के पूर्वी हिस्से के "
            "लाखों यात्रियों को लाभ मिलेगा।",
            "परिवहन मंत्री ने कहा कि नई लाइन पर हर पाँच मिनट में एक ट्रेन चलेगी। यात्रियों ने इस कदम "
            "का स्वागत किया और किराए कम रखने की माँग की।",
            "अधिकारियों के अनुसार अगले साल दो और लाइनें शुरू की जाएँगी। इस परियोजना पर कुल दस हजार करोड़ रुपये खर्च होंगे।",
        ),
    ),
    Sample(
        "th",
        "กรุงเทพฯ เปิดสวนสาธารณะแห่งใหม่ริมแม่น้ำ",
        (
            "กรุงเทพมหานครเปิดสวนสาธารณะแห่งใหม่ริมแม่น้ำเจ้าพระยาเมื่อวานนี้ "
            "สวนแห่งนี้มีพื้นที่กว่าห้าสิบไร่และมีทางจักรยานยาวสามกิโลเมตร",
            "ผู้ว่าราชการกรุงเทพมหานครกล่าวว่าเมืองต้องการพื้นที่สีเขียวเพิ่มขึ้นเพื่อลดมลพิษทางอากาศ "
            "ประชาชนจำนวนมากเดินทางมาพักผ่อนในวันแรก",
            "สวนจะเปิดให้บริการทุกวันตั้งแต่ห้าโมงเช้าจนถึงสี่ทุ่มโดยไม่เสียค่าเข้าชม",
        ),
        ("tis-620",),
    ),
    Sample(
        "fr",
        "Lyon inaugure une piste cyclable le long du Rhône",
        (
            "La métropole de Lyon a inauguré jeudi une nouvelle piste cyclable de douze kilomètres le "
            "long du Rhône. Les travaux, commencés l’an dernier, ont coûté près de huit millions d’euros.",
            "« C’est une étape importante pour la ville », a déclaré l’adjointe chargée des mobilités. "
            "Les associations de cyclistes saluent un projet attendu depuis longtemps, même si elles "
            "réclament davantage d’aménagements en périphérie.",
            "Selon les premières estimations, plus de cinq mille cyclistes emprunteront la piste chaque "
            "jour. Une deuxième tranche est prévue vers Vénissieux et Saint-Fons.",
        ),
        ("windows-1252",),
    ),
    Sample(
        "de",
        "Hamburg plant neue Fährverbindung über die Elbe",
        (
            "Der Hamburger Senat hat am Dienstag eine neue Fährverbindung über die Elbe beschlossen. Die "
            "Fähren sollen ab dem nächsten Frühjahr im Halbstundentakt fahren.",
            "Anwohner in Finkenwerder begrüßten die Entscheidung, äußerten aber Bedenken wegen des "
            "zusätzlichen Lärms. Die Kosten für den Betrieb übernimmt zum größten Teil die Stadt.",
            "Nach Angaben der Verkehrsbehörde werden täglich rund dreitausend Fahrgäste erwartet. Die "
            "Schiffe fahren mit Strom aus erneuerbaren Quellen.",
        ),
        ("iso-8859-1",),
    ),
    Sample(
        "pl",
        "Kraków otwiera nowy most dla pieszych",
        (
            "Władze Krakowa otworzyły w sobotę nowy most dla pieszych i rowerzystów nad Wisłą. "
            "Przeprawa łączy Kazimierz z Podgórzem i ma ponad sto pięćdziesiąt metrów długości.",
            "Mieszkańcy od lat domagali się takiego połączenia. Według urzędników przez most będzie "
            "przechodzić codziennie kilkanaście tysięcy osób.",
            "Budowa trwała dwa lata i kosztowała czterdzieści milionów złotych. Wieczorem konstrukcja "
            "jest podświetlana na zmieniające się kolory.",
        ),
        ("windows-1250", "iso-8859-2"),
    ),
    Sample(
        "fa",
        "بازگشایی کتابخانه‌های عمومی تهران پس از نوسازی",
        (
            "شهرداری تهران روز دوشنبه اعلام کرد که کتابخانه‌های عمومی شهر پس از دو سال نوسازی دوباره "
            "به روی مردم باز می‌شوند. به گفته مسئولان، ساختمان‌ها اکنون برای همه شهروندان مناسب شده‌اند.",
            "مدیر کتابخانه‌ها گفت که بیش از بیست هزار جلد کتاب تازه خریداری شده و سالن‌های مطالعه تا "
            "ساعت ده شب باز خواهند بود. او افزود که دانش‌آموزان می‌توانند بدون پرداخت هزینه عضو شوند.",
            "ساکنان محله‌های جنوبی شهر از این خبر استقبال کردند و امیدوارند که برنامه‌های آموزشی "
            "کودکان نیز از سر گرفته شود.",
        ),
        # No legacy encoding: windows-1256 has neither the Persian yeh (U+06CC) nor keheh (U+06A9).
    ),
    Sample(
        "vi",
        "Hà Nội mở thêm năm tuyến xe buýt điện",
        (
            "Thành phố Hà Nội vừa đưa vào hoạt động năm tuyến xe buýt điện mới nối trung tâm với các "
            "quận ngoại thành. Mỗi ngày các tuyến này dự kiến phục vụ khoảng hai mươi nghìn lượt khách.",
            "Theo sở giao thông, xe buýt điện giúp giảm tiếng ồn và khói bụi trên các tuyến phố đông "
            "đúc. Nhiều người dân cho biết họ sẵn sàng để xe máy ở nhà nếu xe buýt chạy đúng giờ.",
            "Thành phố đặt mục tiêu chuyển toàn bộ xe buýt sang điện trước năm 2030.",
        ),
    ),
)

# Python's codec for each WHATWG label used above, to write the legacy bytes as a publisher would.
CODECS = {
    "euc-kr": "cp949",
    "shift_jis": "cp932",
    "euc-jp": "euc_jp",
    "gb18030": "gb18030",
    "gb2312": "gbk",
    "big5": "big5hkscs",
    "windows-1251": "cp1251",
    "koi8-r": "koi8_r",
    "iso-8859-7": "iso8859_7",
    "windows-1256": "cp1256",
    "windows-1255": "cp1255",
    "tis-620": "cp874",
    "windows-1252": "cp1252",
    "iso-8859-1": "cp1252",
    "windows-1250": "cp1250",
    "iso-8859-2": "iso8859_2",
}


def expected_text(sample: Sample) -> str:
    """What the clean stage must give for every variant: the paragraphs, separated by blank lines."""
    return "\n\n".join(sample.paragraphs)


def page(sample: Sample, meta: str | None = None) -> str:
    """The sample as an HTML page: a site header, the article, a footer; ``meta`` names a charset."""
    declaration = f'<meta charset="{meta}">' if meta else ""
    paragraphs = "".join(f"<p>{paragraph}</p>\n" for paragraph in sample.paragraphs)
    return (
        f"<!DOCTYPE html>\n<html><head>{declaration}"
        f"<title>{sample.title}</title></head>\n<body>\n<article>\n{paragraphs}</article>\n</body></html>\n"
    )


def variants(sample: Sample) -> list[Variant]:
    """Every way the sample reaches the pipeline (see the module docstring)."""
    found = [
        Variant(sample, "utf8-declared", page(sample, "utf-8").encode("utf-8"), "utf-8"),
        Variant(sample, "utf8-undeclared", page(sample).encode("utf-8"), "utf-8"),
        Variant(sample, "json", page(sample)),
    ]
    for label in sample.legacy:
        codec = CODECS[label]
        found += [
            Variant(sample, "legacy-declared", page(sample, label).encode(codec), label),
            Variant(sample, "legacy-undeclared", page(sample).encode(codec), label),
            Variant(sample, "json-legacy-meta", page(sample, label), label),
        ]
    return found


def all_variants() -> list[Variant]:
    """The variants of every sample."""
    return [variant for sample in SAMPLES for variant in variants(sample)]


def write_files(folder: Path, chosen: list[Variant]) -> dict[str, Variant]:
    """Write byte variants as .html files and text variants as one JSONL file; origin -> variant."""
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, Variant] = {}
    lines = []
    for variant in chosen:
        if isinstance(variant.body, bytes):
            (folder / f"{variant.name}.html").write_bytes(variant.body)
            written[f"{variant.name}.html"] = variant
        else:
            lines.append(json.dumps({"html": variant.body, "url": f"https://example.org/{variant.name}"}))
            written[f"pages.jsonl:{len(lines)}"] = variant
    if lines:
        (folder / "pages.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return written
