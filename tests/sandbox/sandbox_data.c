/* Generated Eploy and Willo data: deterministic from the seed, compact enough for a
 * million applications, with date-ordered indexes so "modified since" reads are cheap. */
#include "sandbox.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

hs_sb_world hs_sb_w = { .lock = PTHREAD_MUTEX_INITIALIZER };

static const hs_sb_workflow workflows[] = {
    { 1, "Standard Recruitment", 6, {
        { 101, "New", 2, { { 1001, "Unreviewed" }, { 1002, "Reviewed" } } },
        { 102, "Screening", 2, { { 1003, "Phone Screen Booked" }, { 1004, "Passed Screening" } } },
        { 103, "Video Interview", 3, { { 1005, "Invite Pending" }, { 1006, "Invited" },
                                       { 1007, "Completed" } } },
        { 104, "Interview", 2, { { 1008, "Interview Booked" }, { 1009, "Interview Attended" } } },
        { 105, "Offers & Placements", 3, { { 1010, "Offer Made" }, { 1011, "Offer Accepted" },
                                           { 1012, "Contract Accepted" } } },
        { 106, "Rejected", 2, { { 1013, "Unsuccessful" }, { 1014, "Withdrawn" } } } } },
    { 2, "Care Recruitment", 6, {
        { 201, "New", 1, { { 2001, "Unreviewed" } } },
        { 202, "Screening", 2, { { 2002, "Awaiting Screening" }, { 2003, "Screened" } } },
        { 203, "Video Interview", 2, { { 2004, "Invited" }, { 2005, "Completed" } } },
        { 204, "DBS Check", 2, { { 2006, "To Be Completed" }, { 2007, "Cleared" } } },
        { 205, "Offers & Placements", 2, { { 2008, "Offer Accepted" },
                                           { 2009, "Final Checks Failed - ID" } } },
        { 206, "Rejected", 2, { { 2010, "Unsuccessful" }, { 2011, "Withdrawn" } } } } },
};

static const struct { int id; const char *name; } vac_statuses[] = {
    { 1, "Open" }, { 2, "Approved" }, { 3, "Closed" }, { 4, "On Hold" }, { 5, "Filled" },
};

int hs_sb_vac_status_id(int i) { return vac_statuses[i].id; }
const char *hs_sb_vac_status_name(int i) { return vac_statuses[i].name; }

static uint64_t rnd(uint64_t a, uint64_t b)
{
    return hs_sb_mix(hs_sb_w.cfg.seed * 0x100000001b3ULL ^ hs_sb_mix(a * 31 + b));
}

static const int stage_weights[] = { 30, 20, 20, 10, 10, 10, 5, 5 };

static int pick_stage(const hs_sb_workflow *wf, uint64_t r)
{
    int total = 1;
    for (int i = 0; i < wf->n_stages; i++)
        total += stage_weights[i];
    int x = (int)(r % (uint64_t)total);
    for (int i = 0; i < wf->n_stages; i++) {
        if (x < stage_weights[i])
            return i;
        x -= stage_weights[i];
    }
    return 0;
}

static int hist_cmp(const void *a, const void *b)
{
    const hs_sb_history *x = a, *y = b;
    if (x->date_ms != y->date_ms)
        return x->date_ms < y->date_ms ? -1 : 1;
    return x->app < y->app ? -1 : x->app > y->app;
}

static int alloc_eploy(void)
{
    const hs_sb_config *c = &hs_sb_w.cfg;
    size_t napp = c->applications ? c->applications : 1;
    hs_sb_w.workflows = workflows;
    hs_sb_w.n_workflows = (int)(sizeof workflows / sizeof workflows[0]);
    hs_sb_w.n_vac = c->vacancies;
    hs_sb_w.n_app = c->applications;
    hs_sb_w.vac = calloc(c->vacancies ? c->vacancies : 1, sizeof *hs_sb_w.vac);
    hs_sb_w.app = calloc(napp, sizeof *hs_sb_w.app);
    hs_sb_w.app_by_date = calloc(napp, sizeof(uint32_t));
    hs_sb_w.cand = calloc(napp, sizeof *hs_sb_w.cand);
    hs_sb_w.cand_by_date = calloc(napp, sizeof(uint32_t));
    hs_sb_w.cap_hist = (size_t)c->applications * 2 + 16;
    hs_sb_w.hist = calloc(hs_sb_w.cap_hist, sizeof *hs_sb_w.hist);
    return hs_sb_w.vac && hs_sb_w.app && hs_sb_w.app_by_date && hs_sb_w.cand &&
                   hs_sb_w.cand_by_date && hs_sb_w.hist ? 0 : -1;
}

