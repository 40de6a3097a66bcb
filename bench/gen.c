/* bench/gen — a seeded generator of realistic leadscore event streams
 * (JSON Lines, spec §1) for benchmarks, demos and differential tests.
 *
 *   gen --persons N [--seed S] [--start 2026-01-01] [--days 365]
 *       [--window 60] [--out FILE]
 *
 * The same arguments always produce the same bytes. Each person lives a
 * buying-cycle story: anonymous visits (runs of page views less than 30 min
 * apart, hours or days between visits, sometimes idle for more than 30 days
 * so that decay happens), identification by an `identify` / `form_submit`
 * that carries the cookie and an e-mail (sometimes a lead id and person
 * attributes), a second device cookie, a duplicate CRM record (second lead id)
 * linked later, e-mail opens, webinars, demos, downloads, brand searches and,
 * for warm persons, sales dispositions and closed opportunities (some of them
 * not fitting the stage). About 17 events per person.
 *
 * Stream noise: ~1 % exact duplicate lines, ~0.2 % lines reusing an id with
 * different content, ~0.05 % invalid lines, times with +09:00 / -05:00
 * offsets and fractions, e-mails with upper case or blanks, urls with `\/`
 * escapes. Output is chronological by window (--window minutes, default 60)
 * and shuffled inside each window, so the input is not sorted.
 *
 * Memory: only the events not yet written (persons are generated when the
 * output reaches their first visit), about 32 bytes each. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---------------------------------------------------------------- PRNG -- */

typedef struct rng {
  uint64_t s[4];
} rng;

static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static uint64_t mix64(uint64_t a, uint64_t b) {
  uint64_t x = a ^ (b * 0xd6e8feb86659fd93ULL);
  return splitmix64(&x);
}

