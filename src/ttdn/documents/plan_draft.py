"""What the plan importer proposes, typed: a plan's head, its sections, tasks (lead and coordinating parties,
timeframe, what they ask the registries for), indicators with targets, and the lines it could not place.

The parser (`plan_import.read_draft`) builds a `Draft`; the review page corrects it; `programme.services` checks
it and writes the plan. It is kept between requests as JSON (`PlanDraft.data`, `ttdn import-plan --format json`):
`Draft.to_json()` writes that form and `Draft.from_json()` reads it back, refusing a malformed one with
`MalformedDraft` (where, and what was expected) so a service can say which part is wrong.

Dates are ISO text ("2021-03-31") as the importer or the reviewer wrote them, and figures as written: the
services read them when the plan is created, and refuse what is not a date or a number with its place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

JSON = dict[str, Any]
Figure = float | int | str | None  # a number as the draft gives it; the import service reads it


class MalformedDraft(ValueError):
    """A part of the JSON is not the shape a draft has: `where` ("tasks[2].lead"), `expected` ("object"/"list")."""

    def __init__(self, where: str, expected: Literal["object", "list"]):
        super().__init__(f"{where}: {expected} expected")
        self.where, self.expected = where, expected


def _obj(value: Any, where: str) -> JSON:
    if not isinstance(value, dict):
        raise MalformedDraft(where, "object")
    return value


def _items(value: Any, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise MalformedDraft(where, "list")
    return value


def _str(value: Any) -> str:
    return "" if value is None else str(value)


def _opt(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


@dataclass
class Party:
    """A lead or coordinating party as the plan names it: matched to an agency (its code) or a group of agencies
    (an `AgencyGroup` value), or text only. `division`: a division of the issuing department, which is the
    issuer's work; `co_lead`: named among the leads ("A, B chủ trì")."""

    text: str = ""
    agency: str | None = None
    group: str | None = None
    division: str | None = None
    co_lead: bool = False

    @property
    def matched(self) -> bool:
        return bool(self.agency or self.group)

    def to_json(self) -> JSON:
        data: JSON = {"text": self.text, "agency": self.agency, "group": self.group}
        if self.co_lead:
            data["co_lead"] = True
        if self.division:
            data["division"] = self.division
        return data

    @classmethod
    def from_json(cls, value: Any, where: str) -> Party:
        if value is None:
            return cls()
        if isinstance(value, str):
            return cls(text=value)
        data = _obj(value, where)
        return cls(text=_str(data.get("text")), agency=_opt(data.get("agency")), group=_opt(data.get("group")),
                   division=_opt(data.get("division")), co_lead=bool(data.get("co_lead")))


@dataclass
class DraftTimeframe:
    """When a task runs: `kind` (a `TimeframeKind` value), the plan's words, ISO start and end, a yearly due day
    ("11-25"), and whether the importer understood the words."""

    kind: str = ""
    start: str | None = None
    end: str | None = None
    text: str = ""
    due: str | None = None
    understood: bool = True

    def to_json(self) -> JSON:
        data: JSON = {"kind": self.kind, "start": self.start, "end": self.end, "text": self.text}
        if self.due is not None:
            data["due"] = self.due
        data["understood"] = self.understood
        return data

    @classmethod
    def from_json(cls, value: Any, where: str) -> DraftTimeframe:
        data = _obj(value or {}, where)
        return cls(kind=_str(data.get("kind")), start=_opt(data.get("start")), end=_opt(data.get("end")),
                   text=_str(data.get("text")), due=_opt(data.get("due")), understood=data.get("understood", True)
                   is not False)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@dataclass
class TrainingProposal:
    """A training task's details as classes for the training registry: course, number of classes, participants,
    month ("2019-07"), venue. The reviewer accepts it (`accepted`), choosing an existing course (`course_id`) or
    a new one of `course_kind`, and gives what the plan does not say (`capacity` per class, `hours`)."""

    course: str
    classes: int = 1
    participants: str = ""
    month: str | None = None
    venue: str = ""
    accepted: bool = False
    course_id: int | None = None
    course_kind: str = ""
    capacity: int | None = None
    hours: int | None = None
    kind: Literal["training_class"] = "training_class"

    def to_json(self) -> JSON:
        data: JSON = {"kind": self.kind, "course": self.course, "classes": self.classes,
                      "participants": self.participants, "month": self.month, "venue": self.venue}
        if self.accepted:
            data["accepted"] = True
        for name in ("course_id", "capacity", "hours"):
            if getattr(self, name) is not None:
                data[name] = getattr(self, name)
        if self.course_kind:
            data["course_kind"] = self.course_kind
        return data


