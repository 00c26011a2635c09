/* In-process fake ATS and interview connectors (see fake_world.h). */
#define _DEFAULT_SOURCE

#include "fake_world.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

fake_world *fake_shared;

/* memmove, not snprintf: callers copy between fields of the one global world, which gcc
 * cannot prove disjoint (and -Werror=restrict refuses). */
static void cpy(char *dst, size_t size, const char *src)
{
    size_t n;

    if (size == 0)
        return;
    if (src == NULL)
        src = "";
    n = strnlen(src, size - 1);
    memmove(dst, src, n);
    dst[n] = '\0';
}

void fake_reset(void)
{
    if (fake_shared == NULL) {
        void *m = mmap(NULL, sizeof(fake_world), PROT_READ | PROT_WRITE,
                       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED)
            abort();
        fake_shared = m;
    }
    memset(&fake, 0, sizeof fake);
    fake.n_interviews = 1;
    cpy(fake.interviews[0], sizeof fake.interviews[0], "iv1");
}

static void stamp(fake_event *e)
{
    /* later than any baseline a test takes with the real clock: year 2100 + seq */
    e->seq = ++fake.seq;
    snprintf(e->changed_at, sizeof e->changed_at, "2100-01-01T00:%02d:%02dZ", e->seq / 60,
             e->seq % 60);
}

static fake_position *position(const char *app)
{
    for (int i = 0; i < fake.n_positions; i++)
        if (strcmp(fake.positions[i].app, app) == 0)
            return &fake.positions[i];
    return NULL;
}

const fake_position *fake_position_of(const char *app)
{
    return position(app);
}

static void set_position(const char *app, const char *job, const char *stage_id,
                         const char *stage_name, const char *status_id)
{
    fake_position *p = position(app);
    if (p == NULL) {
        p = &fake.positions[fake.n_positions++];
        cpy(p->app, sizeof p->app, app);
    }
    cpy(p->job, sizeof p->job, job);
    cpy(p->stage_id, sizeof p->stage_id, stage_id);
    cpy(p->stage_name, sizeof p->stage_name, stage_name);
    cpy(p->status_id, sizeof p->status_id, status_id);
}

void fake_move(const char *app, const char *job, const char *person, const char *email,
               const char *stage_id, const char *stage_name, const char *status_id)
{
    fake_event *e = &fake.ats_log[fake.n_ats++];
    memset(e, 0, sizeof *e);
    stamp(e);
    cpy(e->record, sizeof e->record, app);
    cpy(e->job, sizeof e->job, job);
    cpy(e->person_id, sizeof e->person_id, person);
    cpy(e->first, sizeof e->first, "Ann");
    cpy(e->last, sizeof e->last, person);
    cpy(e->email, sizeof e->email, email);
    cpy(e->stage_id, sizeof e->stage_id, stage_id);
    cpy(e->stage_name, sizeof e->stage_name, stage_name);
    cpy(e->status_id, sizeof e->status_id, status_id);
    e->kind = HS_CHANGE_STAGE;
    set_position(app, job, stage_id, stage_name, status_id);
}

static fake_write *invitation_of(const char *participant)
{
    for (int i = 0; i < fake.n_invitations; i++)
        if (strcmp(fake.invitations[i].remote_id, participant) == 0)
            return &fake.invitations[i];
    return NULL;
}

void fake_life(const char *participant, uint32_t kind)
{
    fake_write *w = invitation_of(participant);
    fake_event *e;
    if (w == NULL)
        return;
    e = &fake.iv_log[fake.n_iv++];
    memset(e, 0, sizeof *e);
    stamp(e);
    cpy(e->record, sizeof e->record, participant);
    cpy(e->job, sizeof e->job, w->target);
    cpy(e->email, sizeof e->email, w->email);
    e->kind = kind;
    if (kind == HS_CHANGE_EXPIRED || kind == HS_CHANGE_DECLINED)
        w->expired = 1;
}