static void make_vacancy(uint32_t v, int64_t start)
{
    const int64_t day = 86400000;
    hs_sb_vacancy *vac = &hs_sb_w.vac[v];
    vac->created_ms = start - (int64_t)(rnd(1, v) % (uint64_t)(60 * day));
    vac->modified_ms = vac->created_ms + (int64_t)(rnd(2, v) % (uint64_t)(10 * day));
    vac->title = (uint16_t)(v < hs_sb_n_titles() ? v : rnd(3, v) % hs_sb_n_titles());
    vac->location = (uint16_t)(rnd(4, v) % hs_sb_n_towns());
    vac->workflow = (uint8_t)(v % (uint32_t)hs_sb_w.n_workflows);
    /* Mostly open; a few approved or closed so status filters have something to do. */
    vac->status = (uint8_t)(v % 5 == 3 ? 2 : v % 5 == 4 ? 1 : 0);
}

/* Application i, its candidate, and the history rows of its arrival in New and, when it has
 * moved on, in its current stage. ModificationDate grows with i (one slot each). */
static void make_application(uint32_t i, int64_t start, int64_t slot)
{
    hs_sb_application *a = &hs_sb_w.app[i];
    a->vacancy = (uint16_t)(hs_sb_w.n_vac ? rnd(10, i) % hs_sb_w.n_vac : 0);
    const hs_sb_workflow *wf = hs_sb_vac_workflow(a->vacancy);
    a->stage = (uint8_t)pick_stage(wf, rnd(11, i));
    a->status = (uint8_t)(rnd(12, i) % (uint64_t)wf->stages[a->stage].n_statuses);
    a->modified_ms = start + slot * (int64_t)i + (int64_t)(rnd(13, i) % (uint64_t)slot);
    a->applied_before_s = a->stage ? (uint32_t)(3600 + rnd(14, i) % (14 * 86400)) : 0;
    hs_sb_w.app_by_date[i] = i;
    hs_sb_candidate *cd = &hs_sb_w.cand[i];
    cd->first = (uint16_t)(rnd(20, i) % hs_sb_n_first());
    cd->last = (uint16_t)(rnd(21, i) % hs_sb_n_last());
    cd->town = (uint8_t)(rnd(22, i) % hs_sb_n_towns());
    cd->modified_ms = a->modified_ms;
    hs_sb_w.cand_by_date[i] = i;
    hs_sb_history *h = &hs_sb_w.hist[hs_sb_w.n_hist++];
    h->app = i;
    h->date_ms = a->modified_ms - (int64_t)a->applied_before_s * 1000;
    h->status = a->stage ? 0 : a->status;
    if (a->stage) {
        h = &hs_sb_w.hist[hs_sb_w.n_hist++];
        h->app = i;
        h->date_ms = a->modified_ms;
        h->stage = a->stage;
        h->status = a->status;
    }
}

static int build_eploy(void)
{
    if (alloc_eploy())
        return -1;
    int64_t span = 180 * (int64_t)86400000;
    int64_t start = hs_sb_w.cfg.data_end_ms - span;
    for (uint32_t v = 0; v < hs_sb_w.n_vac; v++)
        make_vacancy(v, start);
    int64_t slot = hs_sb_w.n_app ? span / hs_sb_w.n_app : span;
    if (slot < 1)
        slot = 1;
    for (uint32_t i = 0; i < hs_sb_w.n_app; i++)
        make_application(i, start, slot);
    qsort(hs_sb_w.hist, hs_sb_w.n_hist, sizeof *hs_sb_w.hist, hist_cmp);
    return 0;
}