@dataclass
class ProposedPlace:
    """A place a task names for equipment: its name as the plan writes it after the word that says what it is
    ("xã Ia Dom" → "Ia Dom", `kind` "border_commune"), and the border site it is (`site`, a code) once matched."""

    name: str
    kind: str = ""  # a `places.SiteKind` value, "" when the plan does not say
    site: str | None = None

    def to_json(self) -> JSON:
        return {"name": self.name, "kind": self.kind, "site": self.site}

    @classmethod
    def from_json(cls, value: Any, where: str) -> ProposedPlace:
        if isinstance(value, str):  # drafts kept before places had kinds
            return cls(name=value)
        data = _obj(value, where)
        return cls(name=_str(data.get("name")), kind=_str(data.get("kind")), site=_opt(data.get("site")))


@dataclass
class EquipmentProposal:
    """Equipment a task asks for ("billboard", "screen", "loudspeaker") at the places it names; accepted, one
    piece is planned at each place's border site."""

    equipment: str
    places: list[ProposedPlace] = field(default_factory=list)
    accepted: bool = False
    kind: Literal["equipment"] = "equipment"

    def to_json(self) -> JSON:
        data: JSON = {"kind": self.kind, "equipment": self.equipment, "places": [p.to_json() for p in self.places]}
        if self.accepted:
            data["accepted"] = True
        return data


Proposal = TrainingProposal | EquipmentProposal


def _proposal(value: Any, where: str) -> Proposal | None:
    data = _obj(value, where)
    if data.get("kind") == "training_class":
        classes = _int(data.get("classes"))  # 0 as the reviewer typed it, refused when accepted
        return TrainingProposal(course=_str(data.get("course")), classes=1 if classes is None else classes,
                                participants=_str(data.get("participants")), month=_opt(data.get("month")),
                                venue=_str(data.get("venue")), accepted=data.get("accepted") is True,
                                course_id=_int(data.get("course_id")), course_kind=_str(data.get("course_kind")),
                                capacity=_int(data.get("capacity")), hours=_int(data.get("hours")))
    if data.get("kind") == "equipment":
        return EquipmentProposal(equipment=_str(data.get("equipment")), accepted=data.get("accepted") is True,
                                 places=[ProposedPlace.from_json(p, f"{where}.places[{m}]")
                                         for m, p in enumerate(_items(data.get("places"), where + ".places"))])
    return None  # a kind this version does not know: dropped, nothing else depends on it


@dataclass
class DraftTask:
    key: str
    title: str
    section: str | None = None
    parent: str | None = None
    description: str = ""
    lead: Party = field(default_factory=Party)
    coordinating: list[Party] = field(default_factory=list)
    timeframe: DraftTimeframe = field(default_factory=DraftTimeframe)
    proposals: list[Proposal] = field(default_factory=list)

    def to_json(self) -> JSON:
        data: JSON = {"key": self.key, "section": self.section, "parent": self.parent, "title": self.title,
                      "description": self.description, "lead": self.lead.to_json(),
                      "coordinating": [c.to_json() for c in self.coordinating],
                      "timeframe": self.timeframe.to_json()}
        if self.proposals:
            data["proposals"] = [p.to_json() for p in self.proposals]
        return data

    @classmethod
    def from_json(cls, value: Any, where: str) -> DraftTask:
        data = _obj(value, where)
        proposals = [_proposal(p, f"{where}.proposals[{m}]")
                     for m, p in enumerate(_items(data.get("proposals"), where + ".proposals"))]
        return cls(
            key=_str(data.get("key")), title=_str(data.get("title")), section=_opt(data.get("section")),
            parent=_opt(data.get("parent")), description=_str(data.get("description")),
            lead=Party.from_json(data.get("lead"), where + ".lead"),
            coordinating=[Party.from_json(c, f"{where}.coordinating[{m}]")
                          for m, c in enumerate(_items(data.get("coordinating"), where + ".coordinating"))],
            timeframe=DraftTimeframe.from_json(data.get("timeframe"), where + ".timeframe"),
            proposals=[p for p in proposals if p is not None],
        )