static void rng_seed(rng *r, uint64_t seed) {
  uint64_t x = seed;
  for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

static inline uint64_t rng_next(rng *r) { /* xoshiro256** */
  uint64_t *s = r->s;
  uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

static inline uint32_t rng_below(rng *r, uint32_t n) {
  return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

static inline double rng_unit(rng *r) {
  return (double)(rng_next(r) >> 11) * 0x1p-53;
}

static inline int rng_chance(rng *r, double p) { return rng_unit(r) < p; }

static inline int64_t rng_range(rng *r, int64_t lo, int64_t hi) {
  return lo + (int64_t)(rng_unit(r) * (double)(hi - lo + 1));
}

static inline double rng_exp(rng *r, double mean) {
  return -log(1.0 - rng_unit(r)) * mean;
}

/* ------------------------------------------------------------- tables --- */

#define N_(a) (sizeof(a) / sizeof((a)[0]))

static const char *const first_names[] = {
    "taro",  "hanako", "kenji",  "yuki",   "sakura", "hiroshi", "aiko",
    "daisuke", "emi",  "takumi", "john",   "mary",   "james",   "linda",
    "robert", "susan", "michael", "karen", "david",  "lisa",    "anna",
    "lukas", "sophie", "pierre", "camille", "raj",   "priya",   "wei",
    "mei",   "olivia", "noah",   "emma",   "liam",   "chloe"};
static const char *const last_names[] = {
    "tanaka", "suzuki", "sato",   "takahashi", "watanabe", "ito",
    "yamamoto", "nakamura", "kobayashi", "kato", "smith",   "johnson",
    "williams", "brown", "jones",  "miller",  "davis",   "garcia",
    "muller", "schmidt", "martin", "bernard", "sharma",  "patel",
    "chen",   "wang",   "lee",    "kim",     "taylor",  "wilson"};

typedef struct company {
  const char *name;   /* JSON-safe (no quotes, no backslashes) */
  const char *domain;
  const char *industry;
  const char *country;
} company;

static const company companies[] = {
    {"Globex Corporation", "globex.example", "manufacturing", "US"},
    {"Initech", "initech.example", "software", "US"},
    {"Umbrella Holdings", "umbrella.example", "healthcare", "GB"},
    {"Stark Industries", "stark.example", "manufacturing", "US"},
    {"Wayne Enterprises", "wayne.example", "finance", "US"},
    {"Hooli", "hooli.example", "software", "US"},
    {"Vandelay Industries", "vandelay.example", "retail", "US"},
    {"Soylent Foods", "soylent.example", "food", "DE"},
    {"Tyrell Systems", "tyrell.example", "software", "JP"},
    {"\u682a\u5f0f\u4f1a\u793e\u307f\u3089\u3044\u88fd\u4f5c\u6240",
     "mirai-seisakusho.example", "manufacturing", "JP"},
    {"\u3072\u304b\u308a\u5546\u4e8b", "hikari-shoji.example", "trading", "JP"},
    {"Sakura Logistics", "sakura-logi.example", "logistics", "JP"},
    {"Nakatomi Trading", "nakatomi.example", "trading", "JP"},
    {"Massive Dynamic", "massive.example", "research", "US"},
    {"Cyberdyne", "cyberdyne.example", "software", "US"},
    {"Oceanic Airlines", "oceanic.example", "travel", "AU"},
    {"Blue Sun", "bluesun.example", "energy", "SG"},
    {"Aperture Science", "aperture.example", "research", "US"},
    {"Monarch Solutions", "monarch.example", "consulting", "FR"},
    {"Gringotts Finance", "gringotts.example", "finance", "GB"},
    {"Bharat Infotech", "bharat-info.example", "software", "IN"},
    {"Nordwind GmbH", "nordwind.example", "logistics", "DE"},
    {"Pied Piper", "piedpiper.example", "software", "US"},
    {"Dunder Mifflin", "dundermifflin.example", "retail", "US"},
};

static const char *const titles[] = {
    "Marketing Manager", "CMO", "VP Marketing", "Marketing Operations",
    "Sales Director", "CEO", "IT Manager", "Engineer", "Analyst",
    "Student", "Consultant", "Head of Demand Generation",
    "\u30de\u30fc\u30b1\u30c6\u30a3\u30f3\u30b0\u90e8\u9577", "Procurement"};

static const char *const sources[] = {"web_inquiry", "thought_leader", "event",
                                      "partner"};

/* page categories */
enum { P_HOME, P_PRODUCT, P_PRICING, P_CAREERS, P_BLOG, P_DOCS, P_CUSTOMERS,
       P_ABOUT, P_TRICKY, P_NCAT };

static const char *const paths_product[] = {
    "/product", "/product/scoring", "/product/automation", "/product/crm-sync",
    "/product/analytics", "/features", "/integrations/salesforce"};
static const char *const paths_pricing[] = {
    "/pricing", "/pricing/enterprise", "/pricing/compare", "/pricing/faq"};
static const char *const paths_careers[] = {
    "/careers", "/careers/engineering", "/careers/sales-development",
    "/careers/jobs/1234", "/careers/tokyo"};
static const char *const paths_blog[] = {
    "/blog/lead-scoring-101", "/blog/buying-cycle", "/blog/mql-vs-sql",
    "/blog/nurture-campaigns", "/blog/2026/01/decay-explained",
    "/blog/acme-customer-story", "/blog/webinar-recap"};
static const char *const paths_docs[] = {
    "/docs", "/docs/getting-started", "/docs/api/events", "/docs/api/leads",
    "/docs/models/rules", "/docs/faq"};
static const char *const paths_customers[] = {
    "/customers", "/customers/globex", "/customers/nakatomi",
    "/customers/case-studies"};
static const char *const paths_about[] = {"/about", "/contact", "/partners",
                                          "/events/summit-2026", "/legal/privacy"};
/* boundary cases of the url path rules (spec §9) */
static const char *const paths_tricky[] = {
    "/pricingx", "/Pricing", "/careers-faq", "/en/pricing", "/pricing#plans",
    "/careers?ref=/pricing"};
static const char *const url_queries[] = {
    "?utm=x", "?utm_source=newsletter&utm_medium=email",
    "?utm_source=google&utm_medium=cpc&utm_campaign=brand", "?ref=footer",
    "#top", "?gclid=Cj0KCQjw"};

static const char *const queries_brand[] = {
    "acme pricing", "Acme lead scoring", "ACME vs hubspot", "acme login",
    "what is acme", "acme \u4fa1\u683c", "acmecorp reviews"};
static const char *const queries_generic[] = {
    "lead scoring software", "marketing automation", "mql definition",
    "b2b buying cycle", "crm integration", "\u30ea\u30fc\u30c9\u30b9\u30b3\u30a2\u30ea\u30f3\u30b0",
    "account based marketing", "webinar platform"};

static const char *const content_types[] = {
    "thought_leadership", "whitepaper", "ebook", "case_study", "datasheet",
    "checklist"};
static const char *const content_titles[] = {
    "state-of-b2b-2026", "scoring-playbook", "cmo-survey", "roi-calculator",
    "buyer-journey-map"};

static const char *const email_subjects[] = {
    "newsletter-2026-01", "webinar-invite", "product-update", "case-study",
    "nurture-1", "nurture-2", "nurture-3", "event-followup"};

/* ------------------------------------------------------------- events --- */

enum {
  T_PAGE,
  T_IDENTIFY,
  T_FORM,
  T_EMAIL_OPEN,
  T_DEMO,
  T_WEB_REG,
  T_WEB_ATT,
  T_DOWNLOAD,
  T_SEARCH,
  T_DISPOSITION,
  T_CLOSED,
  T_NTYPES
};

static const char *const type_names[T_NTYPES] = {
    "page_view",        "identify",       "form_submit",
    "email_open",       "demo_view",      "webinar_register",
    "webinar_attend",   "content_download", "search",
    "sales_disposition", "opportunity_closed"};

/* identity fields an event carries */
enum {
  I_ANON1 = 1,
  I_ANON2 = 2,
  I_EMAIL = 4,
  I_LEAD1 = 8,
  I_LEAD2 = 16,
  I_ATTRS = 32, /* person attributes (identify, form_submit) */
  I_SOURCE = 64 /* attrs include `source` */
};

/* ev.flags */
enum { F_DUP = 1, F_CONFLICT = 2 };

/* sales outcomes (ev.extra for sales events) */
enum { O_OPPORTUNITY, O_NURTURE, O_DISQUALIFIED, O_WON, O_LOST, O_BOGUS };

typedef struct ev {
  int64_t t;       /* seconds since the epoch (UTC) */
  uint64_t id;     /* 0: assigned when written */
  uint32_t person;
  uint32_t rnd;    /* drives the details chosen when the line is written */
  uint8_t type;
  uint8_t idf;     /* I_* */
  uint8_t extra;   /* page category, content type, outcome, source… */
  uint8_t flags;   /* F_* */
} ev;

typedef struct bucket {
  ev *v;
  size_t n, cap;
} bucket;

typedef struct outbuf {
  char *buf;
  size_t n, cap;
  int fd;
  int failed;
} outbuf;

typedef struct gen {
  uint64_t seed;
  uint32_t persons;
  int64_t start, end, win; /* seconds */
  size_t nwin, nb;
  size_t cur; /* the window being written; earlier ones are gone */
  bucket *b;
  rng r;            /* stream-level randomness (shuffles, noise) */
  uint64_t next_id;
  uint64_t lines, dups, conflicts, invalid, dropped;
  size_t pending, peak_pending;
  outbuf out;
} gen;

static void die(const char *msg) {
  fprintf(stderr, "gen: %s\n", msg);
  exit(2);
}

static void push(gen *g, const ev *e) {
  if (e->t < g->start || e->t >= g->end) {
    g->dropped++;
    return;
  }
  size_t i = (size_t)((e->t - g->start) / g->win);
  if (i < g->cur) i = g->cur; /* slightly late in the stream */
  bucket *b = &g->b[i];
  if (b->n == b->cap) {
    size_t nc = b->cap ? b->cap * 2 : 64;
    ev *nv = realloc(b->v, nc * sizeof *nv);
    if (!nv) die("out of memory");
    b->v = nv;
    b->cap = nc;
  }
  b->v[b->n++] = *e;
  if (++g->pending > g->peak_pending) g->peak_pending = g->pending;
}

/* Pushes a copy of `e` into a later window (for stream duplicates). */
static void push_later(gen *g, size_t cur, const ev *e) {
  size_t i = cur + 1 + rng_below(&g->r, 6);
  if (i >= g->nb) i = g->nb - 1;
  bucket *b = &g->b[i];
  if (b->n == b->cap) {
    size_t nc = b->cap ? b->cap * 2 : 64;
    ev *nv = realloc(b->v, nc * sizeof *nv);
    if (!nv) die("out of memory");
    b->v = nv;
    b->cap = nc;
  }
  b->v[b->n++] = *e;
  g->pending++;
}

/* ------------------------------------------------------ person stories --- */

typedef struct story {
  gen *g;
  rng r;
  uint32_t idx;
  int known;       /* has been identified */
  int has_lead;    /* the CRM knows it (lead id on identification) */
  int lead2;       /* a duplicate CRM record exists */
  int anon2;       /* uses a second device */
  int anon2_linked;
  int job_seeker;
  int heat;        /* 0 cold, 1 warm, 2 hot */
  int hot;         /* generator's own guess that it is an MQL */
  int closed;      /* disqualified / won: fewer visits afterwards */
  int source_given;
  double score;    /* a rough running score, to decide on sales events */
  int64_t last;    /* last activity */
} story;

static void emit(story *s, int64_t t, int type, int idf, int extra) {
  ev e;
  e.t = t;
  e.id = 0;
  e.person = s->idx;
  e.rnd = (uint32_t)rng_next(&s->r);
  e.type = (uint8_t)type;
  e.idf = (uint8_t)idf;
  e.extra = (uint8_t)extra;
  e.flags = 0;
  push(s->g, &e);
}

/* The identity a known person's marketing events carry. (Note: never call
 * the generator twice in one expression whose order C leaves unspecified,
 * e.g. two arguments of one call: the output must not depend on the
 * compiler.) */
static int known_id(story *s) {
  if (!s->known) return 0;
  if (s->has_lead && rng_chance(&s->r, 0.6))
    return rng_chance(&s->r, 0.5) ? I_LEAD1 : (I_LEAD1 | I_EMAIL);
  return I_EMAIL;
}

static int sales_id(story *s) {
  return s->has_lead ? I_LEAD1 : I_EMAIL;
}

static void rough_decay(story *s, int64_t t) {
  if (s->last == 0) return;
  int64_t steps = (t - s->last) / 2592000;
  for (int64_t k = 0; k < steps && s->score > 0; k++)
    s->score -= s->score >= 30 ? 15 : (s->score < 5 ? s->score : 5);
}

static void activity(story *s, int64_t t, double points) {
  rough_decay(s, t);
  s->score += points;
  if (s->score < -50) s->score = -50;
  s->last = t;
}

/* Sales follow-up once the person looks hot. */
static void sales(story *s, int64_t t) {
  gen *g = s->g;
  (void)g;
  if (!rng_chance(&s->r, 0.55)) return;
  int64_t td = t + rng_range(&s->r, 3600, 21 * 86400);
  double u = rng_unit(&s->r);
  int out = u < 0.45 ? O_OPPORTUNITY
          : u < 0.75 ? O_NURTURE
          : u < 0.95 ? O_DISQUALIFIED
                     : O_BOGUS;
  emit(s, td, T_DISPOSITION, sales_id(s), out);
  if (rng_chance(&s->r, 0.03)) /* sent twice by the CRM: does not fit */
    emit(s, td + rng_range(&s->r, 60, 86400), T_DISPOSITION, sales_id(s), out);
  if (out == O_OPPORTUNITY && rng_chance(&s->r, 0.7)) {
    int64_t tc = td + rng_range(&s->r, 7 * 86400, 90 * 86400);
    int won = rng_chance(&s->r, 0.4);
    emit(s, tc, T_CLOSED, sales_id(s), won ? O_WON : O_LOST);
    if (won) s->closed = 1;
  }
  if (out == O_DISQUALIFIED) s->closed = 1;
  s->hot = out == O_NURTURE ? 0 : s->hot; /* nurture: may become hot again */
}

static int pick_page(story *s) {
  double u = rng_unit(&s->r);
  if (s->job_seeker) {
    if (u < 0.55) return P_CAREERS;
    if (u < 0.75) return P_ABOUT;
    if (u < 0.9) return P_HOME;
    return P_BLOG;
  }
  double pricing = s->heat == 2 ? 0.16 : s->heat == 1 ? 0.08 : 0.03;
  if (u < pricing) return P_PRICING;
  u -= pricing;
  if (u < 0.015) return P_CAREERS;
  if (u < 0.02) return P_TRICKY;
  if (u < 0.17) return P_HOME;
  if (u < 0.37) return P_PRODUCT;
  if (u < 0.62) return P_BLOG;
  if (u < 0.80) return P_DOCS;
  if (u < 0.90) return P_CUSTOMERS;
  return P_ABOUT;
}

static double page_points(int cat) {
  return cat == P_PRICING ? 6 : cat == P_CAREERS ? -9 : 1;
}

/* The identify / form_submit that makes the person known. */
static void identify(story *s, int64_t t, int cookie) {
  int form = rng_chance(&s->r, 0.55);
  int idf = cookie | I_EMAIL;
  s->has_lead = rng_chance(&s->r, form ? 0.75 : 0.45);
  if (s->has_lead) idf |= I_LEAD1;
  if (form || rng_chance(&s->r, 0.4)) idf |= I_ATTRS;
  int src = 0;
  if ((idf & I_ATTRS) && rng_chance(&s->r, 0.85)) {
    idf |= I_SOURCE;
    double u = rng_unit(&s->r);
    src = u < 0.45 ? 0 : u < 0.65 ? 1 : u < 0.85 ? 2 : 3;
    if (!s->source_given) {
      s->source_given = 1;
      s->score += src == 0 ? 7 : src == 1 ? -5 : 0;
    }
  }
  emit(s, t, form ? T_FORM : T_IDENTIFY, idf, src);
  s->known = 1;
}

/* Events between visits, from `t` to `until`. */
static void between(story *s, int64_t t, int64_t until) {
  int64_t span = until - t;
  if (span <= 60) return;
  double busy = s->heat == 2 ? 1.0 : s->heat == 1 ? 0.7 : 0.35;
  if (s->known) {
    int opens = rng_chance(&s->r, 0.55 * busy);
    opens += rng_chance(&s->r, 0.25 * busy);
    for (int i = 0; i < opens; i++) {
      int64_t te = t + rng_range(&s->r, 60, span - 1);
      emit(s, te, T_EMAIL_OPEN, known_id(s), 0);
      activity(s, te, 1);
    }
    if (rng_chance(&s->r, 0.09 * busy)) {
      int64_t te = t + rng_range(&s->r, 60, span - 1);
      emit(s, te, T_WEB_REG, known_id(s) | I_EMAIL, 0);
      activity(s, te, 5);
      if (rng_chance(&s->r, 0.6)) {
        int64_t ta = te + rng_range(&s->r, 86400, 14 * 86400);
        emit(s, ta, T_WEB_ATT, I_EMAIL, 0);
        activity(s, ta, 5);
      }
    }
    if (rng_chance(&s->r, 0.08 * busy * (s->heat + 1) / 2.0)) {
      int64_t te = t + rng_range(&s->r, 60, span - 1);
      emit(s, te, T_DEMO, known_id(s), 0);
      activity(s, te, 5);
    }
    if (s->lead2 == 1 && rng_chance(&s->r, 0.3)) {
      /* the duplicate CRM record shows up on its own first */
      int64_t te = t + rng_range(&s->r, 60, span - 1);
      emit(s, te, rng_chance(&s->r, 0.5) ? T_EMAIL_OPEN : T_WEB_REG, I_LEAD2, 0);
      activity(s, te, 1);
      s->lead2 = 2;
    } else if (s->lead2 == 2 && rng_chance(&s->r, 0.3)) {
      int64_t te = t + rng_range(&s->r, 60, span - 1);
      emit(s, te, T_IDENTIFY, I_EMAIL | I_LEAD2, 0); /* links both records */
      s->lead2 = 3;
    }
  }
}

/* One visit starting at t; returns its end. */
static int64_t visit(story *s, int64_t t, int cookie, int vno, int ident_visit) {
  int pages;
  double u = rng_unit(&s->r);
  if (u < 0.10 + 0.05 * s->heat)
    pages = (int)rng_range(&s->r, 8, 14); /* a deep visit */
  else
    pages = 1 + (int)rng_exp(&s->r, s->heat == 0 ? 1.2 : 1.9);
  if (pages > 30) pages = 30;
  int ident_at = ident_visit == vno ? (int)rng_below(&s->r, (uint32_t)pages) : -1;
  if (rng_chance(&s->r, 0.04 + 0.04 * s->heat)) { /* arrives from a search */
    int brand = rng_chance(&s->r, s->heat ? 0.6 : 0.2);
    int64_t ts = t - rng_range(&s->r, 5, 120);
    int idf = cookie | (s->known && rng_chance(&s->r, 0.2) ? I_EMAIL : 0);
    emit(s, ts, T_SEARCH, idf, brand);
    activity(s, t, brand ? 15 : 0);
  }
  int deep = 0;
  for (int p = 0; p < pages; p++) {
    if (p > 0) {
      int64_t gap;
      double v = rng_unit(&s->r);
      if (v < 0.005) gap = 1800;       /* still the same visit */
      else if (v < 0.6) gap = rng_range(&s->r, 5, 90);
      else if (v < 0.95) gap = rng_range(&s->r, 90, 600);
      else gap = rng_range(&s->r, 600, 1799);
      t += gap;
    }
    int cat = pick_page(s);
    int idf = cookie;
    if (s->known && s->has_lead && rng_chance(&s->r, 0.08)) idf |= I_LEAD1;
    emit(s, t, T_PAGE, idf, cat);
    activity(s, t, page_points(cat) + (++deep == 8 ? 7 : 0));
    if (p == ident_at && !s->known) {
      t += rng_range(&s->r, 5, 120);
      identify(s, t, cookie);
      activity(s, t, 0);
    }
  }
  if (s->known && rng_chance(&s->r, 0.10 + 0.05 * s->heat)) {
    int tl = rng_chance(&s->r, 0.3);
    t += rng_range(&s->r, 5, 300);
    emit(s, t, T_DOWNLOAD, cookie | I_EMAIL, tl ? 0 : 1 + rng_below(&s->r, N_(content_types) - 1));
    activity(s, t, tl ? 5 : 0);
  }
  return t;
}

static void person(gen *g, uint32_t idx, int64_t t0) {
  story st;
  memset(&st, 0, sizeof st);
  story *s = &st;
  s->g = g;
  s->idx = idx;
  rng_seed(&s->r, mix64(g->seed, idx + 1));
  double u = rng_unit(&s->r);
  s->heat = u < 0.55 ? 0 : u < 0.85 ? 1 : 2;
  s->job_seeker = rng_chance(&s->r, 0.04);
  double p_ident = s->heat == 0 ? 0.35 : s->heat == 1 ? 0.75 : 0.95;
  int will_ident = rng_chance(&s->r, p_ident);
  int nvisits = s->heat == 0 ? 1 + (int)rng_exp(&s->r, 1.3)
              : s->heat == 1 ? (int)rng_range(&s->r, 2, 7)
                             : (int)rng_range(&s->r, 5, 16);
  int ident_visit = will_ident ? (int)rng_below(&s->r, (uint32_t)(nvisits < 4 ? nvisits : 4)) : -1;
  int64_t t = t0;

  /* some persons are known before they ever visit: a trade-show or partner
   * list, imported with a lead id and attributes */
  if (will_ident && rng_chance(&s->r, 0.12)) {
    int src = rng_chance(&s->r, 0.7) ? 2 : 3;
    emit(s, t, T_FORM, I_EMAIL | I_LEAD1 | I_ATTRS | I_SOURCE, src);
    s->known = s->has_lead = s->source_given = 1;
    activity(s, t, 0);
    t += rng_range(&s->r, 3600, 10 * 86400);
    between(s, t - 3600, t);
  }
  if (will_ident) {
    s->anon2 = rng_chance(&s->r, 0.10);
    s->lead2 = rng_chance(&s->r, 0.04);
  }

  for (int v = 0; v < nvisits; v++) {
    if (v > 0) {
      int64_t gap;
      double w = rng_unit(&s->r);
      if (w < 0.07) gap = rng_range(&s->r, 31 * 86400, 120 * 86400); /* idle: decay */
      else if (w < 0.075) gap = 2592000;           /* exactly at a decay step */
      else if (w < 0.08) gap = 604800;             /* exactly 7 days */
      else if (w < 0.35) gap = rng_range(&s->r, 1801, 12 * 3600);
      else gap = 1800 + (int64_t)rng_exp(&s->r, 3.5 * 86400);
      if (s->closed) gap += 30 * 86400;
      between(s, t, t + gap);
      t += gap;
    }
    if (t >= g->end) break;
    int cookie = I_ANON1;
    if (s->anon2 && s->known && v >= 2 && rng_chance(&s->r, 0.5)) {
      cookie = I_ANON2;
      if (!s->anon2_linked) { /* logs in on the second device */
        s->anon2_linked = 1;
        emit(s, t + rng_range(&s->r, 10, 600), T_IDENTIFY, I_ANON2 | I_EMAIL, 0);
      }
    }
    t = visit(s, t, cookie, v, ident_visit);
    if (s->known && !s->hot && s->score >= 65) {
      s->hot = 1;
      sales(s, t);
    }
  }
  /* a few sales events that do not fit any stage (never hot, or cold) */
  if (s->known && !s->hot && rng_chance(&s->r, 0.02)) {
    int64_t ts = t + rng_range(&s->r, 3600, 30 * 86400);
    int type = rng_chance(&s->r, 0.5) ? T_DISPOSITION : T_CLOSED;
    int outcome = (int)rng_below(&s->r, 5);
    emit(s, ts, type, sales_id(s), outcome);
  }
}

/* --------------------------------------------------------- formatting --- */

static void out_flush(outbuf *o) {
  size_t off = 0;
  while (off < o->n && !o->failed) {
    ssize_t w = write(o->fd, o->buf + off, o->n - off);
    if (w < 0) {
      if (errno == EINTR) continue;
      o->failed = errno;
      break;
    }
    off += (size_t)w;
  }
  o->n = 0;
}

/* Every line is shorter than this; reserve it before writing a line. */
#define LINE_MAX_BYTES 2048

static inline char *reserve(outbuf *o) {
  if (o->cap - o->n < LINE_MAX_BYTES) out_flush(o);
  return o->buf + o->n;
}

#define LIT(p, s) (memcpy((p), (s), sizeof(s) - 1), (p) += sizeof(s) - 1)

static inline char *str(char *p, const char *s) {
  size_t n = strlen(s);
  memcpy(p, s, n);
  return p + n;
}

static inline char *u64(char *p, uint64_t v) {
  char tmp[20];
  int n = 0;
  do {
    tmp[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  while (n) *p++ = tmp[--n];
  return p;
}

static inline char *dig2(char *p, unsigned v) {
  p[0] = (char)('0' + v / 10);
  p[1] = (char)('0' + v % 10);
  return p + 2;
}

static inline char *hex(char *p, uint64_t v, int n) {
  static const char digits[] = "0123456789abcdef";
  for (int i = n - 1; i >= 0; i--) {
    p[i] = digits[v & 15];
    v >>= 4;
  }
  return p + n;
}

/* days since 1970-01-01 → civil date (H. Hinnant) */
static void civil(int64_t z, int *y, unsigned *m, unsigned *d) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  unsigned doe = (unsigned)(z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t yy = (int64_t)yoe + era * 400;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = (int)(yy + (*m <= 2));
}

static int64_t days_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = (unsigned)(y - era * 400);
  unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int64_t)doe - 719468;
}

/* RFC 3339 time; the variant (offset, fraction, letter case) from `rnd`. */
static char *put_time(char *p, int64_t t, uint32_t rnd) {
  unsigned v = (rnd >> 8) & 0xff;
  int off = 0; /* minutes east of UTC */
  int frac = 0; /* digits */
  int lower = 0;
  if (v < 12) off = 540;
  else if (v < 16) off = -300;
  if ((v >= 16 && v < 28) || (v < 12 && (rnd & 0x10000))) frac = 3;
  else if (v >= 28 && v < 31) frac = 6;
  else if (v == 31) lower = 1;
  int64_t lt = t + off * 60;
  int64_t days = lt >= 0 ? lt / 86400 : (lt - 86399) / 86400;
  int64_t sod = lt - days * 86400;
  int y;
  unsigned mo, d;
  civil(days, &y, &mo, &d);
  p = dig2(p, (unsigned)y / 100);
  p = dig2(p, (unsigned)y % 100);
  *p++ = '-';
  p = dig2(p, mo);
  *p++ = '-';
  p = dig2(p, d);
  *p++ = lower ? 't' : 'T';
  p = dig2(p, (unsigned)(sod / 3600));
  *p++ = ':';
  p = dig2(p, (unsigned)(sod / 60 % 60));
  *p++ = ':';
  p = dig2(p, (unsigned)(sod % 60));
  if (frac) {
    uint32_t f = (rnd >> 17) % 1000;
    *p++ = '.';
    *p++ = (char)('0' + f / 100);
    *p++ = (char)('0' + f / 10 % 10);
    *p++ = (char)('0' + f % 10);
    if (frac == 6) {
      uint32_t f2 = (rnd >> 3) % 1000;
      *p++ = (char)('0' + f2 / 100);
      *p++ = (char)('0' + f2 / 10 % 10);
      *p++ = (char)('0' + f2 % 10);
    }
  }
  if (off == 0) {
    *p++ = lower ? 'z' : 'Z';
  } else {
    int a = off < 0 ? -off : off;
    *p++ = off < 0 ? '-' : '+';
    p = dig2(p, (unsigned)(a / 60));
    *p++ = ':';
    p = dig2(p, (unsigned)(a % 60));
  }
  return p;
}

typedef struct pinfo {
  uint64_t h;
  const char *first, *last;
  const company *co;
  const char *title;
  unsigned employees;
} pinfo;

static void person_info(const gen *g, uint32_t idx, pinfo *pi) {
  uint64_t h = mix64(g->seed ^ 0x5eed, idx + 1);
  pi->h = h;
  pi->first = first_names[(h >> 8) % N_(first_names)];
  pi->last = last_names[(h >> 16) % N_(last_names)];
  pi->co = &companies[(h >> 24) % N_(companies)];
  pi->title = titles[(h >> 32) % N_(titles)];
  static const unsigned sizes[] = {8, 25, 60, 120, 250, 800, 2000, 12000, 50000};
  pi->employees = sizes[(h >> 40) % N_(sizes)];
}

static char *put_cap(char *p, const char *s, int cap) {
  size_t n = strlen(s);
  memcpy(p, s, n);
  if (cap && n && p[0] >= 'a' && p[0] <= 'z') p[0] = (char)(p[0] - 32);
  return p + n;
}

static char *put_email(char *p, const pinfo *pi, uint32_t idx, uint32_t rnd) {
  unsigned v = rnd & 0xff;
  int cap = v < 10;          /* Taro.Tanaka… : normalized to lower case */
  int blank = v >= 10 && v < 13; /* surrounding blanks: trimmed */
  if (blank) *p++ = ' ';
  p = put_cap(p, pi->first, cap);
  *p++ = '.';
  p = put_cap(p, pi->last, cap);
  p = u64(p, idx);
  *p++ = '@';
  if (cap && v < 3) {
    for (const char *d = pi->co->domain; *d; d++)
      *p++ = (*d >= 'a' && *d <= 'z') ? (char)(*d - 32) : *d;
  } else {
    p = str(p, pi->co->domain);
  }
  if (blank) *p++ = ' ';
  return p;
}

static char *put_path(char *p, const char *path, int escape) {
  for (; *path; path++) {
    if (*path == '/' && escape) *p++ = '\\';
    *p++ = *path;
  }
  return p;
}

static char *put_url(char *p, int cat, uint32_t rnd) {
  uint64_t x = mix64(rnd, 0x75726c);
  uint32_t r = (uint32_t)(x >> 32);
  const char *path;
#define PICK(a) (a)[r % N_(a)]
  switch (cat) {
    case P_HOME: path = "/"; break;
    case P_PRODUCT: path = PICK(paths_product); break;
    case P_PRICING: path = PICK(paths_pricing); break;
    case P_CAREERS: path = PICK(paths_careers); break;
    case P_BLOG: path = PICK(paths_blog); break;
    case P_DOCS: path = PICK(paths_docs); break;
    case P_CUSTOMERS: path = PICK(paths_customers); break;
    case P_ABOUT: path = PICK(paths_about); break;
    default: path = PICK(paths_tricky); break;
  }
#undef PICK
  unsigned form = (unsigned)(x >> 8) & 0xff;
  int escape = form == 0 || form == 1; /* "\/" as some encoders write it */
  if (form < 160) {
    if (escape) LIT(p, "https:\\/\\/acme.example");
    else LIT(p, "https://acme.example");
  }
  if (form == 159) { /* query before any '/': empty path (spec §9) */
    LIT(p, "?next=/pricing");
    return p;
  }
  p = put_path(p, path, escape);
  unsigned q = (unsigned)(x >> 16) & 0xf;
  if (q < 6) p = str(p, url_queries[q]);
  return p;
}

static char *put_identity(char *p, const gen *g, const ev *e, const pinfo *pi) {
  if (e->idf & I_LEAD1) {
    LIT(p, ",\"lead\":\"L");
    p = u64(p, 1000000 + (uint64_t)e->person);
    *p++ = '"';
  }
  if (e->idf & I_LEAD2) {
    LIT(p, ",\"lead\":\"L");
    p = u64(p, 1000000 + (uint64_t)g->persons + e->person);
    *p++ = '"';
  }
  if (e->idf & I_EMAIL) {
    LIT(p, ",\"email\":\"");
    p = put_email(p, pi, e->person, e->rnd);
    *p++ = '"';
  }
  if (e->idf & (I_ANON1 | I_ANON2)) {
    LIT(p, ",\"anonymous_id\":\"c-");
    p = hex(p, mix64(pi->h, (e->idf & I_ANON2) ? 2 : 1), 12);
    *p++ = '"';
  }
  return p;
}

static char *put_attrs(char *p, const ev *e, const pinfo *pi) {
  LIT(p, ",\"attrs\":{");
  char *start = p;
  if (e->idf & I_SOURCE) {
    LIT(p, "\"source\":\"");
    p = str(p, sources[e->extra & 3]);
    *p++ = '"';
  }
  uint32_t r = e->rnd >> 16;
  if (r & 1) {
    if (p != start) *p++ = ',';
    LIT(p, "\"first_name\":\"");
    p = put_cap(p, pi->first, 1);
    LIT(p, "\",\"last_name\":\"");
    p = put_cap(p, pi->last, 1);
    *p++ = '"';
  }
  if (p != start) *p++ = ',';
  LIT(p, "\"company\":\"");
  p = str(p, pi->co->name);
  *p++ = '"';
  if (r & 2) {
    LIT(p, ",\"title\":\"");
    p = str(p, pi->title);
    LIT(p, "\",\"industry\":\"");
    p = str(p, pi->co->industry);
    *p++ = '"';
  }
  if (r & 4) {
    LIT(p, ",\"country\":\"");
    p = str(p, pi->co->country);
    LIT(p, "\",\"employees\":");
    p = u64(p, pi->employees);
  }
  if ((r & 24) == 24) LIT(p, ",\"phone\":null"); /* null is not a value */
  *p++ = '}';
  return p;
}

static const char *const outcome_names[] = {"opportunity", "nurture",
                                            "disqualified", "won", "lost"};
static const char *const bogus_outcomes[] = {"Opportunity", "qualified", "",
                                             "pending"};

static char *put_props(char *p, const ev *e) {
  uint32_t r = e->rnd;
  switch (e->type) {
    case T_PAGE:
      LIT(p, ",\"props\":{\"url\":\"");
      p = put_url(p, e->extra, r);
      *p++ = '"';
      if ((r & 0xf0) == 0xf0) {
        LIT(p, ",\"referrer\":\"https://www.google.example/\"");
      }
      *p++ = '}';
      break;
    case T_SEARCH:
      LIT(p, ",\"props\":{\"query\":\"");
      p = str(p, e->extra ? queries_brand[(r >> 12) % N_(queries_brand)]
                          : queries_generic[(r >> 12) % N_(queries_generic)]);
      LIT(p, "\",\"engine\":\"site\"}");
      break;
    case T_EMAIL_OPEN:
      LIT(p, ",\"props\":{\"campaign\":\"");
      p = str(p, email_subjects[(r >> 12) % N_(email_subjects)]);
      LIT(p, "\"}");
      break;
    case T_WEB_REG:
    case T_WEB_ATT:
      LIT(p, ",\"props\":{\"webinar\":\"w-2026-");
      p = dig2(p, 1 + (r >> 12) % 24);
      if (e->type == T_WEB_ATT) {
        LIT(p, "\",\"minutes\":");
        p = u64(p, 5 + (r >> 16) % 56);
        *p++ = '}';
      } else {
        LIT(p, "\"}");
      }
      break;
    case T_DEMO:
      LIT(p, ",\"props\":{\"video\":\"demo-");
      p = str(p, (r >> 12) & 1 ? "overview" : "scoring");
      LIT(p, "\",\"seconds\":");
      p = u64(p, 30 + (r >> 14) % 900);
      *p++ = '}';
      break;
    case T_DOWNLOAD:
      LIT(p, ",\"props\":{\"content_type\":\"");
      p = str(p, content_types[e->extra % N_(content_types)]);
      LIT(p, "\",\"title\":\"");
      p = str(p, content_titles[(r >> 12) % N_(content_titles)]);
      LIT(p, "\"}");
      break;
    case T_DISPOSITION:
    case T_CLOSED:
      LIT(p, ",\"props\":{\"outcome\":\"");
      if (e->extra == O_BOGUS)
        p = str(p, bogus_outcomes[(r >> 12) % N_(bogus_outcomes)]);
      else
        p = str(p, outcome_names[e->extra]);
      *p++ = '"';
      if (e->type == T_CLOSED && e->extra == O_WON) {
        LIT(p, ",\"amount\":");
        p = u64(p, 1000 * (5 + (r >> 12) % 200));
      }
      LIT(p, ",\"owner\":\"isr-");
      p = u64(p, 1 + (r >> 20) % 12);
      LIT(p, "\"}");
      break;
    default:
      break;
  }
  return p;
}

static char *put_event(char *p, const gen *g, const ev *e) {
  pinfo pi;
  person_info(g, e->person, &pi);
  int64_t t = e->t;
  ev alt;
  if (e->flags & F_CONFLICT) { /* same id, different content */
    alt = *e;
    alt.rnd ^= 0x5a5a5a5aU << 4;
    if (e->rnd & 1) t += 1 + (e->rnd >> 4) % 600;
    e = &alt;
  }
  LIT(p, "{\"id\":\"e");
  p = u64(p, e->id);
  LIT(p, "\",\"type\":\"");
  p = str(p, type_names[e->type]);
  LIT(p, "\",\"time\":\"");
  p = put_time(p, t, e->rnd);
  *p++ = '"';
  p = put_identity(p, g, e, &pi);
  p = put_props(p, e);
  if (e->idf & I_ATTRS) p = put_attrs(p, e, &pi);
  *p++ = '}';
  *p++ = '\n';
  return p;
}

/* An invalid line (spec §1, §9): each is rejected, the rest of the file is
 * still processed. */
static char *put_invalid(char *p, gen *g, const ev *like) {
  uint64_t id = g->next_id++;
  unsigned kind = rng_below(&g->r, 9);
  char *start = p;
  switch (kind) {
    case 0: { /* truncated */
      ev e = *like;
      e.id = id;
      e.flags = 0;
      char *end = put_event(p, g, &e);
      size_t n = (size_t)(end - p);
      p += 10 + rng_below(&g->r, (uint32_t)(n - 12));
      while (((unsigned char)*p & 0xc0) == 0x80) p--; /* stay valid UTF-8 */
      break;
    }
    case 1: /* missing time */
      LIT(p, "{\"id\":\"e");
      p = u64(p, id);
      LIT(p, "\",\"type\":\"page_view\",\"anonymous_id\":\"c-0\",\"props\":{\"url\":\"/\"}}");
      break;
    case 2: /* not a real date */
      LIT(p, "{\"id\":\"e");
      p = u64(p, id);
      LIT(p, "\",\"type\":\"page_view\",\"time\":\"2026-02-30T10:00:00Z\",\"anonymous_id\":\"c-0\"}");
      break;
    case 3: /* space instead of T, or second 60 */
      LIT(p, "{\"id\":\"e");
      p = u64(p, id);
      LIT(p, "\",\"type\":\"email_open\",\"time\":\"");
      {
        char *ts = p;
        p = put_time(p, like->t - like->t % 60, 0);
        if (rng_below(&g->r, 2)) ts[10] = ' ';
        else ts[17] = '6', ts[18] = '0';
      }
      LIT(p, "\",\"email\":\"x@y.example\"}");
      break;
    case 4: /* no identity: blank e-mail, lead not a string */
      LIT(p, "{\"id\":\"e");
      p = u64(p, id);
      LIT(p, "\",\"type\":\"page_view\",\"time\":\"");
      p = put_time(p, like->t, like->rnd);
      LIT(p, "\",\"email\":\"  \",\"lead\":7,\"props\":{\"url\":\"/pricing\"}}");
      break;
    case 5: /* not an object */
      p = str(p, rng_below(&g->r, 2) ? "[1,2,3]" : "\"page_view\"");
      break;
    case 6: /* a key twice */
      LIT(p, "{\"id\":\"e");
      p = u64(p, id);
      LIT(p, "\",\"type\":\"page_view\",\"time\":\"");
      p = put_time(p, like->t, like->rnd);
      LIT(p, "\",\"anonymous_id\":\"c-1\",\"props\":{\"url\":\"/\",\"url\":\"/pricing\"}}");
      break;
    case 7: /* empty or non-string id */
      p = str(p, rng_below(&g->r, 2) ? "{\"id\":\"\"" : "{\"id\":42");
      LIT(p, ",\"type\":\"page_view\",\"time\":\"");
      p = put_time(p, like->t, like->rnd);
      LIT(p, "\",\"anonymous_id\":\"c-2\"}");
      break;
    default: /* bad JSON: a trailing comma */
      LIT(p, "{\"id\":\"e");
      p = u64(p, id);
      LIT(p, "\",\"type\":\"page_view\",\"time\":\"");
      p = put_time(p, like->t, like->rnd);
      LIT(p, "\",\"anonymous_id\":\"c-3\",}");
      break;
  }
  if (p == start) *p++ = '{';
  *p++ = '\n';
  return p;
}

/* ------------------------------------------------------------- driver --- */

static void usage(FILE *f) {
  fputs("usage: gen --persons N [--seed S] [--start YYYY-MM-DD] [--days D]\n"
        "           [--window MINUTES] [--out FILE]\n"
        "Writes JSON Lines events (leadscore spec section 1) to stdout or FILE:\n"
        "about 17 events per person, chronological by window and shuffled\n"
        "inside each window; the same arguments give the same bytes.\n",
        f);
}

static int parse_u64(const char *s, uint64_t *out) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || end == s || *end || s[0] == '-') return -1;
  *out = v;
  return 0;
}

int main(int argc, char **argv) {
  uint64_t persons = 0, seed = 1, days = 365, window = 60;
  int have_persons = 0;
  const char *start = "2026-01-01", *outpath = NULL;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      usage(stdout);
      return 0;
    }
    if (!v) {
      usage(stderr);
      return 2;
    }
    i++;
    int bad = 0;
    if (!strcmp(a, "--persons")) bad = parse_u64(v, &persons), have_persons = 1;
    else if (!strcmp(a, "--seed")) bad = parse_u64(v, &seed);
    else if (!strcmp(a, "--days")) bad = parse_u64(v, &days);
    else if (!strcmp(a, "--window")) bad = parse_u64(v, &window);
    else if (!strcmp(a, "--start")) start = v;
    else if (!strcmp(a, "--out") || !strcmp(a, "-o")) outpath = v;
    else {
      fprintf(stderr, "gen: unknown option %s\n", a);
      usage(stderr);
      return 2;
    }
    if (bad) {
      fprintf(stderr, "gen: bad number for %s: %s\n", a, v);
      return 2;
    }
  }
  if (!have_persons || persons == 0 || persons > 100000000 || days == 0 ||
      days > 3650 || window == 0 || window > 1440) {
    usage(stderr);
    return 2;
  }
  int y;
  unsigned m, d;
  char tail;
  if (sscanf(start, "%4d-%2u-%2u%c", &y, &m, &d, &tail) != 3 || y < 1970 ||
      y > 9000 || m < 1 || m > 12 || d < 1 || d > 31)
    die("--start must be YYYY-MM-DD");

  gen g;
  memset(&g, 0, sizeof g);
  g.seed = seed;
  g.persons = (uint32_t)persons;
  g.start = days_from_civil(y, m, d) * 86400;
  g.end = g.start + (int64_t)days * 86400;
  g.win = (int64_t)window * 60;
  g.nwin = (size_t)((g.end - g.start + g.win - 1) / g.win);
  g.nb = g.nwin + 8; /* stream duplicates may land after the last window */
  g.b = calloc(g.nb, sizeof *g.b);
  rng_seed(&g.r, mix64(seed, 0));
  g.next_id = 1;
  g.out.cap = (size_t)8 << 20;
  g.out.buf = malloc(g.out.cap);
  g.out.fd = 1;
  if (!g.b || !g.out.buf) die("out of memory");
  if (outpath) {
    g.out.fd = open(outpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (g.out.fd < 0) {
      perror(outpath);
      return 2;
    }
  }

  /* Persons arrive uniformly over the first 90 % of the period; person i's
   * first event is in window floor(i * arrive_windows / N). */
  size_t arrive_windows = g.nwin - g.nwin / 10;
  if (arrive_windows == 0) arrive_windows = 1;
  uint64_t next_person = 0;
  for (size_t w = 0; w < g.nb; w++) {
    g.cur = w;
    int64_t ws = g.start + (int64_t)w * g.win;
    while (next_person < persons &&
           next_person * arrive_windows / persons == w) {
      rng pr;
      rng_seed(&pr, mix64(seed ^ 0xa77, next_person));
      int64_t t0 = ws + (int64_t)(rng_unit(&pr) * (double)g.win);
      person(&g, (uint32_t)next_person, t0);
      next_person++;
    }
    bucket *b = &g.b[w];
    for (size_t i = b->n; i > 1; i--) { /* shuffle the window */
      size_t j = rng_below(&g.r, (uint32_t)i);
      ev tmp = b->v[i - 1];
      b->v[i - 1] = b->v[j];
      b->v[j] = tmp;
    }
    for (size_t i = 0; i < b->n; i++) {
      ev *e = &b->v[i];
      if (e->id == 0) e->id = g.next_id++;
      char *p = reserve(&g.out);
      g.out.n = (size_t)(put_event(p, &g, e) - g.out.buf);
      g.lines++;
      if (e->flags) continue; /* a duplicate itself */
      double u = rng_unit(&g.r);
      if (u < 0.01) {
        ev c = *e;
        c.flags = F_DUP;
        push_later(&g, w, &c);
        g.dups++;
      } else if (u < 0.012) {
        ev c = *e;
        c.flags = F_CONFLICT;
        push_later(&g, w, &c);
        g.conflicts++;
      } else if (u < 0.0125) {
        p = reserve(&g.out);
        g.out.n = (size_t)(put_invalid(p, &g, e) - g.out.buf);
        g.lines++;
        g.invalid++;
      }
    }
    g.pending -= b->n;
    free(b->v);
    b->v = NULL;
    b->n = b->cap = 0;
  }
  out_flush(&g.out);
  if (g.out.failed) {
    fprintf(stderr, "gen: write: %s\n", strerror(g.out.failed));
    return 1;
  }
  if (outpath && close(g.out.fd) != 0) {
    perror(outpath);
    return 1;
  }
  if (getenv("GEN_STATS"))
    fprintf(stderr,
            "gen: %llu persons, %llu lines (%.2f per person), %llu exact "
            "duplicates, %llu conflicting, %llu invalid, %llu dropped after "
            "the end, peak %zu pending events\n",
            (unsigned long long)persons, (unsigned long long)g.lines,
            (double)g.lines / (double)persons, (unsigned long long)g.dups,
            (unsigned long long)g.conflicts, (unsigned long long)g.invalid,
            (unsigned long long)g.dropped, g.peak_pending);
  free(g.b);
  free(g.out.buf);
  return 0;
}
