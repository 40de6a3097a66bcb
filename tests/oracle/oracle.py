#!/usr/bin/env python3
"""Independent oracle for the leadscore buying-cycle reference model.

    python3 tests/oracle/oracle.py [--as-of T] FILE... > leads.csv

Written only from /work/shared/spec/buying-cycle-model.md (the "spec"; section
numbers below refer to it), never from the C implementation.  Python 3.11
standard library only.  The model (rules, points, stages) is hard-coded: this
is a second, deliberately plain implementation to compare the engine against.
Prints the section 8 leads CSV on stdout and a summary (rejected lines,
duplicates, conflicts, rejected sales events, counts) on stderr.
Exit status: 0 on success, 2 on a usage error or an unreadable file.

Readings chosen where the spec leaves room (also listed in tests/cases/README.md)
------------------------------------------------------------------------------
 R1  A `\\uD800`-style escape that is not part of a valid surrogate pair makes
     the line invalid (the text cannot be UTF-8).                [lead's (a)]
 R2  A `props` / `attrs` value that is not a JSON object counts as absent.
                                                                  [lead's (b)]
 R3  A rejected sales event applies nothing at all: no points, no attributes
     (so no `source`), no identification, no visit change, not activity, no
     re-arming; it only links identities and takes part in the person-id
     choice (section 9 "Linking").                               [lead's (c)]
 R4  Times are integers: nanoseconds since 1970-01-01T00:00:00Z (Python ints,
     may be negative for early years).                          [lead's (d)]
 R5  "Accepted events" (default as-of, section 9) are the valid lines that
     claimed their id, *including* sales events later rejected for their stage
     or outcome: that rejection depends on the fold, which depends on the
     as-of, so it cannot take part in choosing the as-of.
 R6  A blank line is a line that is empty, or holds only spaces and tabs, after
     the BOM / trailing-CR removal.  (Only the stderr counts depend on this: a
     whitespace-only line would be rejected as invalid JSON otherwise.)
 R7  Exactly one trailing CR is removed from a line; one BOM (EF BB BF) is
     removed from the start of each file.  A BOM anywhere else is an ordinary
     character (so a line starting with one is not JSON and is rejected).
 R8  "A key twice in any object" compares keys after JSON unescaping
     (`"id"` and `"i\\u0064"` are the same key).
 R9  JSON is RFC 8259 JSON: `NaN` / `Infinity` are rejected; numbers of any
     size are accepted (they are never interpreted by the model).
 R10 Time grammar: `[+-]hh:mm` offsets use the same ranges as the time of day
     (hh 00-23, mm 00-59); `-00:00` is accepted and equals `Z`.  Minutes of
     the time of day are 00-59.  Digits are ASCII only.
 R11 "Content" of a duplicate (conflict or not; stderr only) is the JSON value:
     key order, white space, escapes and number spelling (1 vs 1.0) do not
     matter; true is not 1.
 R12 Several FILEs are read in the order given; "the first line received" is
     the first in that order.
 R13 The URL rule is applied literally: `/a?next=https://x/pricing` contains
     `://`, so its path is `/pricing` (the first `/` after `://`).  "A `?` or
     `#` before any `/`" is read within the text after the first `://`, so
     `ht?tp://h/pricing` has the path `/pricing`.
 R14 `prospect -> hot` is checked only after an event (never after a decay
     step), and after every accepted event, including one that gives no
     points.  Re-arming is checked after every accepted event and decay step.
 R15 A decay step "happens" even when it cannot change the score (score <= 0);
     it still re-arms a disarmed prospect (unobservable in practice).
 R16 Two persons can only share a lead_id string when a lead id itself looks
     like `email:...`/`anon:...`; such rows are ordered by the whole row's
     bytes (spec silent; it only requires that line order not matter).
 R17 A time whose UTC form falls outside years 0000-9999 (e.g.
     `0000-01-01T00:00:00+01:00`) is still valid; if printed (last_mql_at) its
     year takes the ISO 8601 expanded form, a sign and at least 4 digits
     (`-0001-12-31T23:00:00Z`, `+10000-01-01T00:30:00Z`); the spec is silent.
 R18 Nesting depth is not limited by the spec ("Lines have no length
     limit").  The oracle parses with json.loads (on a thread with a 1 GiB
     stack and a recursion limit of 1,000,000); a line nested too deeply for
     it is parsed again by parse_json_deep, an iterative parser with the
     same rules, so any depth is accepted.
 R19 `--as-of` takes the same time grammar as events.
"""

