#!/usr/bin/env python3
"""Adversarial event generator for the buying-cycle model (stdlib only).

    gen_edge.py --seed N --persons P [--split] > events.jsonl
    gen_edge.py --reshuffle FILE --seed N > shuffled.jsonl

Generation is deterministic per (seed, persons).  Each person is small and
dense in edge cases: same-time events, gaps at exactly 1800 s / 7 d / 30 d
and +-1 s / +-1 ns around them, time offsets and fraction spellings,
duplicates and conflicting duplicates, invalid lines (some reusing a valid
event's id), identity links across persons, sales events in right and wrong
stages, long idle gaps, attrs.source variants, URLs of every form, unicode,
ids that need CSV quoting, events after the as-of (2026-07-01T00:00:00Z),
CRLF, blank lines and a BOM.  Line order is shuffled.

--split: the same data, except that for every person with a lead id L whose
    lead-carrying events allow it, the lead-carrying events after a pivot
    event P (all with unique ids, all valid) are moved to a fresh lead id
    "SPLIT-L", and the two lead ids are linked later by a fresh anonymous id
    put on P and on one moved event X (neither carried an anonymous id, both
    are <= the as-of).  By spec section 2 / 9 "Linking" the export must be
    byte-identical to the unsplit file's (P precedes every moved event, so
    the person id is unchanged).

--collide: some persons get a lead id of the form email:<x> / anon:<x> that
    equals the lead_id of another (email-only / anon-only) person.  The spec
    does not say how such rows are ordered, only that line order must not
    matter: use this for the order-invariance check only.

--reshuffle FILE: the lines of FILE in another order that the spec says
    cannot change the result: any order, except that for an id whose valid
    lines differ in content (a conflict) the first valid line keeps coming
    first among them.  A BOM stays at the start of the file.
"""

import json
import os
import random
import sys

sys.dont_write_bytecode = True          # keep tests/oracle free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402  (validity/content rules for --reshuffle only)

NS = 10**9
SEC = NS
MIN = 60 * NS
HOUR = 3600 * NS
DAY = 86400 * NS
AS_OF = oracle.parse_time("2026-07-01T00:00:00Z")
START = AS_OF - 190 * DAY

# gaps between consecutive events of a person (all boundaries +- 1 s / 1 ns)
GAPS = [0, 0, 1, SEC, MIN, 10 * MIN,
        1800 * SEC - 1, 1800 * SEC, 1800 * SEC + 1, 1801 * SEC, 1799 * SEC,
        HOUR, 6 * HOUR, DAY, 2 * DAY, 3 * DAY + 12 * HOUR,
        7 * DAY - 1, 7 * DAY, 7 * DAY + 1, 7 * DAY - SEC, 7 * DAY + SEC, 6 * DAY,
        30 * DAY - 1, 30 * DAY, 30 * DAY + 1, 30 * DAY + SEC, 60 * DAY,
        60 * DAY + 1, 90 * DAY, 23 * DAY]
VISIT_GAPS = [0, 1, SEC, 30 * SEC, MIN, 5 * MIN, 29 * MIN,
              1800 * SEC - 1, 1800 * SEC, 1800 * SEC + 1, 1801 * SEC]
OFFSETS = [0, 0, 0, 9 * 60, -5 * 60 - 30, 5 * 60 + 45, 14 * 60, -12 * 60,
           23 * 60 + 59, -(23 * 60 + 59), 1]
URLS = ["/", "/pricing", "/pricing/enterprise", "/pricingx", "/Pricing",
        "https://acme.example/pricing?x=1", "https://acme.example?x=/pricing",
        "https://acme.example#/careers", "https://acme.example",
        "/careers", "/careers/jobs?x=1", "https://acme.example/careers/open",
        "http://h:8080/pricing#a", "/blog/a?b=/pricing", "/a?next=https://x/pricing",
        "/x#y/careers", "pricing", "/%70ricing", "//h/pricing", "", "/prix",
        "/pricing?", "?/pricing", "HTTPS://H/careers", "/caréers", "/pricing/ü"]
