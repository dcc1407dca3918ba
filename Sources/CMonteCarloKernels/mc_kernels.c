/* See include/mc_kernels.h. Built with -ffp-contract=off and explicit FMAs, so that every ISA (x86-64,
 * -v3, -v4) rounds the same operations the same way. */
#include "mc_kernels.h"
#include <math.h>
#include <string.h>

typedef double v8d __attribute__((vector_size(64)));
typedef uint64_t v8u __attribute__((vector_size(64)));
typedef int64_t v8i __attribute__((vector_size(64)));   /* comparison results: all ones or zero per lane */

#define ONE_BITS 0x3FF0000000000000ULL

static inline v8d load8(const double *p) { v8d x; memcpy(&x, p, sizeof x); return x; }
static inline void store8(double *p, v8d x) { memcpy(p, &x, sizeof x); }
static inline v8u load8u(const uint64_t *p) { v8u x; memcpy(&x, p, sizeof x); return x; }
static inline void store8u(uint64_t *p, v8u x) { memcpy(p, &x, sizeof x); }
static inline int any8(v8i m) { return __builtin_reduce_or(m) != 0; }
static inline int all8(v8i m) { return __builtin_reduce_and(m) != 0; }
#define fma8(a, b, c) __builtin_elementwise_fma((v8d)(a), (v8d){0} + (b), (v8d){0} + (c))
static inline v8d blend8(v8i m, v8d yes, v8d no) { return (v8d)(((v8i)yes & m) | ((v8i)no & ~m)); }

/* ---- xoshiro256++ ----------------------------------------------------------------------------------- */

typedef struct { v8u s0, s1, s2, s3; } rng_regs;

static inline rng_regs rng_load(const wb_rng8 *r) {
    return (rng_regs){load8u(r->s[0]), load8u(r->s[1]), load8u(r->s[2]), load8u(r->s[3])};
}
static inline void rng_store(wb_rng8 *r, rng_regs x) {
    store8u(r->s[0], x.s0); store8u(r->s[1], x.s1); store8u(r->s[2], x.s2); store8u(r->s[3], x.s3);
}
static inline v8u rotl8(v8u x, int k) { return (x << k) | (x >> (64 - k)); }
static inline v8u rng_next(rng_regs *r) {
    v8u result = rotl8(r->s0 + r->s3, 23) + r->s0, t = r->s1 << 17;
    r->s2 ^= r->s0; r->s3 ^= r->s1; r->s1 ^= r->s2; r->s0 ^= r->s3; r->s2 ^= t;
    r->s3 = rotl8(r->s3, 45);
    return result;
}
/* [0, 1) from the top 52 bits, through the exponent of 1.0: no integer-to-double conversion. */
static inline v8d unit8(v8u bits) { return (v8d)((bits >> 12) | ONE_BITS) - 1.0; }

/* ---- exp and log ------------------------------------------------------------------------------------------- */

/* Round to nearest through the 1.5·2^52 trick (valid for |x| < 2^51): the double and its integer bits. */
static const double magic = 6755399441055744.0;
static const int64_t magic_bits = 0x4338000000000000LL;

static inline v8d exp8(v8d x) {
    const v8d zero8 = {0};
    const double log2e = 1.4426950408889634, ln2hi = 6.93147180369123816490e-01, ln2lo = 1.90821492927058770002e-10;
    v8d xc = blend8((v8i)(x < -745.0), zero8 - 745.0, blend8((v8i)(x > 710.0), zero8 + 710.0, x));
    v8d shifted = xc * log2e + magic;
    v8i ki = (v8i)shifted - magic_bits;
    v8d k = shifted - magic;
    v8d r = (xc - k * ln2hi) - k * ln2lo;                   /* |r| <= ln2/2 */
    /* Taylor to r^13: truncation (ln2/2)^14/14! ~ 4e-18. */
    v8d p = fma8(r, 1.0 / 6227020800, 1.0 / 479001600);
    p = fma8(p, r, 1.0 / 39916800); p = fma8(p, r, 1.0 / 3628800); p = fma8(p, r, 1.0 / 362880); p = fma8(p, r, 1.0 / 40320);
    p = fma8(p, r, 1.0 / 5040); p = fma8(p, r, 1.0 / 720); p = fma8(p, r, 1.0 / 120); p = fma8(p, r, 1.0 / 24);
    p = fma8(p, r, 1.0 / 6); p = fma8(p, r, 0.5); p = fma8(p, r, 1); p = fma8(p, r, 1);
    /* 2^k as two factors so that k from -1075 to 1024 stays representable. */
    v8i k1 = ki >> 1, k2 = ki - k1;
    v8d y = p * (v8d)((k1 + 1023) << 52) * (v8d)((k2 + 1023) << 52);
    return blend8((v8i)(x < -708.0), zero8, blend8((v8i)(x > 709.7), zero8 + __builtin_inf(), y));
}