void fake_complete_with(const char *participant, int n_answers, const char *score)
{
    fake_complete(participant);
    if (fake.n_iv == 0 || strcmp(fake.iv_log[fake.n_iv - 1].record, participant) != 0)
        return;
    fake.iv_log[fake.n_iv - 1].n_answers = n_answers;
    cpy(fake.iv_log[fake.n_iv - 1].score, sizeof fake.iv_log[0].score, score);
}

void fake_complete(const char *participant)
{
    for (int i = 0; i < fake.n_invitations; i++) {
        fake_write *w = &fake.invitations[i];
        fake_event *e;
        if (strcmp(w->remote_id, participant) != 0)
            continue;
        e = &fake.iv_log[fake.n_iv++];
        memset(e, 0, sizeof *e);
        stamp(e);
        cpy(e->record, sizeof e->record, participant);
        cpy(e->job, sizeof e->job, w->target);
        e->kind = HS_CHANGE_COMPLETED;
        cpy(e->email, sizeof e->email, w->email);
        snprintf(e->link, sizeof e->link, "https://interviews.example/r/%s", participant);
        return;
    }
}

void fake_foreign_completion(const char *interview, const char *participant)
{
    fake_event *e = &fake.iv_log[fake.n_iv++];
    memset(e, 0, sizeof *e);
    stamp(e);
    cpy(e->record, sizeof e->record, participant);
    cpy(e->job, sizeof e->job, interview);
    e->kind = HS_CHANGE_COMPLETED;
    snprintf(e->link, sizeof e->link, "https://interviews.example/r/%s", participant);
}

int fake_invites_for(const char *email)
{
    int n = 0;
    for (int i = 0; i < fake.n_invitations; i++)
        n += strcmp(fake.invitations[i].email, email) == 0;
    return n;
}

int fake_moves_for(const char *app)
{
    int n = 0;
    for (int i = 0; i < fake.n_moves; i++)
        n += strcmp(fake.moves[i].target, app) == 0;
    return n;
}

int fake_notes_for(const char *app, const char *key_prefix)
{
    int n = 0;
    for (int i = 0; i < fake.n_notes; i++)
        n += strcmp(fake.notes[i].target, app) == 0 &&
             strncmp(fake.notes[i].key, key_prefix, strlen(key_prefix)) == 0;
    return n;
}

/* ---- shared ---------------------------------------------------------------------------- */

static hs_status f_open(const hs_host_api *api, hs_host *host, const char *cfg, hs_conn **out,
                        hs_error *err)
{
    (void)api;
    (void)host;
    (void)cfg;
    (void)err;
    *out = (hs_conn *)&fake;
    return HS_OK;
}

static void f_close(hs_conn *c)
{
    (void)c;
}

static int cursor_seq(const char *cursor)
{
    const char *p = cursor ? strstr(cursor, "\"seq\":") : NULL;
    return p ? atoi(p + 6) : 0;
}

static int wanted(const hs_read_request *rq, const char *job)
{
    if (rq->job_ids == NULL)
        return 1;
    for (size_t i = 0; i < rq->n_job_ids; i++)
        if (strcmp(rq->job_ids[i], job) == 0)
            return 1;
    return 0;
}

/* A record of `size` bytes (0: natural) in buf: truncated when smaller, padded with junk a
 * reader must not take for fields when larger. */
static void sized(void *buf, size_t natural, uint32_t size)
{
    uint32_t n = size ? size : (uint32_t)natural;
    if (n > natural)
        memset((char *)buf + natural, 0xa5, n - natural);
    memcpy(buf, &n, sizeof n);
}