import hashlib
import json
import re
import sys
import threading
from decimal import Decimal

# ---------------------------------------------------------------------------
# constants (all times in integer nanoseconds)
NS = 10**9
DAY = 86400 * NS
VISIT_GAP = 1800 * NS          # section 3: gap of at most 1800 s keeps a visit
WEEK = 7 * DAY                 # section 4 repeat_visits window
DECAY_PERIOD = 30 * DAY        # section 5: 2 592 000 s
MQL_THRESHOLD = 65

SALES_TYPES = ("sales_disposition", "opportunity_closed")
# stage the sales event must find -> {outcome: new stage}
SALES_TRANSITIONS = {
    "sales_disposition": ("hot", {"opportunity": "opportunity",
                                  "nurture": "prospect",
                                  "disqualified": "disqualified"}),
    "opportunity_closed": ("opportunity", {"won": "customer",
                                           "lost": "prospect"}),
}

# ---------------------------------------------------------------------------
# time (section 9 "Time")

TIME_RE = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]"
    r"([0-9]{2}):([0-9]{2}):([0-9]{2})"
    r"(?:\.([0-9]+))?"
    r"(?:([Zz])|([+-])([0-9]{2}):([0-9]{2}))")


def is_leap(y):
    return y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)


def days_in_month(y, m):
    if m == 2:
        return 29 if is_leap(y) else 28
    return 30 if m in (4, 6, 9, 11) else 31


def days_from_civil(y, m, d):
    """Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant)."""
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def civil_from_days(z):
    z += 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + (3 if mp < 10 else -9)
    return y + (m <= 2), m, d


def parse_time(s):
    """RFC 3339 as section 9 pins it down -> int ns since the epoch, or None."""
    m = TIME_RE.fullmatch(s)
    if m is None:
        return None
    year, month, day, hour, minute, sec = (int(m.group(i)) for i in range(1, 7))
    frac = m.group(7)
    if not 1 <= month <= 12 or not 1 <= day <= days_in_month(year, month):
        return None
    if hour > 23 or minute > 59 or sec > 59:
        return None
    offset = 0
    if m.group(8) is None:
        oh, om = int(m.group(10)), int(m.group(11))
        if oh > 23 or om > 59:
            return None
        offset = (oh * 3600 + om * 60) * (1 if m.group(9) == "+" else -1)
    nanos = int((frac or "")[:9].ljust(9, "0"))
    secs = (days_from_civil(year, month, day) * 86400
            + hour * 3600 + minute * 60 + sec - offset)
    return secs * NS + nanos


def format_time(t):
    """int ns -> RFC 3339 UTC with Z; fraction only when non-zero, no trailing 0."""
    days, rem = divmod(t, DAY)
    y, mo, d = civil_from_days(days)
    secs, nanos = divmod(rem, NS)
    hh, rest = divmod(secs, 3600)
    mi, ss = divmod(rest, 60)
    if 0 <= y <= 9999:
        year = "%04d" % y
    else:                                   # R17: ISO 8601 expanded year
        year = ("-" if y < 0 else "+") + "%04d" % abs(y)
    out = "%s-%02d-%02dT%02d:%02d:%02d" % (year, mo, d, hh, mi, ss)
    if nanos:
        out += "." + ("%09d" % nanos).rstrip("0")
    return out + "Z"


# ---------------------------------------------------------------------------
# lines (sections 1 and 9 "Lines", "Identity fields")

class Reject(Exception):
    pass


def _pairs_hook(pairs):
    obj = {}
    for k, v in pairs:
        if k in obj:
            raise Reject("duplicate key %r" % k)
        obj[k] = v
    return obj


def _bad_constant(name):
    raise Reject("not JSON: %s" % name)


def _all_strings_utf8(value):
    """False when any key or string holds an unpaired surrogate (reading R1)."""
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            try:
                v.encode("utf-8")
            except UnicodeEncodeError:
                return False
        elif isinstance(v, dict):
            stack.extend(v.keys())
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return True


def _number_key(d):
    """Exact, spelling-free form of a Decimal (1, 1.0, 10E-1 and 1e0 agree;
    -0 is 0), as Decimal equality has it, without rounding to a context."""
    sign, digits, exp = d.as_tuple()
    digits = list(digits)
    while digits and digits[-1] == 0:
        digits.pop()
        exp += 1
    if not digits:
        return b"0"
    return ("%s%s e%d" % ("-" if sign else "", "".join(map(str, digits)), exp)).encode()