@dataclass
class DraftSection:
    key: str
    title: str = ""
    parent: str | None = None
    description: str = ""

    def to_json(self) -> JSON:
        return {"key": self.key, "title": self.title, "parent": self.parent, "description": self.description}

    @classmethod
    def from_json(cls, value: Any, where: str) -> DraftSection:
        data = _obj(value, where)
        return cls(key=_str(data.get("key")), title=_str(data.get("title")), parent=_opt(data.get("parent")),
                   description=_str(data.get("description")))


@dataclass
class DraftTarget:
    label: str = ""
    start: str | None = None
    end: str | None = None
    value: Figure = None

    def to_json(self) -> JSON:
        return {"label": self.label, "start": self.start, "end": self.end, "value": self.value}

    @classmethod
    def from_json(cls, value: Any, where: str) -> DraftTarget:
        data = _obj(value, where)
        return cls(label=_str(data.get("label")), start=_opt(data.get("start")), end=_opt(data.get("end")),
                   value=data.get("value"))


@dataclass
class DraftIndicator:
    key: str
    name: str
    unit: str = "count"
    baseline: Figure = None
    text: str = ""
    targets: list[DraftTarget] = field(default_factory=list)
    source: str = ""  # an `IndicatorSource` value, or "" for the import to guess from the name
    match_key: str = field(default="", repr=False, compare=False)  # the parser's key for merging targets

    def to_json(self) -> JSON:
        data: JSON = {"key": self.key, "name": self.name, "unit": self.unit, "baseline": self.baseline,
                      "text": self.text, "targets": [t.to_json() for t in self.targets]}
        if self.source:
            data["source"] = self.source
        return data

    @classmethod
    def from_json(cls, value: Any, where: str) -> DraftIndicator:
        data = _obj(value, where)
        return cls(key=_str(data.get("key")), name=_str(data.get("name")), unit=_str(data.get("unit")),
                   baseline=data.get("baseline"), text=_str(data.get("text")), source=_str(data.get("source")),
                   targets=[DraftTarget.from_json(t, f"{where}.targets[{m}]")
                            for m, t in enumerate(_items(data.get("targets"), where + ".targets"))])


@dataclass
class Phase:
    name: str = ""
    start: str | None = None
    end: str | None = None

    def to_json(self) -> JSON:
        return {"name": self.name, "start": self.start, "end": self.end}


@dataclass
class Period:
    start: str | None = None
    end: str | None = None

    def to_json(self) -> JSON:
        return {"start": self.start, "end": self.end}


@dataclass
class DraftHead:
    """The plan itself as its header, title and closing give it. `issuer_agency` is the matched agency's code;
    `province` the short name of the province whose agencies were matched; `report_due` "MM-DD"."""

    title: str = ""
    number: str | None = None
    symbol: str | None = None
    issuer: str | None = None
    issuer_agency: str | None = None
    date: str | None = None
    legal_bases: list[str] = field(default_factory=list)
    period: Period | None = None
    phases: list[Phase] = field(default_factory=list)
    province: str | None = None
    report_due: str | None = None
    recipients: list[str] = field(default_factory=list)
    signer: str | None = None
    closing: str | None = None
    signature: str | None = None

    def to_json(self) -> JSON:
        return {
            "number": self.number, "symbol": self.symbol, "issuer": self.issuer, "issuer_agency": self.issuer_agency,
            "date": self.date, "title": self.title, "legal_bases": list(self.legal_bases),
            "period": self.period.to_json() if self.period else None, "phases": [p.to_json() for p in self.phases],
            "province": self.province, "report_due": self.report_due, "recipients": list(self.recipients),
            "signer": self.signer, "closing": self.closing, "signature": self.signature,
        }

    @classmethod
    def from_json(cls, value: Any, where: str) -> DraftHead:
        data = _obj(value, where)
        period = data.get("period")
        phases = []
        for n, raw in enumerate(_items(data.get("phases"), where + ".phases")):
            phase = _obj(raw, f"{where}.phases[{n}]")
            phases.append(Phase(name=_str(phase.get("name")), start=_opt(phase.get("start")),
                                end=_opt(phase.get("end"))))
        if period:
            period_data = _obj(period, where + ".period")
            period = Period(start=_opt(period_data.get("start")), end=_opt(period_data.get("end")))
        return cls(
            title=_str(data.get("title")), number=_opt(data.get("number")), symbol=_opt(data.get("symbol")),
            issuer=_opt(data.get("issuer")), issuer_agency=_opt(data.get("issuer_agency")),
            date=_opt(data.get("date")),
            legal_bases=[_str(b) for b in _items(data.get("legal_bases"), where + ".legal_bases")],
            period=period or None, phases=phases, province=_opt(data.get("province")),
            report_due=_opt(data.get("report_due")),
            recipients=[_str(r) for r in _items(data.get("recipients"), where + ".recipients")],
            signer=_opt(data.get("signer")), closing=_opt(data.get("closing")), signature=_opt(data.get("signature")),
        )