static hs_status emit_event(const hs_emitter *em, const fake_event *e, int snapshot)
{
    union {
        hs_stage_change ch;
        unsigned char bytes[sizeof(hs_stage_change) + FAKE_PAD];
    } cb;
    union {
        hs_person p;
        unsigned char bytes[sizeof(hs_person) + FAKE_PAD];
    } pb;
    hs_ref stage = {sizeof stage, e->stage_id, e->stage_name};
    hs_ref status = {sizeof status, e->status_id, NULL};
    hs_stage_change *ch = &cb.ch;
    static char questions[8][32], links[8][128], scores[8][16];
    unsigned char answers[8][sizeof(hs_answer) + FAKE_PAD];
    size_t asize = fake.answer_size ? fake.answer_size : sizeof(hs_answer);
    int n_answers = e->n_answers < 8 ? e->n_answers : 8;
    memset(answers, 0, sizeof answers);
    for (int i = 0; i < n_answers; i++) {
        hs_answer a;
        memset(&a, 0, sizeof a);
        a.struct_size = (uint32_t)asize;
        snprintf(questions[i], sizeof questions[i], "Q%d", i + 1);
        snprintf(links[i], sizeof links[i], "https://interviews.example/a/%s/%d", e->record,
                 i + 1);
        snprintf(scores[i], sizeof scores[i], "%d", i + 3);
        a.question = questions[i];
        a.link = links[i];
        a.score = e->score[0] ? scores[i] : NULL;
        if (asize > sizeof a)
            memset((unsigned char *)answers + i * asize + sizeof a, 0xa5, asize - sizeof a);
        memcpy((unsigned char *)answers + i * asize, &a, asize < sizeof a ? asize : sizeof a);
    }
    memset(cb.bytes, 0, sizeof cb.bytes);
    memset(pb.bytes, 0, sizeof pb.bytes);
    ch->kind = e->kind;
    ch->key = e->changed_at;
    ch->record_id = e->record;
    ch->job_id = e->job;
    ch->stage = e->kind == HS_CHANGE_STAGE ? &stage : NULL;
    ch->status = e->status_id[0] ? &status : NULL;
    ch->changed_at = e->changed_at;
    pb.p.id = e->person_id[0] ? e->person_id : NULL;
    pb.p.first_name = e->first[0] ? e->first : NULL;
    pb.p.last_name = e->last[0] ? e->last : NULL;
    pb.p.email = e->email[0] ? e->email : NULL;
    ch->person = pb.p.id || pb.p.email ? &pb.p : NULL;
    ch->link = e->link[0] ? e->link : NULL;
    ch->snapshot = snapshot;
    ch->answers = n_answers ? (const hs_answer *)(const void *)answers : NULL;
    ch->n_answers = (size_t)n_answers;
    ch->answer_size = asize;
    ch->score = e->score[0] ? e->score : NULL;
    sized(&cb, sizeof cb.ch, fake.change_size);
    sized(&pb, sizeof pb.p, fake.person_size);
    return em->change(em->ctx, ch);
}

/* After the barrier-th barrier of an ATS read (fake.progress_total). */
static hs_status report_progress(const hs_emitter *em, int barrier)
{
    hs_progress p;
    if (fake.progress_total == 0 || !HS_HAS_FIELD(hs_emitter, em->struct_size, progress) ||
        em->progress == NULL)
        return HS_OK;
    memset(&p, 0, sizeof p);
    p.struct_size = sizeof p;
    p.pages_done = barrier;
    p.pages_total = fake.progress_total;
    return em->progress(em->ctx, &p);
}