void wb_exp8(const double x[WB_LANES], double out[WB_LANES]) { store8(out, exp8(load8(x))); }

/* Natural log for normal x > 0: |error| <= 2e-16 max(1, |ln x|). x = m 2^e with m in [sqrt(1/2), sqrt(2)),
 * ln m = 2 atanh(s), s = (m-1)/(m+1), |s| <= 0.1716: the odd series to s^21 truncates below 1e-17. */
static inline v8d log8(v8d x) {
    /* Subtracting the bits of sqrt(1/2) moves the exponent boundary there (musl's reduction). */
    v8i ix = (v8i)x - 0x3FE6A09E667F3BCDLL;
    v8i e = ix >> 52;
    v8d m = (v8d)((ix & 0x000FFFFFFFFFFFFFLL) + 0x3FE6A09E667F3BCDLL);
    v8d s = (m - 1) / (m + 1), s2 = s * s;
    v8d p = fma8(s2, 1.0 / 21, 1.0 / 19);
    p = fma8(p, s2, 1.0 / 17); p = fma8(p, s2, 1.0 / 15); p = fma8(p, s2, 1.0 / 13); p = fma8(p, s2, 1.0 / 11);
    p = fma8(p, s2, 1.0 / 9); p = fma8(p, s2, 1.0 / 7); p = fma8(p, s2, 1.0 / 5); p = fma8(p, s2, 1.0 / 3); p = fma8(p, s2, 1);
    const double ln2hi = 6.93147180369123816490e-01, ln2lo = 1.90821492927058770002e-10;
    v8d ed = (v8d)(e + magic_bits) - magic;
    return ed * ln2hi + (2 * s * p + ed * ln2lo);
}

void wb_log8(const double x[WB_LANES], double out[WB_LANES]) { store8(out, log8(load8(x))); }

/* ---- ziggurat ---------------------------------------------------------------------------------------- */

/* Table lookup per lane. Plain loads: measured 2-3x faster here than AVX2/AVX-512 gather instructions, whose
 * results feed the acceptance test (Benchmarks/README.md). */
static inline v8d gather8(const double *table, v8u index) {
    return (v8d){table[index[0]], table[index[1]], table[index[2]], table[index[3]],
                 table[index[4]], table[index[5]], table[index[6]], table[index[7]]};
}

/* Draws that fell outside their layer's rectangle (1.5% of normals; some lane of a vector in 11%), finished
 * together: each round draws whole vectors, which only the unfinished lanes use. Lanes in the base layer
 * (layer 0) sample the tail beyond R by Marsaglia's (1964) method; the others test the wedge between the
 * rectangle and the curve and, if rejected, start over with a fresh draw. */