QUERIES = ["acme", "ACME", "Acme pricing", "buy acme now", "acmé", "ACMÉ",
           "ａｃｍｅ", "ac me", "crm", "xxACMExx", 123, None, True, ["acme"]]
CONTENT_TYPES = ["thought_leadership", "thought_leadership", "Thought_Leadership",
                 "whitepaper", 5, None, "thought_leadership "]
SOURCES = ["web_inquiry", "thought_leader", "", None, "other", "Web_Inquiry",
           7, ["web_inquiry"], "web_inquiry ", "thought_leader"]
SD_OUTCOMES = ["opportunity", "opportunity", "nurture", "nurture", "disqualified",
               "Opportunity", "won", "", None, 1]
OC_OUTCOMES = ["won", "lost", "lost", "nurture", "Lost", None]
PLAIN_TYPES = ["email_open", "demo_view", "webinar_register", "webinar_attend",
               "identify", "form_submit", "note", "Page_View", "email_click",
               "content_download"]


# ---------------------------------------------------------------------------
# time spelling

def time_string(t, r):
    """A random but exact RFC 3339 spelling of instant t (int ns)."""
    off = r.choice(OFFSETS)
    local = t + off * 60 * NS
    days, rem = divmod(local, DAY)
    y, mo, d = oracle.civil_from_days(days)
    secs, nanos = divmod(rem, NS)
    hh, rest = divmod(secs, 3600)
    mi, ss = divmod(rest, 60)
    s = "%04d-%02d-%02d%s%02d:%02d:%02d" % (y, mo, d, r.choice("TTTt"), hh, mi, ss)
    digits = "%09d" % nanos
    k = r.random()
    if nanos == 0:
        if k < 0.6:
            pass
        elif k < 0.75:
            s += ".0"
        elif k < 0.9:
            s += ".000000000"
        else:
            s += ".000000000" + r.choice(["1", "9", "99999"])   # ignored digits
    else:
        if k < 0.5:
            s += "." + digits.rstrip("0")
        elif k < 0.8:
            s += "." + digits
        else:
            s += "." + digits + r.choice(["0", "5", "999"])     # ignored digits
    if off == 0:
        s += r.choice(["Z", "Z", "z", "+00:00", "-00:00"])
    else:
        sign = "+" if off > 0 else "-"
        s += "%s%02d:%02d" % (sign, abs(off) // 60, abs(off) % 60)
    return s


BAD_TIMES = ["2026-02-29T10:00:00Z", "2026-06-10T24:00:00Z", "2026-06-10T10:00:60Z",
             "2026-06-10 10:00:00Z", "2026-06-10T10:00:00", "2026-06-10T10:00:00.Z",
             "2026-06-10T10:00:00+0900", "2026-04-31T00:00:00Z", "10000-01-01T00:00:00Z",
             "2026-06-10T10:00:00+24:00", ""]


# ---------------------------------------------------------------------------
# generation

class Person:
    pass


class Generator:
    def __init__(self, seed, persons):
        self.seed = seed
        self.n_persons = persons
        self.r = random.Random("gen_edge:%d:%d" % (seed, persons))
        self.persons = []
        self.lines = []        # dicts: kind, ev (dict of JSON fields), tns (for events)
        self.n_ids = 0

    def new_id(self, p):
        self.n_ids += 1
        r = self.r
        k = r.random()
        base = "e%d-%d-%d" % (self.seed, p.index, self.n_ids)
        if k < 0.75:
            return base
        styles = [base.upper(), base + "é", base + "\uff61", base + "\U0001d400",
                  base + " ", "E" + base, base + "\u007f", base + ",x", base + '"q']
        return r.choice(styles)

    def make_person(self, i):
        r = self.r
        p = Person()
        p.index = i
        k = r.random()
        if k < 0.15:
            p.lead = None
        else:
            base = "L%d-%03d" % (self.seed, i)
            style = r.random()
            if style < 0.7:
                p.lead = base
            else:
                p.lead = r.choice([base + ",co", base + '"x"', base + " sp", base + "é",
                                   "ｌ" + base, base + "\n2", base + "\U0001f600",
                                   " " + base, base.lower()])
        p.emails = []
        for k in range(r.choice([0, 1, 1, 2])):
            p.emails.append("p%d.s%d.%d@example.com" % (i, self.seed, k))
        if r.random() < 0.1:
            p.emails.append("ü%d.s%d@Example.com" % (i, self.seed))   # non-ASCII: not folded
        p.anons = ["a-%d-%d-%d" % (self.seed, i, k) for k in range(r.choice([1, 1, 2, 3]))]
        if r.random() < 0.1:
            p.anons.append("ck-%d-%d-ß" % (self.seed, i))
        p.t = START + r.randrange(0, 110) * DAY + r.randrange(0, 86400) * SEC
        p.t += r.choice([0, 0, 0, r.randrange(NS), 500 * NS // 1000, NS - 1])
        p.identified_bias = r.random()
        p.last_visit_start = None
        p.last_pv = None
        return p

    def email_variant(self, e):
        r = self.r
        k = r.random()
        if k < 0.6:
            return e
        if k < 0.75:
            return e.upper()
        if k < 0.9:
            return r.choice([" ", "\t", "\n", "\u000b", "\u000c", "\r"]) + e + r.choice(["", " ", "\t"])
        return e.title()

    def identities(self, p, known=False):
        """dict of identity fields for one event of p (may include cross links)."""
        r = self.r
        out = {}
        k = r.random()
        want_known = known or r.random() < p.identified_bias
        if p.lead is not None and want_known and k < 0.6:
            out["lead"] = p.lead
        if p.emails and want_known and (k >= 0.4 or "lead" not in out):
            if r.random() < 0.6:
                out["email"] = self.email_variant(r.choice(p.emails))
        if not out or r.random() < 0.35:
            out["anonymous_id"] = r.choice(p.anons)
        # identity links across persons
        if self.persons and r.random() < 0.04:
            q = r.choice(self.persons)
            if q.emails and r.random() < 0.5:
                out["email"] = self.email_variant(r.choice(q.emails))
            else:
                out["anonymous_id"] = r.choice(q.anons)
        # absent-identity spellings next to a real identity
        if r.random() < 0.05:
            field = r.choice(["lead", "email", "anonymous_id"])
            if field not in out:
                out[field] = r.choice(["", None, 5, "   " if field == "email" else ""])
        return out

    def event(self, p, typ, t, props=None, attrs=None, known=False):
        ev = {"id": self.new_id(p), "type": typ}
        ev.update(self.identities(p, known))
        if props is not None:
            ev["props"] = props
        if attrs is not None:
            ev["attrs"] = attrs
        return {"kind": "event", "ev": ev, "tns": t, "person": p.index}

    def maybe_source(self):
        r = self.r
        if r.random() < 0.12:
            return {"source": r.choice(SOURCES), "company": "Acme"}
        return None

    def gen_person_events(self, p, n):
        r = self.r
        out = []
        while len(out) < n:
            prev_t = p.t
            p.t += r.choice(GAPS)
            kind = r.random()
            if kind < 0.2:                                     # a push to hot
                for j in range(r.choice([4, 5, 5, 6])):
                    if j:
                        p.t += r.choice([0, 1, SEC, MIN, HOUR])
                    q = r.choice(["acme", "ACME", "Acme crm", "acmé"])
                    out.append(self.event(p, "search", p.t, {"query": q}, known=True))
                if r.random() < 0.8:
                    p.t += r.choice([0, 1, HOUR, DAY])
                    o = r.choice(["opportunity", "opportunity", "nurture", "disqualified", "won"])
                    out.append(self.event(p, "sales_disposition", p.t, {"outcome": o}, known=True))
                    if o == "opportunity" and r.random() < 0.8:
                        p.t += r.choice([0, 1, DAY, 7 * DAY, 30 * DAY])
                        o = r.choice(["won", "lost", "lost", "nurture"])
                        out.append(self.event(p, "opportunity_closed", p.t, {"outcome": o}, known=True))
                continue
            if kind < 0.40:                                    # a visit
                if p.last_visit_start is not None and r.random() < 0.6:
                    # aim at the repeat_visits windows [t-7d, t) / (t-7d, t)
                    p.t = max(prev_t, p.last_visit_start + r.choice(
                        [7 * DAY - 1, 7 * DAY, 7 * DAY + 1, 7 * DAY - SEC, 7 * DAY + SEC,
                         3 * DAY + 12 * HOUR, 1800 * SEC, 1800 * SEC + 1]))
                for j in range(r.choice([1, 1, 2, 3, 7, 8, 8, 9, 16])):
                    if j:
                        p.t += r.choice(VISIT_GAPS)
                    if p.last_pv is None or p.t - p.last_pv > 1800 * SEC:
                        p.last_visit_start = p.t
                    p.last_pv = p.t
                    props = {"url": r.choice(URLS)}
                    if r.random() < 0.03:
                        props = r.choice([{"url": 5}, {}, "x", None])
                    out.append(self.event(p, "page_view", p.t, props, self.maybe_source()))
            elif kind < 0.5:                                   # searches
                for j in range(r.choice([1, 3, 4, 5, 6])):
                    if j:
                        p.t += r.choice([0, 1, SEC, MIN])
                    out.append(self.event(p, "search", p.t, {"query": r.choice(QUERIES)}))
            elif kind < 0.62:                                  # sales sequence
                seq = [("sales_disposition", r.choice(SD_OUTCOMES))]
                if r.random() < 0.7:
                    seq.append(("opportunity_closed", r.choice(OC_OUTCOMES)))
                if r.random() < 0.3:
                    r.shuffle(seq)
                for typ, outcome in seq:
                    p.t += r.choice([0, 1, HOUR, DAY, 30 * DAY])
                    props = {"outcome": outcome} if r.random() < 0.95 else "opportunity"
                    out.append(self.event(p, typ, p.t, props, self.maybe_source()))
            elif kind < 0.72:                                  # identify / form
                attrs = {"source": r.choice(SOURCES), "first_name": "Ann"}
                if r.random() < 0.1:
                    attrs = r.choice(["web_inquiry", ["x"], {"Source": "web_inquiry"}])
                out.append(self.event(p, r.choice(["identify", "form_submit"]), p.t, None, attrs))
            else:                                              # other types
                typ = r.choice(PLAIN_TYPES)
                props = None
                if typ == "content_download":
                    props = {"content_type": r.choice(CONTENT_TYPES)}
                out.append(self.event(p, typ, p.t, props, self.maybe_source()))
        return out

    def generate(self, collide=False):
        r = self.r
        for i in range(self.n_persons):
            p = self.make_person(i)
            if collide and self.persons and r.random() < 0.2:
                # a lead id equal to the id of an email-only / anon-only person
                q = r.choice(self.persons)
                p.lead = ("email:" + q.emails[0].lower()) if q.emails and r.random() < 0.5 \
                    else "anon:" + q.anons[0]
            evs = self.gen_person_events(p, r.randint(2, 36))
            self.persons.append(p)
            self.lines.extend(evs)
        events = [ln for ln in self.lines if ln["kind"] == "event"]
        extra = []
        for ln in events:
            k = r.random()
            if k < 0.06:                       # exact duplicate (maybe respelled)
                extra.append({"kind": "dup", "of": ln})
            elif k < 0.10:                     # conflicting duplicate
                ev = dict(ln["ev"])
                t = ln["tns"]
                change = r.choice(["type", "time", "lead", "props", "after"])
                if change == "type":
                    ev["type"] = r.choice(["demo_view", "email_open", "page_view"])
                elif change == "time":
                    t += r.choice([-DAY, 1, 7 * DAY, -30 * DAY])
                elif change == "lead":
                    q = r.choice(self.persons)
                    ev["lead"] = q.lead if q.lead is not None else "X-%d" % q.index
                elif change == "props":
                    ev["props"] = {"query": "acme", "url": "/pricing"}
                else:
                    t = AS_OF + r.choice([1, DAY])
                extra.append({"kind": "event", "ev": ev, "tns": t, "conflict": True})
            elif k < 0.14:                     # invalid line, sometimes reusing the id
                extra.append({"kind": "invalid", "of": ln, "how": r.randrange(11)})
        # first-line-after-as-of claims: a valid line after the as-of with an id
        # that a later-in-file (shuffled...) line reuses
        for _ in range(max(1, self.n_persons // 10)):
            ln = r.choice(events)
            ev = dict(ln["ev"])
            extra.append({"kind": "event", "ev": ev, "tns": AS_OF + r.choice([1, HOUR, 40 * DAY]),
                          "conflict": True})
        for _ in range(max(1, self.n_persons // 8)):
            extra.append({"kind": "blank", "text": r.choice(["", "\r", "  ", " \t "])})
        for _ in range(max(1, self.n_persons // 8)):
            extra.append({"kind": "junk", "text": r.choice(
                ["not json", "[]", "{}", "null", '{"id":"x"}', '{"id":"only-anon","type":"t","time":"2026-01-01T00:00:00Z"}'])})
        self.lines.extend(extra)
        for idx, ln in enumerate(self.lines):
            ln["cr"] = r.random() < 0.1
            ln["index"] = idx
        self.order = list(range(len(self.lines)))
        r.shuffle(self.order)
        self.bom = r.random() < 0.3

    # -- the --split transformation (see module docstring)
    def split(self):
        ids_count = {}
        for ln in self.lines:
            src = ln["of"] if ln["kind"] in ("dup", "invalid") else ln
            if "ev" in src:
                i = src["ev"]["id"]
                ids_count[i] = ids_count.get(i, 0) + 1
        by_lead = {}
        for ln in self.lines:
            if ln["kind"] == "event" and not ln.get("conflict"):
                lead = ln["ev"].get("lead")
                if isinstance(lead, str) and lead:
                    by_lead.setdefault(lead, []).append(ln)
        r = random.Random("split:%d:%d" % (self.seed, self.n_persons))
        n_split = 0
        for lead in sorted(by_lead):
            cands = [ln for ln in by_lead[lead]
                     if ids_count[ln["ev"]["id"]] == 1 and ln["tns"] <= AS_OF]
            cands.sort(key=lambda ln: (ln["tns"], ln["ev"]["id"].encode("utf-8")))
            no_anon = [ln for ln in cands if "anonymous_id" not in ln["ev"]]
            if len(no_anon) < 2:
                continue
            pivot = no_anon[0]
            pkey = (pivot["tns"], pivot["ev"]["id"].encode("utf-8"))
            later = [ln for ln in cands
                     if (ln["tns"], ln["ev"]["id"].encode("utf-8")) > pkey]
            xs = [ln for ln in later if "anonymous_id" not in ln["ev"]]
            if not xs:
                continue
            x = r.choice(xs)
            new_lead = "SPLIT-" + lead
            link = "split-link-%d-%d" % (self.seed, n_split)
            for ln in later:
                if ln is x or r.random() < 0.6:
                    ln["ev"]["lead"] = new_lead
            pivot["ev"]["anonymous_id"] = link
            x["ev"]["anonymous_id"] = link
            n_split += 1
        return n_split

    # -- serialization
    def render(self, ln):
        r = random.Random("line:%d:%d:%d" % (self.seed, self.n_persons, ln["index"]))
        kind = ln["kind"]
        if kind in ("blank", "junk"):
            return ln["text"].encode("utf-8")
        if kind == "dup":
            src = ln["of"]
            obj = dict(src["ev"])
            obj["time"] = self.time_of(src)
            return self.dump(obj, r)
        if kind == "invalid":
            return self.corrupt(ln, r)
        obj = dict(ln["ev"])
        obj["time"] = self.time_of(ln)
        return self.dump(obj, r)

    def time_of(self, ln):
        # one spelling per event line; duplicates repeat it exactly
        if "tstr" not in ln:
            r = random.Random("time:%d:%d:%d" % (self.seed, self.n_persons, ln["index"]))
            ln["tstr"] = time_string(ln["tns"], r)
        return ln["tstr"]

    def dump(self, obj, r):
        keys = list(obj)
        if r.random() < 0.5:
            r.shuffle(keys)
        sep = (",", ":") if r.random() < 0.7 else (", ", ": ")
        text = "{" + sep[0].join(json.dumps(k, ensure_ascii=r.random() < 0.2) + sep[1] +
                                 json.dumps(obj[k], ensure_ascii=r.random() < 0.2)
                                 for k in keys) + "}"
        if r.random() < 0.05:
            text = " " + text + "\t"
        return text.encode("utf-8")

    def corrupt(self, ln, r):
        src = ln["of"]
        obj = dict(src["ev"])
        obj["time"] = self.time_of(src)
        how = ln["how"]
        if how == 0:
            del obj["time"]
        elif how == 1:
            obj["time"] = r.choice(BAD_TIMES)
        elif how == 2:
            text = self.dump(obj, r)
            return text[:-1] + b',"type":"demo_view"}'
        elif how == 3:
            return self.dump(obj, r)[:-1] + b',"props":{"q":"\xff"}}'
        elif how == 4:
            return self.dump(obj, r)[:-1] + b',"props":{"q":"\\ud800"}}'
        elif how == 5:
            return self.dump(obj, r)[:-3]
        elif how == 6:
            for f in ("lead", "email", "anonymous_id"):
                obj.pop(f, None)
            obj["email"] = " \t"
        elif how == 7:
            obj["id"] = r.choice(["", 7, None])
        elif how == 8:
            return self.dump(obj, r)[:-1] + b',"props":{"n":NaN}}'
        elif how == 9:
            obj["type"] = r.choice(["", 3, None])
        else:
            return b"\xef\xbb\xbf" + self.dump(obj, r)
        return self.dump(obj, r)

    def output(self):
        out = []
        for i in self.order:
            ln = self.lines[i]
            text = self.render(ln)
            if ln["cr"]:
                text += b"\r"
            out.append(text + b"\n")
        data = b"".join(out)
        if self.bom:
            data = b"\xef\xbb\xbf" + data
        return data


# ---------------------------------------------------------------------------
# --reshuffle

def reshuffle(path, seed):
    with open(path, "rb") as f:
        data = f.read()
    bom = data.startswith(b"\xef\xbb\xbf")
    if bom:
        data = data[3:]
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    # valid lines per id, in file order (the oracle's own validity rules)
    groups = {}
    for i, raw in enumerate(lines):
        body = raw[:-1] if raw.endswith(b"\r") else raw
        if body.strip(b" \t") == b"":
            continue
        try:
            ev = oracle.parse_line(body, "")
        except oracle.Reject:
            continue
        groups.setdefault(ev.id, []).append((i, ev.content))
    r = random.Random("reshuffle:%d" % seed)
    order = list(range(len(lines)))
    r.shuffle(order)
    pos = {line: k for k, line in enumerate(order)}
    for gid in sorted(groups):
        members = groups[gid]
        if len(members) < 2 or all(c == members[0][1] for _, c in members):
            continue                     # exact duplicates: any order at all
        first = members[0][0]
        slots = sorted(pos[i] for i, _ in members)
        if pos[first] != slots[0]:       # swap the first line into the first slot
            other = order[slots[0]]
            order[slots[0]], order[pos[first]] = first, other
            pos[other], pos[first] = pos[first], slots[0]
    if not bom and lines and lines[order[0]].startswith(b"\xef\xbb\xbf"):
        # a line that starts with a BOM is invalid anywhere but at the start
        # of the file: keep it out of first place (it is in no id group)
        order.append(order.pop(0))
    out = b"".join(lines[i] + b"\n" for i in order)
    return (b"\xef\xbb\xbf" if bom else b"") + out


def main(argv):
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--persons", type=int, default=50)
    ap.add_argument("--split", action="store_true")
    ap.add_argument("--collide", action="store_true",
                    help="also give some persons a lead id like email:<x> / anon:<x> that "
                         "equals another person's lead_id (the spec leaves their row order "
                         "open: use only for order-invariance checks)")
    ap.add_argument("--reshuffle", metavar="FILE")
    a = ap.parse_args(argv)
    if a.reshuffle:
        sys.stdout.buffer.write(reshuffle(a.reshuffle, a.seed))
        return 0
    g = Generator(a.seed, a.persons)
    g.generate(collide=a.collide)
    if a.split:
        n = g.split()
        print("gen_edge: split %d lead ids" % n, file=sys.stderr)
    sys.stdout.buffer.write(g.output())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