def _digest(*parts):
    h = hashlib.sha256()
    for part in parts:
        h.update(b"%d:" % len(part))
        h.update(part)
    return h.digest()


def _canonical_leaf(v):
    if isinstance(v, bool):
        return _digest(b"b", b"1" if v else b"0")
    if v is None:
        return _digest(b"n")
    if isinstance(v, Decimal):
        return _digest(b"d", _number_key(v))
    return _digest(b"s", v.encode("utf-8", "surrogatepass"))


def canonical(v):
    """Order-free, type-tagged digest of a JSON value (for conflict
    detection, R11): objects compare as sets of (key, value), arrays in
    order, numbers by value.  Iterative (post-order with an explicit stack)
    and flat (a SHA-256 digest per node, never a nested tuple, whose hashing
    or comparison would recurse in C): lines may nest deeply (R18)."""
    out = []                      # finished digests
    stack = [(v, False)]
    while stack:
        node, children_done = stack.pop()
        if isinstance(node, (dict, list)):
            items = list(node.values()) if isinstance(node, dict) else node
            if not children_done:
                stack.append((node, True))
                stack.extend((x, False) for x in reversed(items))
                continue
            n = len(items)
            forms = out[len(out) - n:]
            del out[len(out) - n:]
            if isinstance(node, dict):
                members = sorted((k.encode("utf-8", "surrogatepass"), f)
                                 for k, f in zip(node.keys(), forms))
                out.append(_digest(b"o", *(x for m in members for x in m)))
            else:
                out.append(_digest(b"a", *forms))
        else:
            out.append(_canonical_leaf(node))
    return out[0]


def nonempty_str(v):
    return isinstance(v, str) and v != ""


ASCII_WS = " \t\n\r\f\v"
ASCII_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}


def ascii_lower(s):
    return s.translate(ASCII_LOWER)


def normalize_email(v):
    if not isinstance(v, str):
        return None
    v = ascii_lower(v.strip(ASCII_WS))
    return v or None


class Event:
    __slots__ = ("id", "key", "type", "time", "lead", "email", "anon",
                 "props", "attrs", "content", "where")

    def __init__(self, obj, t, where):
        self.id = obj["id"]
        self.key = (t, obj["id"].encode("utf-8"))     # processing order
        self.type = obj["type"]
        self.time = t
        self.lead = obj["lead"] if nonempty_str(obj.get("lead")) else None
        self.email = normalize_email(obj.get("email"))
        anon = obj.get("anonymous_id")
        self.anon = anon if nonempty_str(anon) else None
        props = obj.get("props")
        attrs = obj.get("attrs")
        self.props = props if isinstance(props, dict) else {}   # R2
        self.attrs = attrs if isinstance(attrs, dict) else {}   # R2
        self.content = canonical(obj)
        self.where = where

    def identities(self):
        out = []
        if self.lead is not None:
            out.append(("lead", self.lead))
        if self.email is not None:
            out.append(("email", self.email))
        if self.anon is not None:
            out.append(("anon", self.anon))
        return out


_WS_RE = re.compile(r"[ \t\n\r]*")
_NUM_RE = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_LITERALS = (("true", True), ("false", False), ("null", None))