static hs_status read_log(const fake_event *log, int n, const hs_read_request *rq,
                          const hs_emitter *em, hs_error *err, int is_ats)
{
    char cur[64];
    int from = cursor_seq(rq->cursor_json), emitted = 0, last = from, start = from - fake.overlap;
    hs_status st;
    if (rq->snapshot) {
        /* the latest event of each record */
        for (int i = 0; i < n; i++) {
            int newer = 0;
            for (int k = i + 1; k < n; k++)
                newer |= strcmp(log[k].record, log[i].record) == 0;
            if (newer || !wanted(rq, log[i].job))
                continue;
            if ((st = emit_event(em, &log[i], 1)) != HS_OK)
                return st;
        }
        snprintf(cur, sizeof cur, "{\"seq\":%d}", fake.seq);
        return em->checkpoint(em->ctx, cur);
    }
    for (int i = 0; i < n; i++) {
        if (log[i].seq <= start || !wanted(rq, log[i].job))
            continue;
        if (is_ats && fake.fail_read_status != HS_OK && emitted == fake.fail_read_after) {
            hs_status f = fake.fail_read_status;
            fake.fail_read_status = HS_OK;
            snprintf(err->message, err->message_size, "fake read failure");
            return f;
        }
        if ((st = emit_event(em, &log[i], 0)) != HS_OK)
            return st;
        emitted++;
        if (log[i].seq > last)
            last = log[i].seq;
        /* a barrier after every second record, to exercise partial commits */
        if (emitted % 2 == 0) {
            snprintf(cur, sizeof cur, "{\"seq\":%d}", last);
            if ((st = em->checkpoint(em->ctx, cur)) != HS_OK)
                return st;
            if (is_ats && (st = report_progress(em, emitted / 2)) != HS_OK)
                return st;
        }
    }
    if (is_ats && fake.fail_read_status != HS_OK) {
        hs_status f = fake.fail_read_status;
        fake.fail_read_status = HS_OK;
        snprintf(err->message, err->message_size, "fake read failure");
        return f;
    }
    snprintf(cur, sizeof cur, "{\"seq\":%d}", last > from ? last : (from ? from : fake.seq));
    if (is_ats && fake.empty_cursor)
        cur[0] = '\0';
    return em->checkpoint(em->ctx, cur);
}

/* ---- ATS --------------------------------------------------------------------------------- */

static hs_status ats_discover(hs_conn *c, const hs_emitter *em, hs_error *err)
{
    static const hs_ref statuses[] = {{sizeof(hs_ref), "s1", "Invite sent"},
                                      {sizeof(hs_ref), "s2", "Awaiting"}};
    static const hs_stage stages[] = {
        {sizeof(hs_stage), "10", "Applied", NULL, 0, sizeof(hs_ref)},
        {sizeof(hs_stage), "20", "Video Interview", statuses, 2, sizeof(hs_ref)},
        {sizeof(hs_stage), "30", "Offer", NULL, 0, sizeof(hs_ref)}};
    static const char *const ids[] = {"100", "200"};
    (void)c;
    (void)err;
    fake.ats_discover_calls++;
    for (size_t i = 0; i < 2; i++) {
        hs_job j;
        hs_status st;
        memset(&j, 0, sizeof j);
        j.struct_size = fake.job_size ? fake.job_size : (uint32_t)sizeof j;
        j.id = ids[i];
        j.title = i == 0 ? "Engineer" : "Designer";
        j.stages = stages;
        j.n_stages = 3;
        j.stage_size = sizeof(hs_stage);
        if ((st = em->job(em->ctx, &j)) != HS_OK)
            return st;
    }
    return HS_OK;
}

static hs_status ats_read(hs_conn *c, const hs_read_request *rq, const hs_emitter *em,
                          hs_error *err)
{
    (void)c;
    return read_log(fake.ats_log, fake.n_ats, rq, em, err, 1);
}

static int in_from(const fake_position *p, const hs_stage *from, size_t n_from, size_t size);