static __attribute__((noinline)) v8d normal_rare(rng_regs *r, v8u layer, v8d x, v8u sign, v8i done) {
    const v8d zero = {0};
    for (;;) {
        v8i tail = ~done & (v8i)(layer == 0), wedge = ~done & ~tail;
        if (any8(tail)) {
            /* Uniforms on (0, 1] keep the logs finite. */
            v8d a = -log8(unit8(rng_next(r)) + 0x1p-53) / wb_zig_r, y = -log8(unit8(rng_next(r)) + 0x1p-53);
            v8i accepted = tail & (v8i)(y + y >= a * a);
            x = blend8(accepted, a + wb_zig_r, x);
            done |= accepted;
        }
        if (any8(wedge)) {
            v8d f0 = gather8(wb_zig_f, layer), f1 = gather8(wb_zig_f, layer + 1);
            v8d y = __builtin_elementwise_fma(unit8(rng_next(r)), f1 - f0, f0);
            v8i accepted = wedge & (v8i)(y < exp8(zero - 0.5 * x * x));
            done |= accepted;
            v8i fresh = wedge & ~accepted;
            if (any8(fresh)) {
                v8u bits = rng_next(r);
                v8d u = unit8(bits);
                v8u new_layer = bits & 255;
                layer = (v8u)blend8(fresh, (v8d)new_layer, (v8d)layer);
                sign = (v8u)blend8(fresh, (v8d)((bits & 256) << 55), (v8d)sign);
                x = blend8(fresh, u * gather8(wb_zig_x, layer), x);
                done |= fresh & (v8i)(u < gather8(wb_zig_k, layer));
            }
        }
        if (all8(done)) return (v8d)((v8u)x | sign);
    }
}

/* xoshiro256's jump: advances every lane by 2^128 draws, giving a stream that cannot overlap this one. */
static wb_rng8 rng_jumped(const wb_rng8 *from) {
    static const uint64_t jump[4] = {0x180ec6d33cfd0abaULL, 0xd5a61266f0c9392cULL, 0xa9582618e03fc9aaULL, 0x39abdc4529b1661cULL};
    rng_regs r = rng_load(from), acc = {{0}, {0}, {0}, {0}};
    for (int i = 0; i < 4; i++)
        for (int b = 0; b < 64; b++) {
            if (jump[i] & (1ULL << b)) { acc.s0 ^= r.s0; acc.s1 ^= r.s1; acc.s2 ^= r.s2; acc.s3 ^= r.s3; }
            (void)rng_next(&r);
        }
    wb_rng8 out;
    rng_store(&out, acc);
    return out;
}

void wb_normal_stream_init(wb_normal_stream *stream, const wb_rng8 *rng) {
    stream->rng = *rng;
    stream->rare_rng = rng_jumped(rng);
    stream->next = WB_NORMAL_VECTORS;
}

__attribute__((noinline)) void wb_normals_refill(wb_normal_stream *stream) {
    /* The fast path never waits for the rare one: rejected vectors are only noted here (branch-free, so the
     * main stream's recurrence runs ahead undisturbed) and finished afterwards from the second stream. */
    uint64_t rejected_bits[WB_NORMAL_VECTORS + 1][WB_LANES];
    int32_t rejected_at[WB_NORMAL_VECTORS + 1], rejected = 0;
    rng_regs r = rng_load(&stream->rng);
    for (int k = 0; k < WB_NORMAL_VECTORS; k++) {
        v8u bits = rng_next(&r);
        v8u layer = bits & 255, sign = (bits & 256) << 55;
        v8d u = unit8(bits);
        v8d x = u * gather8(wb_zig_x, layer);
        v8i inside = (v8i)(u < gather8(wb_zig_k, layer));
        store8(stream->buffer[k], (v8d)((v8u)x | sign));
        store8u(rejected_bits[rejected], bits);
        rejected_at[rejected] = k;
        rejected += !all8(inside);
    }
    rng_store(&stream->rng, r);
    if (rejected) {
        /* Gather the rejected lanes (about 8 per refill) and finish them eight at a time. */
        double rx[WB_NORMAL_VECTORS * WB_LANES];
        uint64_t rlayer[WB_NORMAL_VECTORS * WB_LANES], rsign[WB_NORMAL_VECTORS * WB_LANES];
        int32_t slot[WB_NORMAL_VECTORS * WB_LANES], m = 0;
        for (int j = 0; j < rejected; j++) {
            v8u bits = load8u(rejected_bits[j]);
            v8u layer = bits & 255;
            v8d u = unit8(bits);
            v8d x = u * gather8(wb_zig_x, layer);
            v8i inside = (v8i)(u < gather8(wb_zig_k, layer));
            for (int l = 0; l < WB_LANES; l++) {
                if (inside[l]) continue;
                rx[m] = x[l]; rlayer[m] = layer[l]; rsign[m] = (bits[l] & 256) << 55; slot[m] = rejected_at[j] * WB_LANES + l;
                m++;
            }
        }
        rng_regs q = rng_load(&stream->rare_rng);
        double *flat = &stream->buffer[0][0];
        for (int g = 0; g < m; g += WB_LANES) {
            v8d x = {0}; v8u layer = {0}, sign = {0}; v8i done = {0};
            for (int l = 0; l < WB_LANES; l++) {
                if (g + l < m) { x[l] = rx[g + l]; layer[l] = rlayer[g + l]; sign[l] = rsign[g + l]; }
                else done[l] = -1;        /* padding */
            }
            v8d z = normal_rare(&q, layer, x, sign, done);
            for (int l = 0; l < WB_LANES && g + l < m; l++) flat[slot[g + l]] = z[l];
        }
        rng_store(&stream->rare_rng, q);
    }
    stream->next = 0;
}

