"""Personal names of Pakistan, Afghanistan and the Gulf, curated by hand, with rough frequencies.

Each entry is ``Latin|other Latin spellings=Arabic script*weight``; the first Latin spelling is the
most usual. Common names (Muhammad, Ali, Khan, Ahmed) carry most of the weight, as they do.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from .model import Person
from .util import chance, pick

_MALE = """
Muhammad|Mohammad|Muhammed|Mohammed=محمد*100 Ahmed|Ahmad=احمد*30 Ali=علی*35 Hassan|Hasan=حسن*15
Hussain|Hussein|Husain=حسین*15 Usman|Osman=عثمان*12 Umar|Omar=عمر*14 Abdullah=عبداللہ*12
Bilal=بلال*10 Hamza=حمزہ*10 Imran=عمران*10 Irfan=عرفان*7 Kashif=کاشف*6 Asad=اسد*8 Faisal=فیصل*8
Farhan=فرحان*6 Zubair=زبیر*6 Zeeshan=ذیشان*6 Waqas=وقاص*6 Waseem|Wasim=وسیم*6 Shahid=شاہد*7
Sajid=ساجد*6 Rashid|Rasheed=رشید*6 Tariq=طارق*7 Naveed|Navid=نوید*6 Junaid=جنید*6 Adnan=عدنان*6
Arslan=ارسلان*5 Fahad|Fahd=فہد*6 Saad=سعد*6 Talha=طلحہ*5 Haris|Harris=حارث*5
Abdul_Rehman|Abdur_Rahman|Abdul_Rahman=عبدالرحمان*7 Abdul_Qadir|Abdul_Qadeer=عبدالقادر*4
Abdul_Wahab=عبدالوہاب*3 Abdul_Basit=عبدالباسط*3 Abdul_Malik=عبدالمالک*3 Abdul_Ghaffar=عبدالغفار*3
Abdul_Hameed|Abdul_Hamid=عبدالحمید*3 Abdul_Rauf=عبدالرؤف*3 Abdul_Samad=عبدالصمد*3
Abdul_Wali=عبدالولی*3 Abdul_Jabbar=عبدالجبار*2 Abdul_Haq=عبدالحق*2 Gul=گل*5 Sher=شیر*3
Shah=شاہ*4 Wali=ولی*4 Noor|Nur=نور*6 Zahid=زاہد*5 Khalid=خالد*7 Khurram=خرم*4 Saeed|Said=سعید*5
Yasir|Yasser=یاسر*5 Yousaf|Yousuf|Yusuf=یوسف*6 Ibrahim|Ibraheem=ابراہیم*5 Ismail|Ismael=اسماعیل*4
Ishaq=اسحاق*3 Idrees|Idris=ادریس*3 Ilyas|Elyas=الیاس*4 Javed|Javaid=جاوید*6 Jamil|Jameel=جمیل*4
Kamran=کامران*5 Karim|Kareem=کریم*4 Latif|Lateef=لطیف*3 Mansoor|Mansur=منصور*4 Masood|Masud=مسعود*4
Mehmood|Mahmood|Mahmud=محمود*6 Mukhtar=مختار*3 Mustafa=مصطفی*5 Nadeem|Nadim=ندیم*5
Nasir|Naseer=ناصر*5 Naeem|Naim=نعیم*4 Qasim|Kasim=قاسم*5 Rizwan=رضوان*5 Sami=سمیع*3
Sameer|Samir=سمیر*3
Shakeel|Shakil=شکیل*4 Shoaib=شعیب*4 Sohail|Suhail=سہیل*5 Tahir=طاہر*5 Tanveer|Tanvir=تنویر*4
Ubaid=عبید*3 Waheed|Wahid=وحید*4 Yaqoob|Yaqub=یعقوب*3 Zafar=ظفر*4 Zakir=ذاکر*3 Zia=ضیاء*3
Aamir|Amir=عامر*6 Abid=عابد*4 Adil|Aadil=عادل*4 Afzal=افضل*4 Akbar=اکبر*4 Akram=اکرم*4
Altaf=الطاف*3 Amjad=امجد*4 Anwar=انور*4 Arif=عارف*5 Asif=آصف*6 Aslam=اسلم*4 Atif=عاطف*4
Ayaz=ایاز*4 Azhar=اظہر*4 Babar|Babur=بابر*4 Danish=دانش*4 Ehsan|Ahsan=احسان*4 Fawad|Fuad=فواد*3
Ghulam=غلام*5 Habib|Habeeb=حبیب*4 Hafeez=حفیظ*3 Haider|Hyder=حیدر*5 Hamid|Hameed=حامد*5
Haroon|Harun=ہارون*4 Iqbal=اقبال*4 Jawad=جواد*3 Khalil|Khaleel=خلیل*3 Liaqat=لیاقت*3
Majid|Majeed=ماجد*4 Murad=مراد*3 Mushtaq=مشتاق*4 Nawaz=نواز*3 Owais|Uwais=اویس*4
Qaiser|Qaisar=قیصر*3 Rafiq|Rafique=رفیق*4 Rahim|Raheem=رحیم*4 Raza=رضا*4 Riaz=ریاض*4
Sadiq|Sadique=صادق*3 Saif=سیف*4 Salman=سلمان*5 Sarfraz|Sarfaraz=سرفراز*3 Shafiq|Shafique=شفیق*3
Shahzad|Shehzad=شہزاد*5 Sharif|Shareef=شریف*3 Sikandar|Sikander=سکندر*3 Sultan=سلطان*3
Taimur|Taimoor=تیمور*4 Umair=عمیر*5 Waqar=وقار*4 Yahya=یحیی*3 Zain|Zayn=زین*4 Zaman=زمان*3
Zalmay|Zalmai=زلمی*3 Mirwais=میرویس*3 Najibullah=نجیب_اللہ*3 Hikmatullah|Hekmatullah=حکمت_اللہ*3
Rahmatullah=رحمت_اللہ*3 Inayatullah=عنایت_اللہ*3 Asadullah=اسد_اللہ*3 Zabihullah=ذبیح_اللہ*3
Sanaullah=ثناء_اللہ*3 Kifayatullah=کفایت_اللہ*2 Amanullah=امان_اللہ*3
Naqeebullah|Naqibullah=نقیب_اللہ*2
Samiullah=سمیع_اللہ*3 Ihsanullah|Ehsanullah=احسان_اللہ*3 Hayatullah=حیات_اللہ*2 Noorullah=نور_اللہ*2
Saifullah=سیف_اللہ*3 Ubaidullah=عبید_اللہ*2 Gulzar=گلزار*2 Bakht=بخت*2 Sardar=سردار*3 Mir|Meer=میر*4
Hammal=حمل*2 Chakar=چاکر*2 Jalal=جلال*3 Shahdad=شہداد*2 Dilawar=دلاور*2 Balach=بالاچ*2
Mehrab=محراب*2 Gohram=گہرام*2 Kamal=کمال*3 Abdulaziz|Abdul_Aziz=عبدالعزیز*3 Saud=سعود*2
Turki=ترکی*2 Khalifa=خلیفہ*2 Hamad=حمد*2 Salem|Salim=سالم*3 Tamim|Tameem=تمیم*2 Waleed|Walid=ولید*3
Allah_Bux|Allah_Bakhsh=اللہ_بخش*3 Qurban=قربان*2 Mumtaz=ممتاز*3 Nisar=نثار*3 Bashir|Basheer=بشیر*4
Nazir|Nazeer=نذیر*3 Sabir=صابر*3 Imtiaz=امتیاز*3 Fazal=فضل*3 Rehmat=رحمت*2 Shaukat=شوکت*3
"""

_FEMALE = """
Fatima|Fatimah=فاطمہ*10 Ayesha|Aisha=عائشہ*9 Zainab|Zaynab=زینب*7 Maryam|Mariam=مریم*8
Khadija=خدیجہ*5 Sana=ثنا*6 Hira=حرا*5 Amna|Aamna=آمنہ*5 Sadia=سعدیہ*4 Saima=صائمہ*4 Nadia=نادیہ*4
Rabia=رابعہ*4 Mehwish=مہوش*3 Iqra=اقرا*5 Hina=حنا*5 Bushra=بشری*4 Asma=اسماء*4 Uzma=عظمی*3
Shazia=شازیہ*3 Farah=فرح*3 Kiran=کرن*3 Nimra=نمرہ*3 Laiba=لائبہ*3 Areeba=اریبہ*3 Anam=انعم*3
Sidra=سدرہ*4 Rukhsana=رخسانہ*2 Parveen=پروین*2 Shabana=شبانہ*2 Palwasha=پلوشہ*2 Mahnoor=ماہ_نور*3
Zarghuna=زرغونہ*2 Gulalai=گلالئی*2 Sameena|Samina=ثمینہ*2 Naila=نائلہ*2 Tahira=طاہرہ*2 Huma=ہما*2
Javeria=جویریہ*3 Sumaira=سمیرا*2 Ambreen=عنبرین*2 Farzana=فرزانہ*2 Shaista=شائستہ*2 Maha=مہا*2
Sara|Sarah=سارہ*4 Reem=ریم*2 Noor=نور*3
"""

_SURNAMES = """
Khan=خان*60 Ahmed|Ahmad=احمد*15 Ali=علی*12 Hussain|Hussein=حسین*10 Shah=شاہ*10 Malik=ملک*10
Butt=بٹ*7 Chaudhry|Chaudhary=چوہدری*8 Qureshi=قریشی*6 Sheikh|Shaikh=شیخ*7 Siddiqui|Siddiqi=صدیقی*5
Awan=اعوان*5 Rajput=راجپوت*4 Abbasi=عباسی*5 Baloch|Baluch=بلوچ*12 Mengal=مینگل*3 Bugti=بگٹی*3
Marri=مری*3 Raisani=رئیسانی*2 Zehri=زہری*2 Rind=رند*3 Jamali=جمالی*2 Magsi=مگسی*2 Lehri=لہڑی*2
Bizenjo=بزنجو*2 Hoth=ہوت*2 Dashti=دشتی*2 Kurd=کرد*2 Sasoli=ساسولی*2 Langove=لانگو*2
Yousafzai|Yusufzai=یوسفزئی*5 Afridi=آفریدی*6 Mehsud|Mahsud=محسود*4 Wazir=وزیر*4 Shinwari=شنواری*3
Durrani=درانی*3 Khattak=خٹک*4 Bangash=بنگش*3 Orakzai=اورکزئی*3 Mohmand=مہمند*3 Achakzai=اچکزئی*3
Kakar=کاکڑ*4 Tareen|Tarin=ترین*3 Niazi=نیازی*4 Jadoon=جدون*3 Swati=سواتی*3 Marwat=مروت*3
Gandapur=گنڈاپور*2 Safi=صافی*2 Ahmadzai=احمدزئی*3 Popalzai=پوپلزئی*2 Noorzai=نورزئی*2
Stanikzai|Stanekzai=ستانکزئی*2 Hotak=ہوتک*2 Mangal=منگل*2 Zadran=زدران*2 Hashmi=ہاشمی*3
Bukhari=بخاری*4 Gillani|Gilani=گیلانی*3 Naqvi=نقوی*4 Rizvi=رضوی*4 Jafri=جعفری*3 Kazmi=کاظمی*3
Zaidi=زیدی*3 Hazara=ہزارہ*2 Changezi=چنگیزی*2 Memon=میمن*4 Soomro=سومرو*3 Jatoi=جتوئی*3
Bhutto=بھٹو*2 Mirza=مرزا*4 Baig|Beg=بیگ*4 Mughal=مغل*4 Janjua=جنجوعہ*3 Gujjar=گجر*4 Jutt|Jatt=جٹ*4
Arain=آرائیں*3 Ansari=انصاری*4 Farooqi=فاروقی*3 Usmani=عثمانی*2 Iqbal=اقبال*3 Akhtar=اختر*4
Anwar=انور*3 Aslam=اسلم*3 Javed=جاوید*3 Rehman|Rahman=رحمان*6 Khilji=خلجی*2 Lodhi=لودھی*2
Abro=ابڑو*2 Mahar=مہر*2 Chandio=چانڈیو*2 Pirzada=پیرزادہ*2 Mufti=مفتی*1 Hotak=ہوتک*1
"""

_GULF = """
Al-Otaibi=العتيبي*2 Al-Qahtani=القحطاني*2 Al-Harbi=الحربي*2 Al-Shehri=الشهري*2 Al-Mutairi=المطيري*2
Al-Dosari=الدوسري*2 Al-Ghamdi=الغامدي*2 Al-Zahrani=الزهراني*2 Al-Kaabi=الكعبي*2 Al-Nuaimi=النعيمي*2
Al-Hashimi=الهاشمي*2 Al-Shamsi=الشامسي*2 Al-Balushi=البلوشي*2 Al-Amri=العامري*1
"""


@dataclass(frozen=True)
class NameEntry:
    spellings: tuple[str, ...]
    arabic: str
    weight: float


def _parse(block: str) -> tuple[NameEntry, ...]:
    out = []
    for item in block.split():
        latin, rest = item.split("=")
        arabic, weight = rest.split("*")
        spellings = tuple(s.replace("_", " ") for s in latin.split("|"))
        out.append(NameEntry(spellings, arabic.replace("_", " "), float(weight)))
    return tuple(out)


MALE = _parse(_MALE)
FEMALE = _parse(_FEMALE)
SURNAMES = _parse(_SURNAMES)
GULF_SURNAMES = _parse(_GULF)
_GULF_GIVEN = frozenset(
    "Muhammad Ahmed Ali Hassan Hussain Umar Abdullah Khalid Saeed Yousaf Ibrahim Abdulaziz Saud "
    "Turki Khalifa Hamad Salem Tamim Waleed Fahad Faisal Sultan Nasir Mansoor Majid Rashid Saad "
    "Hamza Bilal Tariq Fatima Ayesha Maryam Khadija Noor Sara Reem Maha Zainab Asma".split()
)
_ARABIC_ORTHO = str.maketrans({"ی": "ي", "ک": "ك", "ہ": "ه", "ۂ": "ه", "ۃ": "ة"})


def _spell(rng: random.Random, e: NameEntry) -> str:
    return e.spellings[0] if chance(rng, 0.7) else pick(rng, e.spellings)


def arabic_orthography(text: str) -> str:
    """Urdu letters to the Arabic ones a Gulf Arab would type."""
    return text.translate(_ARABIC_ORTHO)


BALOCH = frozenset(
    "Baloch Mengal Bugti Marri Raisani Zehri Rind Jamali Magsi Lehri Bizenjo Hoth Dashti Kurd "
    "Sasoli Langove".split()
)
PASHTUN = frozenset(
    "Khan Yousafzai Afridi Mehsud Wazir Shinwari Durrani Khattak Bangash Orakzai Mohmand Achakzai "
    "Kakar Tareen Niazi Swati Marwat Gandapur Safi Ahmadzai Mangal Zadran Stanikzai".split()
)
SINDHI = frozenset("Soomro Jatoi Bhutto Memon Abro Mahar Chandio Pirzada Shah Rind".split())


def person(
    rng: random.Random,
    *,
    female: bool | None = None,
    region: str = "pk",
    prefer: frozenset[str] = frozenset(),
) -> Person:
    """A full name with realistic frequencies. `region` "gulf" gives Arabic orthography; surnames
    in `prefer` are taken seven times in ten."""
    if female is None:
        female = chance(rng, 0.22)
    gulf = region == "gulf"
    table = FEMALE if female else MALE
    if gulf:
        table = tuple(e for e in table if e.spellings[0] in _GULF_GIVEN)
    first = pick(rng, table, [e.weight for e in table])
    given = [first]
    if not gulf and (first.spellings[0] in ("Muhammad", "Ghulam") or chance(rng, 0.12)):
        second = pick(rng, MALE, [e.weight for e in MALE])
        if second is not first and second.spellings[0] != "Muhammad":
            given.append(second)
    sur_table = GULF_SURNAMES if gulf else SURNAMES
    if prefer and chance(rng, 0.7):
        sur_table = tuple(e for e in sur_table if e.spellings[0] in prefer)
    sur = pick(rng, sur_table, [e.weight for e in sur_table])
    given_latin = " ".join(_spell(rng, e) for e in given)
    surname = _spell(rng, sur)
    arabic = " ".join([*(e.arabic for e in given), sur.arabic])
    if gulf:
        arabic = arabic_orthography(arabic)
    if chance(rng, 0.07) and not gulf and not female:
        given_latin = "Syed " + given_latin
        arabic = "سید " + arabic
    return Person(f"{given_latin} {surname}", arabic, given_latin, surname, female)


def given_name(rng: random.Random) -> NameEntry:
    return pick(rng, MALE, [e.weight for e in MALE])
