"""medication: an article about psychiatric medicines must carry the medication topic.

The policy's ``topic_credentials`` (e.g. ``medication: [MD, DO, NP, PharmD]``) applies only
to articles tagged with the topic; this rule closes the gap of a missing tag.

* A *medicine* is a match of the ``medication.names`` word list (generic and brand names of
  antidepressants, anxiolytics, stimulants, mood stabilisers, antipsychotics, hypnotics and
  medicines for substance use disorders).
* A *dose* is a match of ``medication.doses`` ("20 mg", "0.5 mg"), or of
  ``medication.frequencies`` ("twice daily", "once a day") in a paragraph that also has a
  ``dose_context`` word ("take", "tablet", "dose", a drug class) or a medicine's name.
* An article with a medicine or a dose whose ``topics`` lack ``topic`` (default
  ``medication``) is reported once, at the first one.
* Each paragraph (list item, cell) with a dose needs a source in that paragraph, as the
  citations rule counts them (a ``[@id]`` or a link): reported at the first dose.

"Medication" or "antidepressants" alone name no medicine: a therapy article may say
"talk to your doctor about medication" without the topic.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from reviewkit.base.structs import ConfigDict, Field, Model
from reviewkit.rules._base import Context, Raw
from reviewkit.rules._doc import Document
from reviewkit.rules._words import PhraseMatcher, WordLists
from reviewkit.rules.citations import is_cited

ID = "medication"


class Options(Model):
    model_config = ConfigDict(extra="forbid")

    topic: str = Field(default="medication", min_length=1)
    require_topic: bool = True
    require_citation_for_doses: bool = True


def _topics(front_matter: Any) -> set[str]:
    topics = front_matter.get("topics") if hasattr(front_matter, "get") else None
    return {t for t in topics if isinstance(t, str)} if isinstance(topics, list) else set()


class Medication:
    id = ID

    def __init__(self, options: Options, words: WordLists) -> None:
        self.options = options
        w = words.medication
        self.names = PhraseMatcher(w.names, w.allow, "medication.names")
        self.doses = PhraseMatcher(w.doses, w.allow, "medication.doses")
        self.frequencies = PhraseMatcher(w.frequencies, w.allow, "medication.frequencies")
        self.dose_context = PhraseMatcher(w.dose_context, [], "medication.dose_context")

    def check(self, doc: Document, ctx: Context) -> Iterator[Raw]:
        want_topic = self.options.require_topic and self.options.topic not in _topics(
            ctx.front_matter
        )
        first: tuple[int, int, str, str] | None = None  # line, col, what, found
        texts = doc.texts()
        names, doses = self.names.find_all(texts), self.doses.find_all(texts)
        freqs = self.frequencies.find_all(texts)
        context = self.dose_context.find_all(texts) if freqs else {}
        for i, inl in enumerate(doc.inlines):
            text = texts.items[i]
            found_i = names.get(i)
            name = found_i[0] if found_i else None  # a quoted name still names the medicine
            found_i = doses.get(i)
            dose = found_i[0] if found_i else None
            if dose is None:
                found_i = freqs.get(i)
                freq = found_i[0] if found_i else None
                if freq is not None and (name is not None or i in context):
                    dose = freq
            if want_topic and first is None:
                hit = name if name is not None else dose
                if hit is not None:
                    found = text[hit.start : hit.end]
                    line, col = inl.position(hit.start, found)
                    what = "names the medicine" if hit is name else "gives a dose"
                    first = (line, col, what, " ".join(found.split()))
            if (
                dose is not None
                and inl.kind != "heading"
                and self.options.require_citation_for_doses
                and not is_cited(inl, text)
            ):
                found = text[dose.start : dose.end]
                line, col = inl.position(dose.start, found)
                shown = " ".join(found.split())
                yield Raw(
                    line,
                    col,
                    f"a dose (“{shown}”) needs a source in the same paragraph",
                    "cite the prescribing information or a guideline with [@id] or a link",
                )
        if first is not None:
            line, col, what, found = first
            topic = self.options.topic
            yield Raw(
                line,
                col,
                f"the article {what} “{found}” but its topics lack “{topic}”: the review "
                f"policy for {topic} articles (topic_credentials) would not apply",
                f"add {topic} to topics in the front matter",
            )