static void set_interview(hs_sb_interview *iv, size_t i, uint64_t *rng)
{
    static const char *const depts[] = { "Care Homes", "Head Office", "Community Care" };
    hs_sb_hex_key(rng, iv->key);
    snprintf(iv->title, sizeof iv->title, "%s video interview",
             hs_sb_job_title((unsigned)(i < hs_sb_n_titles() ? i : rnd(30, i))));
    size_t d = i % 3;
    snprintf(iv->department, sizeof iv->department, "%08x%024x", (unsigned)(d + 1), 0u);
    snprintf(iv->department_name, sizeof iv->department_name, "%s", depts[d]);
    snprintf(iv->owner_key, sizeof iv->owner_key, "%032x", 0xabcu);
    snprintf(iv->owner_email, sizeof iv->owner_email, "recruiter@example.com");
    snprintf(iv->owner_name, sizeof iv->owner_name, "Robin Recruiter");
    iv->created_ms = hs_sb_w.cfg.data_end_ms - (int64_t)(90 - i % 60) * 86400000;
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static int build_willo(void)
{
    const hs_sb_config *c = &hs_sb_w.cfg;
    hs_sb_w.rng = hs_sb_mix(c->seed ^ 0x77696c6c6fULL);
    hs_sb_w.n_iv = c->interviews;
    hs_sb_w.cap_iv = c->interviews ? c->interviews : 1;
    hs_sb_w.iv = calloc(hs_sb_w.cap_iv, sizeof *hs_sb_w.iv);
    if (!hs_sb_w.iv)
        return -1;
    for (size_t i = 0; i < hs_sb_w.n_iv; i++)
        set_interview(&hs_sb_w.iv[i], i, &hs_sb_w.rng);
    for (uint32_t i = 0; i < c->participants && hs_sb_w.n_iv; i++) {
        hs_sb_participant *p = hs_sb_participant_add();
        if (!p)
            return -1;
        const char *first = hs_sb_first_name((unsigned)rnd(40, i));
        const char *last = hs_sb_last_name((unsigned)rnd(41, i));
        char email[160], phone[32];
        snprintf(email, sizeof email, "%s.%s.w%u@example.com", first, last, i);
        for (char *q = email; *q; q++)
            *q = (char)tolower((unsigned char)*q);
        snprintf(phone, sizeof phone, "+447700900%03u", (unsigned)(rnd(42, i) % 1000));
        snprintf(p->interview, sizeof p->interview, "%s", hs_sb_w.iv[i % hs_sb_w.n_iv].key);
        p->first = dup_or_null(first);
        p->last = dup_or_null(last);
        p->email = dup_or_null(email);
        p->phone = dup_or_null(phone);
        p->stage = dup_or_null("Invited");
        if (!p->first || !p->last || !p->email || !p->phone || !p->stage ||
            hs_sb_participant_index_email(p))
            return -1;
        p->created_ms = c->data_end_ms - (int64_t)(c->participants - i) * 3600000;
        p->updated_ms = p->created_ms;
        if (hs_sb_w.willo_deadline_s > 0)
            p->expires_ms = p->created_ms + hs_sb_w.willo_deadline_s * 1000;
        if (i % 3 == 2) {
            p->status = 2;
            p->completed_ms = p->created_ms + 1800000;
            p->updated_ms = p->completed_ms;
            free(p->stage);
            p->stage = dup_or_null("Responded");
            if (!p->stage)
                return -1;
        }
    }
    return 0;
}

int hs_sb_data_build(void)
{
    memcpy(hs_sb_w.keys, hs_sb_w.cfg.eploy_keys, sizeof hs_sb_w.keys);
    hs_sb_w.n_keys = hs_sb_w.cfg.n_eploy_keys;
    hs_sb_w.willo_auth = hs_sb_w.cfg.willo_auth;
    hs_sb_w.willo_dup = hs_sb_w.cfg.willo_dup;
    hs_sb_w.willo_rate = hs_sb_w.cfg.willo_rate;
    hs_sb_w.willo_deadline_s = hs_sb_w.cfg.willo_deadline_s;
    hs_sb_w.bucket = hs_sb_w.cfg.willo_rate < 1 ? 1 : hs_sb_w.cfg.willo_rate;
    hs_sb_w.bucket_ms = hs_sb_now_ms();
    hs_sb_w.quota_per_day = hs_sb_w.cfg.quota_per_day;
    hs_sb_w.latency_ms = hs_sb_w.cfg.latency_ms;
    hs_sb_w.no_stage_filter = 0;
    hs_sb_w.next_host[0] = '\0';
    hs_sb_w.dl_delay_ms = hs_sb_w.dl_retry_ms = 0;
    hs_sb_w.dl_drop = 0;
    hs_sb_w.dl_retries = 0;
    hs_sb_w.quota_used = 0;
    hs_sb_w.quota_day = 0;
    /* Run-time stamps must sort after generated dates even when --data-end is in the future. */
    if (hs_sb_w.last_stamp_ms < hs_sb_w.cfg.data_end_ms)
        hs_sb_w.last_stamp_ms = hs_sb_w.cfg.data_end_ms;
    if (build_eploy() || build_willo()) {
        hs_sb_data_free();
        return -1;
    }
    /* Generated keys follow the seed; keys made later (invitations, webhooks) differ on every
     * run and after every reset, so nothing mistakes a new participant for an old one. */
    hs_sb_w.rng ^= hs_sb_random_u64();
    return 0;
}

void hs_sb_participant_free(hs_sb_participant *p)
{
    free(p->first);
    free(p->last);
    free(p->email);
    free(p->phone);
    free(p->stage);
}

void hs_sb_webhook_free(hs_sb_webhook *w)
{
    free(w->target_url);
    free(w->trigger);
}

void hs_sb_data_free(void)
{
    free(hs_sb_w.vac);
    free(hs_sb_w.app);
    free(hs_sb_w.app_by_date);
    free(hs_sb_w.cand);
    free(hs_sb_w.cand_by_date);
    free(hs_sb_w.hist);
    for (hs_sb_cand_override *o = hs_sb_w.overrides, *next; o; o = next) {
        next = o->next;
        free(o->email);
        free(o->first);
        free(o->last);
        free(o->phone);
        free(o->mobile);
        free(o);
    }
    for (size_t i = 0; i < hs_sb_w.n_act; i++)
        free(hs_sb_w.act[i].text);
    free(hs_sb_w.act);
    hs_sb_eploy_workflow_free();
    free(hs_sb_w.tok);
    free(hs_sb_w.iv);
    for (size_t i = 0; i < hs_sb_w.n_pt; i++)
        hs_sb_participant_free(&hs_sb_w.pt[i]);
    free(hs_sb_w.pt);
    hs_sb_index_free(&hs_sb_w.pt_by_key);
    hs_sb_index_free(&hs_sb_w.pt_by_email);
    for (size_t i = 0; i < hs_sb_w.n_wh; i++)
        hs_sb_webhook_free(&hs_sb_w.wh[i]);
    free(hs_sb_w.wh);
    hs_sb_deliveries_free();
    for (size_t i = 0; i < hs_sb_w.n_inbox; i++) {
        free(hs_sb_w.inbox[i].path);
        free(hs_sb_w.inbox[i].body);
    }
    free(hs_sb_w.inbox);
    hs_sb_w.inbox = NULL;
    hs_sb_w.n_inbox = hs_sb_w.cap_inbox = 0;
    hs_sb_w.vac = NULL;
    hs_sb_w.app = NULL;
    hs_sb_w.app_by_date = hs_sb_w.cand_by_date = NULL;
    hs_sb_w.cand = NULL;
    hs_sb_w.hist = NULL;
    hs_sb_w.overrides = NULL;
    hs_sb_w.act = NULL;
    hs_sb_w.tok = NULL;
    hs_sb_w.iv = NULL;
    hs_sb_w.pt = NULL;
    hs_sb_w.wh = NULL;
    hs_sb_w.n_vac = hs_sb_w.n_app = 0;
    hs_sb_w.n_hist = hs_sb_w.cap_hist = hs_sb_w.n_act = hs_sb_w.cap_act = 0;
    hs_sb_w.n_tok = hs_sb_w.cap_tok = hs_sb_w.n_iv = hs_sb_w.n_pt = hs_sb_w.cap_pt = 0;
    hs_sb_w.cap_iv = 0;
    hs_sb_w.n_wh = hs_sb_w.cap_wh = 0;
}

hs_sb_participant *hs_sb_participant_add(void)
{
    if (hs_sb_w.n_pt == hs_sb_w.cap_pt) {
        size_t cap = hs_sb_w.cap_pt ? hs_sb_w.cap_pt * 2 : 64;
        hs_sb_participant *n = realloc(hs_sb_w.pt, cap * sizeof *n);
        if (!n)
            return NULL;
        hs_sb_w.pt = n;
        hs_sb_w.cap_pt = cap;
    }
    hs_sb_participant *p = &hs_sb_w.pt[hs_sb_w.n_pt];
    memset(p, 0, sizeof *p);
    hs_sb_hex_key(&hs_sb_w.rng, p->key);
    if (hs_sb_index_add(&hs_sb_w.pt_by_key, hs_sb_hash(p->key, 0), (uint32_t)hs_sb_w.n_pt))
        return NULL;
    hs_sb_w.n_pt++;
    return p;
}

int64_t hs_sb_app_index(int64_t id)
{
    int64_t i = id - HS_SB_APP_BASE;
    return i >= 0 && i < (int64_t)hs_sb_w.n_app ? i : -1;
}

int64_t hs_sb_cand_index(int64_t id)
{
    int64_t i = id - HS_SB_CAND_BASE;
    return i >= 0 && i < (int64_t)hs_sb_w.n_app ? i : -1;
}

int64_t hs_sb_vac_index(int64_t id)
{
    int64_t i = id - HS_SB_VAC_BASE;
    return i >= 0 && i < (int64_t)hs_sb_w.n_vac ? i : -1;
}

const hs_sb_workflow *hs_sb_vac_workflow(uint32_t v)
{
    if (v >= hs_sb_w.n_vac)
        return &workflows[0];
    return &workflows[hs_sb_w.vac[v].workflow];
}

static int name_or_id(const char *want, const char *name, int id)
{
    char idbuf[24];
    snprintf(idbuf, sizeof idbuf, "%d", id);
    return strcasecmp(want, name) == 0 || strcmp(want, idbuf) == 0;
}

int hs_sb_hist_append(uint32_t a, int64_t when)
{
    if (hs_sb_w.n_hist == hs_sb_w.cap_hist) {
        size_t cap = hs_sb_w.cap_hist ? hs_sb_w.cap_hist * 2 : 64;
        hs_sb_history *n = realloc(hs_sb_w.hist, cap * sizeof *n);
        if (!n)
            return -1;
        hs_sb_w.hist = n;
        hs_sb_w.cap_hist = cap;
    }
    hs_sb_history *h = &hs_sb_w.hist[hs_sb_w.n_hist++];
    h->app = a;
    h->date_ms = when;
    h->stage = hs_sb_w.app[a].stage;
    h->status = hs_sb_w.app[a].status;
    return 0;
}

/* Moves element idx of a date-ordered index to its end. The old position is found by binary
 * search on the date, so a move costs one memmove rather than a rebuild. */
static void index_to_end(uint32_t *index, uint32_t n, uint32_t idx, int64_t old_ms,
                         int64_t (*date_of)(uint32_t))
{
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (date_of(index[mid]) < old_ms)
            lo = mid + 1;
        else
            hi = mid;
    }
    while (lo < n && index[lo] != idx)
        lo++;
    if (lo >= n)
        return;
    memmove(&index[lo], &index[lo + 1], (size_t)(n - lo - 1) * sizeof *index);
    index[n - 1] = idx;
}