def parse_json_deep(text):
    """RFC 8259 text -> value, like json.loads(text, object_pairs_hook=
    _pairs_hook, parse_int=Decimal, parse_float=Decimal) with NaN/Infinity
    rejected, but iterative: for lines nested deeper than json.loads can
    recurse (R18).  Raises Reject."""
    scanstring = json.decoder.scanstring

    def ws(i):
        return _WS_RE.match(text, i).end()

    def key_at(i):
        if text[i:i + 1] != '"':
            raise Reject("not JSON: expected a string key at %d" % i)
        try:
            k, i = scanstring(text, i + 1, True)
        except ValueError as e:
            raise Reject("not JSON: %s" % e)
        i = ws(i)
        if text[i:i + 1] != ":":
            raise Reject("not JSON: expected ':' at %d" % i)
        return k, ws(i + 1)

    stack = []                    # [container, pending key or None]
    i = ws(0)
    while True:
        c = text[i:i + 1]
        if c == "{":
            i = ws(i + 1)
            if text[i:i + 1] == "}":
                val, i = {}, i + 1
            else:
                k, i = key_at(i)
                stack.append([{}, k])
                continue
        elif c == "[":
            i = ws(i + 1)
            if text[i:i + 1] == "]":
                val, i = [], i + 1
            else:
                stack.append([[], None])
                continue
        elif c == '"':
            try:
                val, i = scanstring(text, i + 1, True)
            except ValueError as e:
                raise Reject("not JSON: %s" % e)
        else:
            m = _NUM_RE.match(text, i)
            if m is not None:
                val, i = Decimal(m.group()), m.end()
            else:
                for word, v in _LITERALS:
                    if text.startswith(word, i):
                        val, i = v, i + len(word)
                        break
                else:
                    raise Reject("not JSON: expected a value at %d" % i)
        # attach val to the open containers, closing those that end here
        while True:
            if not stack:
                if ws(i) != len(text):
                    raise Reject("not JSON: extra data at %d" % i)
                return val
            top = stack[-1]
            cont = top[0]
            if isinstance(cont, dict):
                if top[1] in cont:
                    raise Reject("duplicate key %r" % top[1])
                cont[top[1]] = val
                closer = "}"
            else:
                cont.append(val)
                closer = "]"
            i = ws(i)
            c = text[i:i + 1]
            if c == ",":
                i = ws(i + 1)
                if isinstance(cont, dict):
                    top[1], i = key_at(i)
                break                     # parse the next member's value
            if c != closer:
                raise Reject("not JSON: expected ',' or %r at %d" % (closer, i))
            i += 1
            stack.pop()
            val = cont


def parse_line(raw, where):
    """bytes (without LF, BOM, trailing CR) -> Event; raises Reject."""
    try:
        text = raw.decode("utf-8")          # strict: no overlongs/surrogates
    except UnicodeDecodeError:
        raise Reject("not valid UTF-8")
    try:
        obj = json.loads(text, object_pairs_hook=_pairs_hook,
                         parse_constant=_bad_constant,
                         parse_int=Decimal, parse_float=Decimal)
    except Reject:
        raise
    except RecursionError:
        obj = parse_json_deep(text)         # R18
    except ValueError as e:
        raise Reject("not JSON: %s" % e)
    if not isinstance(obj, dict):
        raise Reject("not a JSON object")
    if not _all_strings_utf8(obj):
        raise Reject("unpaired surrogate escape (not UTF-8)")
    for field in ("id", "type", "time"):
        if field not in obj:
            raise Reject("missing %s" % field)
        if not nonempty_str(obj[field]):
            raise Reject("%s is not a non-empty string" % field)
    t = parse_time(obj["time"])
    if t is None:
        raise Reject("invalid time %r" % obj["time"])
    ev = Event(obj, t, where)
    if not ev.identities():
        raise Reject("no identity (lead, email, anonymous_id)")
    return ev


def read_file(path, stats, log):
    with open(path, "rb") as f:
        data = f.read()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()                         # the LF ending the last line
    for n, raw in enumerate(lines, 1):
        stats["lines"] += 1
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        if raw.strip(b" \t") == b"":        # R6
            stats["blank"] += 1
            continue
        where = "%s:%d" % (path, n)
        try:
            yield parse_line(raw, where)
        except Reject as e:
            stats["rejected_lines"] += 1
            log("%s: rejected: %s" % (where, e))


# ---------------------------------------------------------------------------
# identity (section 2, section 9 "Linking")

class UnionFind:
    def __init__(self):
        self.parent = {}

    def find(self, x):
        self.parent.setdefault(x, x)
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra


def person_id(events):
    """events sorted by (time, id)."""
    for ev in events:
        if ev.lead is not None:
            return ev.lead
    for ev in events:
        if ev.email is not None:
            return "email:" + ev.email
    for ev in events:
        if ev.anon is not None:
            return "anon:" + ev.anon
    raise AssertionError("event without identity")


# ---------------------------------------------------------------------------
# the fold (sections 3-6, 9)

def url_path(url):
    """Section 9 "URL path"."""
    if "://" in url:
        rest = url[url.index("://") + 3:]
        slash = rest.find("/")
        if slash < 0:
            return ""
        for stop in "?#":
            pos = rest.find(stop)
            if 0 <= pos < slash:
                return ""
        rest = rest[slash:]
    else:
        rest = url
    for stop in "?#":
        pos = rest.find(stop)
        if pos >= 0:
            rest = rest[:pos]
    return rest


def str_prop(d, name):
    v = d.get(name)
    return v if isinstance(v, str) else None


