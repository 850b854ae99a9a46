"""Generated data for the demo, tests and benchmarks: realistic names, valid ID numbers, real division codes.

Scales: ``demo`` (one county, ~80 organizations, ~900 people), ``county`` (~1,000 / ~20,000) and
``province`` (~200,000 / ~4,000,000). Division codes are the real county-level codes of GB/T 2260 as
shipped with python-stdnum; township and village codes extend them with generated 3-digit parts.
Everything is written through ``services.load_generated`` (bulk insert, then statistics rebuilt).
"""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

from faker.providers.person.zh_CN import Provider as ZhPerson
from stdnum.cn import ric

from tupo.orgs.choices import (
    Education,
    HostRelation,
    MemberStatus,
    Occupation,
    OrgCategory,
    OrgType,
)

SCALES = {
    # (cities per province, counties per city, townships per county, units per township, branches per unit, people per branch)
    "demo": dict(cities=0, counties=0, townships=6, units=4, branches=2, people=14, direct=3),
    "county": dict(cities=0, counties=0, townships=15, units=16, branches=3, people=24, direct=4),
    # province: all 16 cities and 133 counties of Shandong -> ~204,000 organizations, ~4,000,000 people.
    "province": dict(cities=16, counties=12, townships=15, units=22, branches=4, people=26, direct=4),
}

TOWNSHIPS = ["城关镇", "东城街道", "西关街道", "龙泉镇", "桃源乡", "青山镇", "河口镇", "新华街道", "红旗乡", "白沙镇",
             "金田镇", "石桥乡", "柳营镇", "凤凰街道", "长安镇", "永宁乡", "太平镇", "和平街道", "兴隆镇", "双河乡"]
VILLAGE_WORDS = ["幸福", "和谐", "光明", "团结", "红星", "胜利", "前进", "丰收", "新村", "东风", "向阳", "建设", "民主",
                 "富民", "振兴", "安康", "常青", "五一", "八一", "联合", "北关", "南关", "杨庄", "李家", "王庄", "张湾"]
BRANCH_NAMES = ["第一党支部", "第二党支部", "第三党支部", "机关党支部", "退休党员党支部", "流动党员党支部", "青年党支部", "联合党支部"]


CITY_NAMES: dict[str, str] = {}

# Constant draws of ``Generator._person``, built once rather than once per person.
_RURAL_JOBS = [Occupation.FARMER] * 4 + [Occupation.WORKER, Occupation.OTHER]
_SCHOOL_JOBS = [Occupation.INSTITUTION_STAFF] * 3 + [Occupation.STUDENT]
_ENTERPRISE_JOBS = [Occupation.WORKER, Occupation.ENTERPRISE_STAFF]
_ALL_JOBS = list(Occupation)
_EDUCATION = list(Education)
_EDUCATION_CUM = list(accumulate([6, 30, 25, 25, 14]))
_ETHNICITIES = ["汉族", "回族", "满族", "壮族", "蒙古族"]
_ETHNICITY_CUM = list(accumulate([92, 3, 2, 2, 1]))


def _load_divisions() -> list[tuple[str, str, str]]:
    """(code, province, county) for current county-level divisions (retired codes skipped here)."""
    import stdnum

    path = Path(stdnum.__file__).parent / "cn" / "loc.dat"
    out, province, prefix = [], "", ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        if not line.startswith(" "):
            prefix = line[:2]
            m = re.search(r'province="([^"]+)"', line)
            province = m.group(1) if m else ""
            continue
        code, rest = line.strip().split(" ", 1)
        m = re.search(r'county="([^"]+)"', rest)
        name = m.group(1) if m else ""
        # "[1983-]历下区" is current since 1983; "[1983-1987]郊区" was retired in 1987.
        if b := re.match(r"\[(\d*)-(\d*)\](.*)", name):
            if b.group(2):
                continue
            name = b.group(3)
        if not name or name in ("市辖区", "县"):
            continue
        if code.endswith("00"):
            CITY_NAMES[prefix + code] = name
            continue
        out.append((prefix + code, province, name))
    return out


@dataclass
class GeneratedOrg:
    id: int
    parent_id: int | None
    path: str
    depth: int
    name: str
    code: str
    org_type: str
    org_category: str
    host_unit: str
    host_relation: str
    division_code: str
    established_on: dt.date | None
    term_start: dt.date | None
    term_end: dt.date | None