/* Not inlined into the simulation loop: its constants would take the loop's registers. */
__attribute__((noinline)) void wb_log_uniforms_refill(wb_log_uniform_stream *stream) {
    rng_regs r = rng_load(&stream->rng);
    for (int k = 0; k < WB_NORMAL_VECTORS; k++) store8(stream->buffer[k], log8(unit8(rng_next(&r)) + 0x1p-53));
    rng_store(&stream->rng, r);
    stream->next = 0;
}

/* ---- white-noise LIF --------------------------------------------------------------------------------- */

/* One group of eight neurons inside the loop; a local, so that its fields live in registers. */
typedef struct {
    v8i active;
    v8d v, refractory, v_sum, free_steps, v_sum_all;
    int32_t next, next_log;
    wb_normal_stream *normals;
    wb_log_uniform_stream *log_uniforms;
    double *histogram;
} lif_group;

typedef struct { v8d theta, decay, drift, noise, exponent_scale, v_reset, refractory_steps; } lif_constants;

/* One step of one group; returns its spiking lanes as bits. The loop-carried chain is V -> V' (one FMA)
 * -> crossing test -> reset blend; everything else hangs off it. */
static inline __attribute__((always_inline))
uint32_t lif_white_step(const wb_lif_white_params *p, const lif_constants *c, lif_group *g, const int bridge,
                        const int accumulate) {
    const v8d zero = {0};
    if (g->next == WB_NORMAL_VECTORS) { wb_normals_refill(g->normals); g->next = 0; }
    v8d kick = __builtin_elementwise_fma(load8(g->normals->buffer[g->next++]), c->noise, c->drift);
    v8d vn = __builtin_elementwise_fma(g->v, c->decay, kick);
    v8i crossed = (v8i)(vn >= c->theta);
    if (bridge) {
        /* ln P(max over the step >= theta | both ends below) = -2(theta-V0)(theta-V1) tau/(sigma^2 dt); a
         * crossing when ln U is below it. Below -37 < ln 2^-53 (the smallest U) nothing can cross: then
         * this step's ln U is left for the next step that needs one. */
        if (g->next_log == WB_NORMAL_VECTORS) { wb_log_uniforms_refill(g->log_uniforms); g->next_log = 0; }
        v8d e = ((c->theta - g->v) * c->exponent_scale) * (c->theta - vn);
        crossed |= (v8i)(e > load8(g->log_uniforms->buffer[g->next_log]));
        g->next_log += any8((v8i)(e > -37.0));
    }
    v8i in_refractory = (v8i)(g->refractory > 0.0);
    v8i spike = crossed & ~in_refractory & g->active;
    vn = blend8(in_refractory | spike, c->v_reset, vn);
    g->refractory = blend8(in_refractory, g->refractory - 1.0, blend8(spike, c->refractory_steps, g->refractory));
    uint32_t bits = 0;
    if (__builtin_expect(any8(spike), 0))
        for (int l = 0; l < WB_LANES; l++) if (spike[l]) bits |= 1u << l;
    if (accumulate) {
        v8i free = (v8i)(g->refractory <= 0.0) & g->active;
        g->v_sum += blend8(free, vn, zero);
        g->free_steps += blend8(free, zero + 1.0, zero);
        g->v_sum_all += blend8(g->active, vn, zero);
        if (g->histogram) {
            for (int l = 0; l < WB_LANES; l++) {
                if (!free[l]) continue;
                double k = floor((vn[l] - p->v_min) / p->bin_width);
                if (k >= 0 && k < p->bins) g->histogram[(int64_t)k] += 1;
            }
        }
    }
    g->v = vn;
    return bits;
}