static int64_t app_date(uint32_t i) { return hs_sb_w.app[i].modified_ms; }
static int64_t cand_date(uint32_t i) { return hs_sb_w.cand[i].modified_ms; }

int hs_sb_app_move(uint32_t a, const char *stage, const char *status, char *err, size_t esz)
{
    hs_sb_application *app = &hs_sb_w.app[a];
    const hs_sb_workflow *wf = hs_sb_vac_workflow(app->vacancy);
    int si = -1, ti = 0;
    for (int i = 0; i < wf->n_stages && si < 0; i++)
        if (name_or_id(stage, wf->stages[i].name, wf->stages[i].id))
            si = i;
    if (si < 0) {
        snprintf(err, esz, "workflow %d has no stage \"%s\"", wf->id, stage);
        return -1;
    }
    if (status) {
        ti = -1;
        for (int i = 0; i < wf->stages[si].n_statuses && ti < 0; i++)
            if (name_or_id(status, wf->stages[si].statuses[i].name,
                           wf->stages[si].statuses[i].id))
                ti = i;
        if (ti < 0) {
            snprintf(err, esz, "stage \"%s\" has no status \"%s\"", wf->stages[si].name, status);
            return -1;
        }
    }
    int64_t old = app->modified_ms;
    int64_t now = hs_sb_stamp_ms();
    /* The application date stays where it was. */
    uint64_t applied = (uint64_t)(old - (int64_t)app->applied_before_s * 1000);
    app->stage = (uint8_t)si;
    app->status = (uint8_t)ti;
    app->modified_ms = now;
    uint64_t before_s = ((uint64_t)now - applied) / 1000;
    app->applied_before_s = before_s > UINT32_MAX ? UINT32_MAX : (uint32_t)before_s;
    index_to_end(hs_sb_w.app_by_date, hs_sb_w.n_app, a, old, app_date);
    if (hs_sb_hist_append(a, now)) {
        snprintf(err, esz, "out of memory");
        return -1;
    }
    return 0;
}