static hs_status ats_note(hs_conn *c, const hs_note *n, hs_write_result *res, hs_error *err)
{
    const fake_position *p;
    fake_write *w;
    (void)c;
    fake.note_calls++;
    if (fake.fail_note_status != HS_OK) {
        hs_status st = fake.fail_note_status;
        fake.fail_note_status = HS_OK;
        snprintf(err->message, err->message_size, "fake note failure");
        return st;
    }
    for (int i = 0; i < fake.n_notes; i++)
        if (strcmp(fake.notes[i].key, n->key) == 0) {
            res->applied = 0;
            res->outcome_withheld = fake.notes[i].withheld;
            cpy(res->remote_id, res->remote_id_size, fake.notes[i].remote_id);
            return HS_OK;
        }
    w = &fake.notes[fake.n_notes++];
    cpy(w->key, sizeof w->key, n->key);
    cpy(w->target, sizeof w->target, n->record_id);
    snprintf(w->remote_id, sizeof w->remote_id, "n%d", fake.n_notes);
    cpy(w->title, sizeof w->title, n->title);
    cpy(w->body, sizeof w->body, n->body);
    cpy(w->link, sizeof w->link, n->link);
    cpy(w->outcome, sizeof w->outcome, n->outcome);
    /* a guarded outcome only where the application is in one of outcome_from (rule 10) */
    p = position(n->record_id);
    if (n->outcome != NULL && n->outcome_from != NULL &&
        (p == NULL || !in_from(p, n->outcome_from, n->n_outcome_from, n->outcome_from_size))) {
        w->outcome[0] = '\0';
        w->withheld = 1;
    }
    res->outcome_withheld = w->withheld;
    w->final = n->final;
    res->applied = 1;
    cpy(res->remote_id, res->remote_id_size, w->remote_id);
    return HS_OK;
}

static int same_ref(const char *want, const char *id, const char *name)
{
    return want != NULL && *want && (strcmp(want, id) == 0 || strcmp(want, name) == 0);
}

/* 1 when the position is one of from (a stage, and one of its statuses if listed). */
static int in_from(const fake_position *p, const hs_stage *from, size_t n_from, size_t size)
{
    for (size_t i = 0; i < n_from; i++) {
        const hs_stage *st = HS_ELEMENT(hs_stage, from, size, i);
        int status_ok = st->n_statuses == 0;
        if (!same_ref(st->id, p->stage_id, p->stage_name) &&
            !same_ref(st->name, p->stage_id, p->stage_name))
            continue;
        for (size_t k = 0; k < st->n_statuses && !status_ok; k++)
            status_ok = same_ref(st->statuses[k].id, p->status_id, "");
        if (status_ok)
            return 1;
    }
    return 0;
}

static hs_status ats_move(hs_conn *c, const hs_move *m, hs_write_result *res, hs_error *err)
{
    fake_position *p = position(m->record_id);
    fake_write *w;
    const char *to_id = m->to_stage->id ? m->to_stage->id : m->to_stage->name;
    (void)c;
    fake.move_calls++;
    if (fake.fail_move_status != HS_OK) {
        hs_status st = fake.fail_move_status;
        fake.fail_move_status = HS_OK;
        snprintf(err->message, err->message_size, "fake move failure");
        return st;
    }
    cpy(res->remote_id, res->remote_id_size, m->record_id);
    for (int i = 0; i < fake.n_moves; i++)
        if (strcmp(fake.moves[i].key, m->key) == 0) {
            res->applied = 0;
            return HS_OK;
        }
    if (p == NULL) {
        snprintf(err->message, err->message_size, "application %s not found", m->record_id);
        return HS_E_DATA;
    }
    if (same_ref(to_id, p->stage_id, p->stage_name)) {
        res->applied = 0;
        return HS_OK;
    }
    if (!in_from(p, m->from, m->n_from, m->from_size)) {
        snprintf(err->message, err->message_size, "application %s is in \"%s\", not in a stage "
                 "it may be moved from; hiresync leaves it there", p->app, p->stage_name);
        return HS_E_CONFLICT;
    }
    w = &fake.moves[fake.n_moves++];
    cpy(w->key, sizeof w->key, m->key);
    cpy(w->target, sizeof w->target, m->record_id);
    cpy(w->title, sizeof w->title, to_id);
    fake_move(p->app, p->job, "mover", "", to_id,
              m->to_stage->name ? m->to_stage->name : to_id,
              m->to_status ? m->to_status->id : NULL);
    res->applied = 1;
    return HS_OK;
}

const hs_connector fake_ats_connector = {
    sizeof(hs_connector), HS_ABI_VERSION, "fake_ats", "1.0.0",
    HS_CAP_DISCOVER_JOBS | HS_CAP_READ_CHANGES | HS_CAP_WRITE_NOTE | HS_CAP_MOVE_RECORD,
    f_open, f_close, NULL, ats_discover, ats_read, NULL, ats_note, NULL, NULL, ats_move, NULL};