static inline __attribute__((always_inline))
lif_group lif_group_load(const wb_lif_white_params *p, wb_lif_lanes *lanes, wb_normal_stream *normals,
                         wb_log_uniform_stream *log_uniforms, int g) {
    return (lif_group){
        .active = (v8i)(load8(lanes->active) > 0.0), .v = load8(lanes->v), .refractory = load8(lanes->refractory),
        .v_sum = load8(lanes->v_sum), .free_steps = load8(lanes->free_steps), .v_sum_all = load8(lanes->v_sum_all),
        .next = normals->next, .next_log = log_uniforms->next, .normals = normals, .log_uniforms = log_uniforms,
        .histogram = p->histogram ? p->histogram + (int64_t)g * p->bins : 0};
}

static inline __attribute__((always_inline)) void lif_group_store(const lif_group *g, wb_lif_lanes *lanes) {
    store8(lanes->v, g->v); store8(lanes->refractory, g->refractory);
    store8(lanes->v_sum, g->v_sum); store8(lanes->free_steps, g->free_steps); store8(lanes->v_sum_all, g->v_sum_all);
    g->normals->next = g->next; g->log_uniforms->next = g->next_log;
}

/* One loop per (bridge, accumulate, groups) choice: the constant flags fold away. Two independent groups
 * in one loop overlap their dependency chains. */
static inline __attribute__((always_inline))
int64_t lif_white(const wb_lif_white_params *p, wb_lif_lanes *lanes, wb_normal_stream *const *normals,
                  wb_log_uniform_stream *const *log_uniforms, const int groups, int64_t steps, const int bridge,
                  const int accumulate, uint32_t *spiked) {
    const v8d zero = {0};
    const lif_constants c = {zero + p->theta, zero + p->decay, zero + p->drift, zero + p->noise,
                             zero + p->bridge_exponent, zero + p->v_reset, zero + p->refractory_steps};
    lif_group g0 = lif_group_load(p, &lanes[0], normals[0], log_uniforms[0], 0), g1 = g0;
    if (groups == 2) g1 = lif_group_load(p, &lanes[1], normals[1], log_uniforms[1], 1);
    uint32_t bits = 0;
    int64_t n = 0;
    while (n < steps) {
        bits |= lif_white_step(p, &c, &g0, bridge, accumulate);
        if (groups == 2) bits |= lif_white_step(p, &c, &g1, bridge, accumulate) << WB_LANES;
        n++;
        if (bits) break;
    }
    lif_group_store(&g0, &lanes[0]);
    if (groups == 2) lif_group_store(&g1, &lanes[1]);
    *spiked = bits;
    return n;
}

#define LIF_WHITE_CASE(groups) \
    if (p->bridge) \
        return accumulate ? lif_white(p, lanes, normals, log_uniforms, groups, steps, 1, 1, spiked) \
                          : lif_white(p, lanes, normals, log_uniforms, groups, steps, 1, 0, spiked); \
    return accumulate ? lif_white(p, lanes, normals, log_uniforms, groups, steps, 0, 1, spiked) \
                      : lif_white(p, lanes, normals, log_uniforms, groups, steps, 0, 0, spiked);

int64_t wb_lif_white_run(const wb_lif_white_params *p, wb_lif_lanes *lanes, wb_normal_stream *const *normals,
                         wb_log_uniform_stream *const *log_uniforms, int32_t groups, int64_t steps,
                         int32_t accumulate, uint32_t *spiked) {
    if (groups == 2) { LIF_WHITE_CASE(2) }
    LIF_WHITE_CASE(1)
}