class Generator:
    def __init__(self, seed: int = 2026, today: dt.date | None = None, start_org_id: int = 1, start_person_id: int = 1):
        self.rng = random.Random(seed)
        self.today = today or dt.date.today()
        self.next_org = start_org_id
        self.next_person = start_person_id
        self.used_ids: set[str] = set()
        self.divisions = _load_divisions()
        self.surnames = list(ZhPerson.last_names.keys())
        self.surname_weights = list(ZhPerson.last_names.values())
        # Cumulative weights computed once: random.choices would re-add ~500 surname weights per person
        # (same draws either way).
        self.surname_cum = list(accumulate(self.surname_weights))
        self.male = ZhPerson.first_names_male
        self.female = ZhPerson.first_names_female
        self.orgs: list[GeneratedOrg] = []
        self.people: list[dict] = []
        self.secretaries: list[tuple[int, int]] = []  # (org id, person id)

    # --- organizations ---------------------------------------------------------------------------------
    def _org(self, parent: GeneratedOrg | None, name, org_type, category, division, host_unit="", code=None) -> GeneratedOrg:
        from tupo.orgs import tree

        oid = self.next_org
        self.next_org += 1
        path = tree.child_path(parent.path if parent else "", oid)
        years = 5 if org_type in (OrgType.LOCAL_COMMITTEE, OrgType.PRIMARY_COMMITTEE) or category in (
            OrgCategory.RURAL, OrgCategory.STREET_COMMUNITY) else 3
        # Terms started at random points of their span: some end within 6 months, a few are overdue.
        start = self.today - dt.timedelta(days=self.rng.randint(0, 365 * years + 200))
        end = dt.date(start.year + years, start.month, min(start.day, 28))
        org = GeneratedOrg(
            id=oid, parent_id=parent.id if parent else None, path=path, depth=path.count("/"), name=name,
            code=code or f"T{oid:08d}", org_type=org_type, org_category=category, host_unit=host_unit or name,
            host_relation=HostRelation.LEGAL_ENTITY if org_type != OrgType.JOINT_BRANCH else HostRelation.JOINT,
            division_code=division, established_on=start - dt.timedelta(days=self.rng.randint(365, 365 * 40)),
            term_start=start, term_end=end,
        )
        self.orgs.append(org)
        return org

    # --- people ----------------------------------------------------------------------------------------
    def _id_number(self, division: str, birth: dt.date, male: bool) -> str:
        while True:
            seq = self.rng.randrange(0, 500) * 2 + (1 if male else 0)
            body = f"{division[:6]}{birth:%Y%m%d}{seq:03d}"
            number = body + ric.calc_check_digit(body + "0")  # stdnum expects a placeholder check digit
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def _person(self, org: GeneratedOrg, *, cadre=False, young=False) -> dict:
        rng = self.rng
        male = rng.random() < 0.72
        given = rng.choice(self.male if male else self.female)
        name = rng.choices(self.surnames, cum_weights=self.surname_cum)[0] + given
        age = rng.randint(24, 35) if young else int(min(90, max(19, rng.gauss(52, 15))))
        birth = self.today - dt.timedelta(days=int(age * 365.25) + rng.randint(0, 364))
        joined_age = rng.randint(18, min(age, 45))
        joined = birth + dt.timedelta(days=int(joined_age * 365.25) + rng.randint(30, 300))
        if joined > self.today:
            joined = self.today - dt.timedelta(days=rng.randint(30, 300))
        probationary = (self.today - joined).days < 365 and rng.random() < 0.8
        r = rng.random()
        status = MemberStatus.PROBATIONARY if probationary else (MemberStatus.LOST_CONTACT if r < 0.01 else MemberStatus.FULL)
        if age >= 62:
            occupation = Occupation.RETIRED
        elif org.org_category == OrgCategory.RURAL:
            occupation = rng.choice(_RURAL_JOBS)
        elif org.org_category == OrgCategory.ORGAN:
            occupation = Occupation.ORGAN_STAFF
        elif org.org_category == OrgCategory.SCHOOL:
            occupation = rng.choice(_SCHOOL_JOBS)
        elif org.org_category in (OrgCategory.STATE_ENTERPRISE, OrgCategory.PRIVATE_ENTERPRISE):
            occupation = rng.choice(_ENTERPRISE_JOBS)
        else:
            occupation = rng.choice(_ALL_JOBS)
        education = rng.choices(_EDUCATION, cum_weights=_EDUCATION_CUM)[0]
        pid = self.next_person
        self.next_person += 1
        person = dict(
            id=pid, name=name, sex="male" if male else "female", ethnicity=rng.choices(_ETHNICITIES, cum_weights=_ETHNICITY_CUM)[0],
            birth_date=birth, native_place=org.division_code[:6], id_number=self._id_number(org.division_code, birth, male),
            education=education.value, occupation=occupation.value, position="", is_cadre=cadre,
            joined_on=joined, full_member_on=None if status == MemberStatus.PROBATIONARY else min(joined + dt.timedelta(days=365), self.today),
            phone=f"1{rng.choice('3578')}{rng.randrange(0, 10**9):09d}", status=status.value, org_id=org.id, org_path=org.path,
        )
        if person["status"] == MemberStatus.FULL and person["full_member_on"] is None:
            person["full_member_on"] = self.today
        self.people.append(person)
        return person

    def _staff(self, org: GeneratedOrg, n: int, secretary_rate: float = 0.93):
        members = [self._person(org, cadre=True, young=self.rng.random() < 0.25) for _ in range(n)]
        if members and self.rng.random() < secretary_rate:
            self.secretaries.append((org.id, members[0]["id"]))
        return members

    # --- the tree --------------------------------------------------------------------------------------
    def county(self, parent: GeneratedOrg | None, division: tuple[str, str, str], p: dict, code: str | None = None):
        code6, _province, county_name = division
        root = self._org(parent, f"中共{county_name}委员会", OrgType.LOCAL_COMMITTEE, OrgCategory.ORGAN, code6,
                         host_unit=f"{county_name}委", code=code)
        self._staff(root, p["direct"] + 2)
        organ = self._org(root, f"{county_name}直属机关工作委员会", OrgType.WORKING_COMMITTEE, OrgCategory.ORGAN, code6)
        self._staff(organ, p["direct"])
        for t in range(p["townships"]):
            tname = TOWNSHIPS[t % len(TOWNSHIPS)] + ("" if t < len(TOWNSHIPS) else str(t // len(TOWNSHIPS) + 1))
            street = tname.endswith("街道")
            town = self._org(root, f"中共{county_name}{tname}{'工作委员会' if street else '委员会'}", OrgType.PRIMARY_COMMITTEE,
                             OrgCategory.STREET_COMMUNITY if street else OrgCategory.ORGAN, f"{code6}{t + 1:03d}", host_unit=tname)
            self._staff(town, p["direct"])
            for u in range(p["units"]):
                kind = self.rng.random()
                word = VILLAGE_WORDS[(u * 7 + t) % len(VILLAGE_WORDS)]
                if kind < 0.55:
                    uname, cat = (f"{word}社区", OrgCategory.STREET_COMMUNITY) if street else (f"{word}村", OrgCategory.RURAL)
                elif kind < 0.7:
                    uname, cat = f"{county_name}{word}实验学校", OrgCategory.SCHOOL
                elif kind < 0.85:
                    uname, cat = f"{word}机械制造有限公司", OrgCategory.PRIVATE_ENTERPRISE
                elif kind < 0.93:
                    uname, cat = f"{county_name}{word}供电公司", OrgCategory.STATE_ENTERPRISE
                else:
                    uname, cat = f"{tname}{word}卫生院", OrgCategory.PUBLIC_INSTITUTION
                nb = max(1, int(self.rng.gauss(p["branches"], 1)))
                utype = OrgType.PRIMARY_COMMITTEE if nb * p["people"] >= 100 else OrgType.GENERAL_BRANCH if nb > 1 else OrgType.BRANCH
                unit = self._org(town, f"中共{uname}{'委员会' if utype == OrgType.PRIMARY_COMMITTEE else '总支部委员会' if utype == OrgType.GENERAL_BRANCH else '支部委员会'}",
                                 utype, cat, f"{code6}{t + 1:03d}{u + 1:03d}", host_unit=uname)
                self._staff(unit, max(1, p["direct"] - 1))
                if utype == OrgType.BRANCH:
                    for _ in range(p["people"]):
                        self._person(unit)
                    continue
                for b in range(nb):
                    branch = self._org(unit, f"{uname}{BRANCH_NAMES[b % len(BRANCH_NAMES)]}", OrgType.BRANCH, cat,
                                       unit.division_code, host_unit=uname)
                    members = [self._person(branch) for _ in range(max(3, int(self.rng.gauss(p["people"], 4))))]
                    if self.rng.random() < 0.92:
                        self.secretaries.append((branch.id, members[0]["id"]))
        return root

    def build(self, scale: str, *, root_code: str | None = None) -> GeneratedOrg:
        p = SCALES[scale]
        if scale != "province":
            division = next(d for d in self.divisions if d[0] == "370181") if any(d[0] == "370181" for d in self.divisions) else self.divisions[0]
            return self.county(None, division, p, code=root_code)
        # A province: real cities and counties of one province (Shandong, code 37).
        counties = [d for d in self.divisions if d[0].startswith("37")]
        root = self._org(None, "中共山东省委员会", OrgType.LOCAL_COMMITTEE, OrgCategory.ORGAN, "370000", host_unit="山东省委", code=root_code)
        self._staff(root, p["direct"])
        by_city: dict[str, list] = {}
        for d in counties:
            by_city.setdefault(d[0][:4], []).append(d)
        for city_code in sorted(by_city)[: p["cities"]]:
            city_name = CITY_NAMES.get(city_code + "00", city_code)
            city = self._org(root, f"中共{city_name}委员会", OrgType.LOCAL_COMMITTEE, OrgCategory.ORGAN, city_code + "00")
            self._staff(city, p["direct"])
            for d in by_city[city_code][: p["counties"]]:
                self.county(city, d, p)
        return root