const hs_connector fake_ats_nomove_connector = {
    sizeof(hs_connector), HS_ABI_VERSION, "fake_ats", "1.0.0",
    HS_CAP_DISCOVER_JOBS | HS_CAP_READ_CHANGES | HS_CAP_WRITE_NOTE,
    f_open, f_close, NULL, ats_discover, ats_read, NULL, ats_note, NULL, NULL, NULL, NULL};

/* ---- interviews ---------------------------------------------------------------------------- */

static hs_status iv_discover(hs_conn *c, const hs_emitter *em, hs_error *err)
{
    (void)c;
    (void)err;
    for (int i = 0; i < fake.n_interviews; i++) {
        hs_job j;
        hs_status st;
        memset(&j, 0, sizeof j);
        j.struct_size = sizeof j;
        j.id = fake.interviews[i];
        j.title = "Screening interview";
        if ((st = em->job(em->ctx, &j)) != HS_OK)
            return st;
    }
    return HS_OK;
}

static hs_status iv_read(hs_conn *c, const hs_read_request *rq, const hs_emitter *em,
                         hs_error *err)
{
    (void)c;
    return read_log(fake.iv_log, fake.n_iv, rq, em, err, 0);
}

static hs_status iv_invite(hs_conn *c, const hs_invitation *inv, hs_write_result *res,
                           hs_error *err)
{
    fake_write *w;
    (void)c;
    fake.invite_calls++;
    if (fake.fail_invite_status != HS_OK) {
        hs_status st = fake.fail_invite_status;
        fake.fail_invite_status = HS_OK;
        err->http_status = fake.fail_invite_http;
        snprintf(err->message, err->message_size, "fake invitation failure");
        return st;
    }
    if (inv->person->email && strncmp(inv->person->email, "bad", 3) == 0) {
        err->http_status = 400;
        snprintf(err->message, err->message_size, "email is not valid");
        return HS_E_DATA;
    }
    /* the latest invitation of the email wins, as the platform shows it */
    for (int i = fake.n_invitations - 1; i >= 0; i--) {
        const fake_write *o = &fake.invitations[i];
        int same_person = strcmp(o->target, inv->interview_id) == 0 &&
                          strcmp(o->email, inv->person->email) == 0;
        if (strcmp(o->key, inv->key) != 0 && !same_person)
            continue;
        if (strcmp(o->key, inv->key) != 0 && o->expired)
            break; /* expired or declined: a new participant */
        if (inv->previous_id && strcmp(o->remote_id, inv->previous_id) == 0) {
            snprintf(err->message, err->message_size, "the platform still holds the earlier "
                     "invitation %s for this email and interview", inv->previous_id);
            return HS_E_DATA;
        }
        res->applied = 0;
        cpy(res->remote_id, res->remote_id_size, o->remote_id);
        return HS_OK;
    }
    w = &fake.invitations[fake.n_invitations++];
    cpy(w->key, sizeof w->key, inv->key);
    cpy(w->target, sizeof w->target, inv->interview_id);
    cpy(w->email, sizeof w->email, inv->person->email);
    cpy(w->previous, sizeof w->previous, inv->previous_id);
    snprintf(w->remote_id, sizeof w->remote_id, "p%d", fake.n_invitations);
    res->applied = 1;
    cpy(res->remote_id, res->remote_id_size, w->remote_id);
    return HS_OK;
}

const hs_connector fake_iv_connector = {
    sizeof(hs_connector), HS_ABI_VERSION, "fake_iv", "1.0.0",
    HS_CAP_DISCOVER_JOBS | HS_CAP_READ_CHANGES | HS_CAP_WRITE_INVITATION,
    f_open, f_close, NULL, iv_discover, iv_read, iv_invite, NULL, NULL, NULL, NULL, NULL};