void hs_sb_cand_touch(uint32_t c)
{
    int64_t old = hs_sb_w.cand[c].modified_ms;
    hs_sb_w.cand[c].modified_ms = hs_sb_stamp_ms();
    index_to_end(hs_sb_w.cand_by_date, hs_sb_w.n_app, c, old, cand_date);
}

hs_sb_cand_override *hs_sb_cand_override_get(uint32_t c, int create)
{
    if (hs_sb_w.cand[c].flags & HS_SB_CAND_OVERRIDE)
        for (hs_sb_cand_override *o = hs_sb_w.overrides; o; o = o->next)
            if (o->cand == c)
                return o;
    if (!create)
        return NULL;
    hs_sb_cand_override *o = calloc(1, sizeof *o);
    if (!o)
        return NULL;
    o->cand = c;
    o->next = hs_sb_w.overrides;
    hs_sb_w.overrides = o;
    hs_sb_w.cand[c].flags |= HS_SB_CAND_OVERRIDE;
    return o;
}

const char *hs_sb_cand_first(uint32_t c)
{
    hs_sb_cand_override *o = hs_sb_cand_override_get(c, 0);
    return o && o->first ? o->first : hs_sb_first_name(hs_sb_w.cand[c].first);
}

const char *hs_sb_cand_last(uint32_t c)
{
    hs_sb_cand_override *o = hs_sb_cand_override_get(c, 0);
    return o && o->last ? o->last : hs_sb_last_name(hs_sb_w.cand[c].last);
}