class Person:
    def __init__(self, pid):
        self.pid = pid
        self.score = 0
        self.stage = "anonymous"
        self.armed = False
        self.mql_count = 0
        self.last_mql_at = None
        self.has_source = False
        self.last_activity = None
        self.last_page_view = None
        self.views_in_visit = 0
        self.visit_starts = []        # increasing times
        self.repeat_times = []        # increasing times of repeat_visits points
        self.rejected_sales = []

    # -- section 6 rule 2: re-arming
    def rearm_check(self):
        if self.stage == "prospect" and not self.armed and self.score < MQL_THRESHOLD:
            self.armed = True

    # -- section 5
    def decay_step(self):
        if self.score >= 30:
            self.score -= 15
        elif self.score > 0:
            self.score -= min(5, self.score)
        self.rearm_check()

    def decay_until(self, limit, inclusive):
        """Apply the steps last_activity + k*30d (k = 1, 2, ...) that are < limit
        (or <= limit when inclusive)."""
        if self.last_activity is None:
            return
        k = 1
        while True:
            d = self.last_activity + k * DECAY_PERIOD
            if d > limit or (d == limit and not inclusive):
                return
            self.decay_step()
            if self.score <= 0:
                return            # every further step changes nothing (R15)
            k += 1

    # -- one event
    def apply(self, ev):
        new_stage = None
        if ev.type in SALES_TYPES:
            needed, outcomes = SALES_TRANSITIONS[ev.type]
            outcome = str_prop(ev.props, "outcome")
            if self.stage != needed or outcome not in outcomes:
                self.rejected_sales.append(ev)      # R3: nothing else happens
                return
            new_stage = outcomes[outcome]

        # activity: decay steps strictly before this event; one at its time
        # is cancelled by it
        self.decay_until(ev.time, inclusive=False)
        self.last_activity = ev.time

        # section 6 rule 1: identification
        if self.stage == "anonymous" and (ev.lead is not None or ev.email is not None):
            self.stage = "prospect"
            self.armed = True

        # section 4 points
        self.score += self.points(ev)

        # section 6 rules 3-4
        if new_stage is not None:
            self.stage = new_stage
            if new_stage == "prospect":      # nurture / lost: recycling
                self.armed = False
        self.rearm_check()
        if self.stage == "prospect" and self.armed and self.score >= MQL_THRESHOLD:
            self.stage = "hot"
            self.mql_count += 1
            self.last_mql_at = ev.time

    def points(self, ev):
        pts = 0
        t = ev.type
        if t == "page_view":
            pts += 1                                    # page
            # section 3 visits
            if self.last_page_view is None or ev.time - self.last_page_view > VISIT_GAP:
                # a new visit starts at ev.time.  visit_starts / repeat_times
                # are increasing and all earlier than ev.time, so the windows
                # only need their last element.
                another = bool(self.visit_starts) and \
                    self.visit_starts[-1] >= ev.time - WEEK          # [t-7d, t)
                blocked = bool(self.repeat_times) and \
                    self.repeat_times[-1] > ev.time - WEEK           # (t-7d, t)
                if another and not blocked:
                    pts += 8                            # repeat_visits
                    self.repeat_times.append(ev.time)
                self.visit_starts.append(ev.time)
                self.views_in_visit = 1
            else:
                self.views_in_visit += 1
            self.last_page_view = ev.time
            if self.views_in_visit == 8:
                pts += 7                                # deep_visit
            url = str_prop(ev.props, "url")
            if url is not None:
                path = url_path(url)
                if path.startswith("/pricing"):
                    pts += 5                            # pricing
                if path.startswith("/careers"):
                    pts -= 10                           # careers
        elif t == "email_open":
            pts += 1
        elif t == "demo_view":
            pts += 5
        elif t == "webinar_register":
            pts += 5
        elif t == "webinar_attend":
            pts += 5
        elif t == "content_download":
            if str_prop(ev.props, "content_type") == "thought_leadership":
                pts += 5
        elif t == "search":
            q = str_prop(ev.props, "query")
            if q is not None and "acme" in ascii_lower(q):
                pts += 15                               # brand_search

        # source_inquiry / source_thought_leader (any event type)
        source = ev.attrs.get("source")
        if nonempty_str(source) and not self.has_source:
            self.has_source = True
            if source == "web_inquiry":
                pts += 7
            elif source == "thought_leader":
                pts -= 5
        return pts