@dataclass
class Unplaced:
    """A line the importer could not place, and why (a reason in English, translated where it is shown)."""

    text: str
    reason: str
    task: str | None = None  # the key of the task it was read for

    def to_json(self) -> JSON:
        data: JSON = {"text": self.text, "reason": self.reason}
        if self.task is not None:
            data["task"] = self.task
        return data


@dataclass
class Draft:
    plan: DraftHead = field(default_factory=DraftHead)
    sections: list[DraftSection] = field(default_factory=list)
    tasks: list[DraftTask] = field(default_factory=list)
    indicators: list[DraftIndicator] = field(default_factory=list)
    unplaced: list[Unplaced] = field(default_factory=list)
    filename: str = ""  # the file it was read from, kept on the plan

    def to_json(self) -> JSON:
        data: JSON = {"plan": self.plan.to_json(), "sections": [s.to_json() for s in self.sections],
                      "tasks": [t.to_json() for t in self.tasks],
                      "indicators": [i.to_json() for i in self.indicators],
                      "unplaced": [u.to_json() for u in self.unplaced]}
        if self.filename:
            data["filename"] = self.filename
        return data

    @classmethod
    def from_json(cls, value: Any) -> Draft:
        """A draft from its JSON form; `MalformedDraft` names the first part that is not shaped as a draft."""
        data = _obj(value, "draft")
        unplaced = []
        for n, raw in enumerate(_items(data.get("unplaced"), "unplaced")):
            row = _obj(raw, f"unplaced[{n}]")
            unplaced.append(Unplaced(text=_str(row.get("text")), reason=_str(row.get("reason")),
                                     task=_opt(row.get("task"))))
        return cls(
            plan=DraftHead.from_json(data.get("plan"), "plan"),
            sections=[DraftSection.from_json(s, f"sections[{n}]")
                      for n, s in enumerate(_items(data.get("sections"), "sections"))],
            tasks=[DraftTask.from_json(t, f"tasks[{n}]") for n, t in enumerate(_items(data.get("tasks"), "tasks"))],
            indicators=[DraftIndicator.from_json(i, f"indicators[{n}]")
                        for n, i in enumerate(_items(data.get("indicators"), "indicators"))],
            unplaced=unplaced, filename=_str(data.get("filename")),
        )

    def missing_agencies(self) -> list[str]:
        """The names the draft gives agencies that are not registered, each once, in the plan's order: the issuer
        first, then leads and coordinating parties (the issuer's divisions are the issuer)."""
        names: list[str] = []
        if self.plan.issuer and not self.plan.issuer_agency:
            names.append(self.plan.issuer)
        for task in self.tasks:
            for party in [task.lead, *task.coordinating]:
                if party.text and not party.matched and not party.division and party.text not in names:
                    names.append(party.text)
        return names

    def missing_sites(self) -> list[ProposedPlace]:
        """The places equipment is proposed for that are not registered border sites, each once (by kind and
        name), in the plan's order."""
        seen: set[tuple[str, str]] = set()
        places: list[ProposedPlace] = []
        for task in self.tasks:
            for proposal in task.proposals:
                if isinstance(proposal, EquipmentProposal):
                    for place in proposal.places:
                        if place.site is None and place.name and (place.kind, place.name) not in seen:
                            seen.add((place.kind, place.name))
                            places.append(place)
        return places