const char *hs_sb_cand_email(uint32_t c, char *buf, size_t size)
{
    if (hs_sb_w.cand[c].flags & HS_SB_CAND_NO_EMAIL)
        return NULL;
    hs_sb_cand_override *o = hs_sb_cand_override_get(c, 0);
    if (o && o->email)
        return o->email;
    /* The id keeps generated addresses unique per candidate. */
    snprintf(buf, size, "%s.%s.%u@example.com", hs_sb_first_name(hs_sb_w.cand[c].first),
             hs_sb_last_name(hs_sb_w.cand[c].last), (unsigned)(c + HS_SB_CAND_BASE));
    for (char *p = buf; *p; p++) {
        *p = (char)tolower((unsigned char)*p);
        if (*p == '\'')
            *p = '-';
    }
    return buf;
}

const char *hs_sb_cand_mobile(uint32_t c, char *buf, size_t size)
{
    if (hs_sb_w.cand[c].flags & HS_SB_CAND_NO_MOBILE)
        return NULL;
    hs_sb_cand_override *o = hs_sb_cand_override_get(c, 0);
    if (o && o->mobile)
        return o->mobile;
    /* Ofcom's drama range: valid E.164, never a real subscriber. */
    snprintf(buf, size, "+447700900%03u", (unsigned)(rnd(23, c) % 1000));
    return buf;
}

const char *hs_sb_cand_phone(uint32_t c, char *buf, size_t size)
{
    if (hs_sb_w.cand[c].flags & HS_SB_CAND_NO_PHONE)
        return NULL;
    hs_sb_cand_override *o = hs_sb_cand_override_get(c, 0);
    if (o && o->phone)
        return o->phone;
    snprintf(buf, size, "+441632960%03u", (unsigned)(rnd(24, c) % 1000));
    return buf;
}