# ---------------------------------------------------------------------------
# export (section 8, section 9 "CSV")

def csv_field(s):
    if any(c in s for c in ',"\r\n'):
        return '"' + s.replace('"', '""') + '"'
    return s


def run(paths, as_of_arg, out, log):
    stats = {k: 0 for k in ("lines", "blank", "rejected_lines", "accepted",
                            "duplicates", "conflicts", "after_as_of",
                            "rejected_sales", "persons")}
    claimed = {}                                   # id -> first valid Event
    for path in paths:
        for ev in read_file(path, stats, log):
            first = claimed.get(ev.id)
            if first is None:
                claimed[ev.id] = ev
                stats["accepted"] += 1
                continue
            stats["duplicates"] += 1
            if first.content != ev.content:
                stats["conflicts"] += 1
                log("%s: conflict: id %r differs from %s (first line wins)"
                    % (ev.where, ev.id, first.where))

    if as_of_arg is not None:
        as_of = as_of_arg
    elif claimed:
        as_of = max(ev.time for ev in claimed.values())       # R5
    else:
        as_of = None

    events = []
    for ev in claimed.values():
        if as_of is not None and ev.time <= as_of:
            events.append(ev)
        else:
            stats["after_as_of"] += 1

    uf = UnionFind()
    for ev in events:
        ids = ev.identities()
        for other in ids[1:]:
            uf.union(ids[0], other)
        uf.find(ids[0])
    groups = {}
    for ev in events:
        groups.setdefault(uf.find(ev.identities()[0]), []).append(ev)

    rows = []
    for evs in groups.values():
        evs.sort(key=lambda e: e.key)
        p = Person(person_id(evs))
        for ev in evs:
            p.apply(ev)
        p.decay_until(as_of, inclusive=True)
        for ev in p.rejected_sales:
            log("%s: rejected sales event %r (%s, outcome %r) for %r"
                % (ev.where, ev.id, ev.type, ev.props.get("outcome"), p.pid))
        stats["rejected_sales"] += len(p.rejected_sales)
        rows.append((p.pid.encode("utf-8"),
                     ",".join([csv_field(p.pid), str(p.score), p.stage,
                               str(p.mql_count),
                               format_time(p.last_mql_at) if p.last_mql_at is not None else ""])
                     + "\n"))
    stats["persons"] = len(rows)
    rows.sort(key=lambda r: (r[0], r[1].encode("utf-8")))      # R16

    out.write(b"lead_id,score,stage,mql_count,last_mql_at\n")
    for _, line in rows:
        out.write(line.encode("utf-8"))
    out.flush()
    log("oracle: " + " ".join("%s=%d" % kv for kv in stats.items())
        + " as_of=" + (format_time(as_of) if as_of is not None else "none"))


def main(argv):
    as_of = None
    paths = []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--as-of" or a.startswith("--as-of="):
            if a == "--as-of":
                i += 1
                if i >= len(argv):
                    print("oracle: --as-of needs a value", file=sys.stderr)
                    return 2
                value = argv[i]
            else:
                value = a[len("--as-of="):]
            as_of = parse_time(value)
            if as_of is None:
                print("oracle: invalid --as-of %r" % value, file=sys.stderr)
                return 2
        elif a == "--" :
            paths.extend(argv[i + 1:])
            break
        elif a.startswith("-") and a != "-":
            print("oracle: unknown option %r" % a, file=sys.stderr)
            return 2
        else:
            paths.append(a)
        i += 1
    if not paths:
        print("usage: oracle.py [--as-of T] FILE...", file=sys.stderr)
        return 2
    for p in paths:
        try:
            open(p, "rb").close()
        except OSError as e:
            print("oracle: %s" % e, file=sys.stderr)
            return 2

    def log(msg):
        sys.stderr.write(msg + "\n")

    # R18: json's C parser recurses once per nesting level; a big thread stack
    # and recursion limit let it take lines nested ~1,000,000 deep; deeper
    # ones go to parse_json_deep.
    failure = []

    def work():
        try:
            run(paths, as_of, sys.stdout.buffer, log)
        except BaseException as e:          # re-raised in the main thread
            failure.append(e)

    try:
        threading.stack_size(1 << 30)
        sys.setrecursionlimit(1_000_000)
    except (ValueError, RuntimeError):
        pass                                # keep the defaults
    t = threading.Thread(target=work)
    t.start()
    t.join()
    if failure:
        raise failure[0]
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
