"""Identity documents for real-name registration: each type's shape, check digit and dates.

`stdnum.cn.ric` alone rejects real numbers (every 830000 Taiwan residence permit, older Hong
Kong and Macao ones, numbers whose district code is newer than the holder), so the checks here
are shape, ISO 7064 MOD 11-2 check digit and birth date; an unknown region is only a warning.
"""

import re
from dataclasses import dataclass, field
from datetime import date

from babel.core import get_global
from flask_babel import lazy_gettext as _l
from stdnum import numdb
from stdnum.iso7064 import mod_11_2

from conference.core import clock
from conference.core.errors import Refusal

ID_TYPES = (
    "resident_id",            # 居民身份证
    "residence_permit_hmt",   # 港澳台居民居住证
    "hk_macau_permit",        # 港澳居民来往内地通行证
    "taiwan_permit",          # 台湾居民来往大陆通行证
    "foreign_permanent_id",   # 外国人永久居留身份证
    "passport",
)
HMT_PREFIXES = {"810000": "HK", "820000": "MO", "830000": "TW"}


class IdentityError(Refusal):
    pass


def _user_assigned(code: str) -> bool:
    """ISO 3166-1 leaves AA, QM to QZ, XA to XZ and ZZ to its users (CLDR: pseudo-locales, Kosovo, unknown)."""
    return code in ("AA", "ZZ") or code[0] == "X" or (code[0] == "Q" and code[1] >= "M")


def _iso_countries() -> tuple[frozenset, dict]:
    """ISO 3166-1 from CLDR (Babel's data): the alpha-2 codes that have a numeric code — which
    leaves out CLDR's subdivisions and groupings such as EA, IC, UN or EZ — without the
    user-assigned codes and the European Union; and each alpha-3 code (old ones included, as
    older passports print them) with the alpha-2 code it stands for."""
    aliases = get_global("territory_aliases")
    numbered = {targets[0] for code, targets in aliases.items() if code.isdigit() and len(targets) == 1}
    countries = frozenset(code for code in numbered if len(code) == 2 and not _user_assigned(code) and code != "EU")
    alpha_3 = {code: targets[0] for code, targets in aliases.items()
               if len(code) == 3 and code.isalpha() and len(targets) == 1 and targets[0] in countries}
    return countries, alpha_3


COUNTRIES, ALPHA_3 = _iso_countries()


def country_code(value: str | None) -> str | None:
    """The ISO 3166 alpha-2 code of `us`, `US` or `USA` (as passports print it), else None."""
    code = (value or "").strip().upper()
    return code if code in COUNTRIES else ALPHA_3.get(code)


@dataclass
class Document:
    id_type: str
    number: str                 # normalised: upper case, no spaces or dashes
    duplicate_key: str          # what makes two registrations the same document
    birth_date: date | None = None
    warnings: list = field(default_factory=list)
    nationality: str | None = None  # passports: ISO 3166 alpha-2


def normalise(number: str) -> str:
    return re.sub(r"[\s\-‐‑–—]", "", (number or "")).upper()


def _birth_date(digits: str, today: date) -> date:
    try:
        born = date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError as error:
        raise IdentityError(_l("The birth date in the number (digits 7 to 14) is not a real date.")) from error
    if born > today or born.year < 1900:
        raise IdentityError(_l("The birth date in the number (digits 7 to 14) is not possible."))
    return born


def _eighteen_digits(number: str, today: date) -> date:
    """Shape, check digit and birth date of an 18-character PRC-style number."""
    if re.fullmatch(r"\d{15}", number):
        raise IdentityError(_l("15-digit identity card numbers are no longer valid; enter the 18-digit number."))
    if not re.fullmatch(r"\d{17}[\dX]", number):
        raise IdentityError(_l("The number has 18 characters: 17 digits and a last digit or X."))
    born = _birth_date(number[6:14], today)
    if not mod_11_2.is_valid(number):
        raise IdentityError(_l("The last character (the check digit) does not match; please check the number."))
    return born


# Read when the module is imported (a tenth of a second), not at the first registration of each process.
DISTRICTS = numdb.get("cn/loc")


def _region_known(code: str) -> bool:
    """Province and county both in stdnum's table of district codes."""
    parts = DISTRICTS.info(code)
    return len(parts) >= 2 and all(props for _, props in parts)


def check_document(id_type: str, number: str, nationality: str | None = None, today: date | None = None) -> Document:
    today = today or clock.today()
    number = normalise(number)
    if id_type not in ID_TYPES:
        raise IdentityError(_l("Choose the type of identity document."))
    if not number:
        raise IdentityError(_l("Enter the document number."))

    if id_type == "resident_id":
        born = _eighteen_digits(number, today)
        if number[:6] in HMT_PREFIXES:
            raise IdentityError(_l("This is a residence permit number for Hong Kong, Macao and Taiwan residents; choose that document type."))
        warnings = [] if _region_known(number[:6]) else [_l("The region code %(code)s is not in our list; please check it.", code=number[:6])]
        return Document(id_type, number, number, born, warnings)

    if id_type == "residence_permit_hmt":
        if number[:6] not in HMT_PREFIXES:
            raise IdentityError(_l("A residence permit number for Hong Kong, Macao and Taiwan residents starts with 810000, 820000 or 830000."))
        born = _eighteen_digits(number, today)
        return Document(id_type, number, number, born)

    if id_type == "foreign_permanent_id":
        if re.fullmatch(r"9\d{16}[\dX]", number):
            if not mod_11_2.is_valid(number):
                raise IdentityError(_l("The last character (the check digit) does not match; please check the number."))
            return Document(id_type, number, number)  # the birth date is not read from this layout
        if re.fullmatch(r"[A-Z]{3}\d{12}", number):
            return Document(id_type, number, number)
        raise IdentityError(_l("A foreign permanent resident ID is 18 digits starting with 9, or 3 letters and 12 digits."))

    if id_type == "hk_macau_permit":
        if not re.fullmatch(r"[HM]\d{8}(\d{2})?", number):
            raise IdentityError(_l("A Mainland Travel Permit for Hong Kong and Macao residents is H or M and 8 digits (sometimes 2 more)."))
        return Document(id_type, number, number[:9])

    if id_type == "taiwan_permit":
        if not re.fullmatch(r"\d{8}(\d{2})?", number):
            raise IdentityError(_l("A Mainland Travel Permit for Taiwan residents has 8 digits (sometimes 2 more)."))
        return Document(id_type, number, number[:8])

    # passport
    if not re.fullmatch(r"[A-Z0-9]{5,20}", number):
        raise IdentityError(_l("A passport number has 5 to 20 letters and digits."))
    country = country_code(nationality)
    if country is None:
        raise IdentityError(_l("Choose the nationality shown in the passport."), "nationality")
    return Document(id_type, number, f"{country}:{number}", nationality=country)


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
