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

/* A ziggurat draw: layer in bits 0-9, abscissa in bits 11-62, sign in bit 63 (already where a double
 * keeps it). */
#define ZIG_LAYER_MASK (WB_ZIG_LAYERS - 1)
#define SIGN_BIT 0x8000000000000000ULL
static inline v8u zig_layer(v8u bits) { return bits & ZIG_LAYER_MASK; }
static inline v8u zig_sign(v8u bits) { return bits & SIGN_BIT; }
/* 1 + u in [1, 2) from the abscissa bits: bit 63 lands in the exponent, where ONE_BITS already has a 1. */
static inline v8d zig_one_plus_u(v8u bits) { return (v8d)((bits >> 11) | ONE_BITS); }
/* u X = (1 + u) X - X, rounded once (the FMA's product is exact): one operation for u and the product. */
static inline v8d zig_abscissa(v8d one_plus_u, v8d edge) { return __builtin_elementwise_fma(one_plus_u, edge, -edge); }

typedef double v2d __attribute__((vector_size(16)));
typedef double v4d __attribute__((vector_size(32)));

/* X[layer] and 1 + K[layer] (rounded up to 2^-52) per lane: one 16-byte load per lane from the interleaved
 * table, then a deinterleave. The byte offsets go through memory so that they reach the address registers
 * by loads rather than by lane extractions (which compete with the arithmetic for the vector ALUs);
 * measured 12% faster than two 8-byte lookups per lane, and 2-3x faster than AVX2/AVX-512 gathers. */
static inline void zig_lookup(v8u bits, v8d *x, v8d *one_plus_k) {
    uint64_t offset[WB_LANES] __attribute__((aligned(64)));
    store8u(offset, zig_layer(bits) << 4);
    __asm__("" : "+m"(offset));          /* the compiler must store and reload them */
    const char *base = (const char *)wb_zig_xk;
    v2d p[WB_LANES];
    for (int l = 0; l < WB_LANES; l++) memcpy(&p[l], base + offset[l], 16);
    v4d a = __builtin_shufflevector(p[0], p[1], 0, 1, 2, 3), b = __builtin_shufflevector(p[2], p[3], 0, 1, 2, 3);
    v4d c = __builtin_shufflevector(p[4], p[5], 0, 1, 2, 3), d = __builtin_shufflevector(p[6], p[7], 0, 1, 2, 3);
    v8d lo = __builtin_shufflevector(a, b, 0, 1, 2, 3, 4, 5, 6, 7), hi = __builtin_shufflevector(c, d, 0, 1, 2, 3, 4, 5, 6, 7);
    *x = __builtin_shufflevector(lo, hi, 0, 2, 4, 6, 8, 10, 12, 14);
    *one_plus_k = __builtin_shufflevector(lo, hi, 1, 3, 5, 7, 9, 11, 13, 15);
}

/* Plain per-lane loads for the slow path. */
static inline v8d gather8(const double *table, v8u index) {
    return (v8d){table[index[0]], table[index[1]], table[index[2]], table[index[3]],
                 table[index[4]], table[index[5]], table[index[6]], table[index[7]]};
}

/* Lanes of a comparison result as bits (one kmov with AVX-512). */
typedef _Bool v8b __attribute__((ext_vector_type(8)));
static inline uint32_t mask_bits(v8i m) {
    v8b b = __builtin_convertvector(m, v8b);
    uint8_t bits;
    memcpy(&bits, &b, 1);
    return bits;
}

/* Draws that fell outside their layer's rectangle (0.43% of normals; some lane of a vector in 3.4%),
 * finished together: each round draws whole vectors, which only the unfinished lanes use. Lanes in the base
 * layer (layer 0) sample the tail beyond R by Marsaglia's (1964) method; the others test the wedge between
 * the rectangle and the curve and, if rejected, start over with a fresh draw. */
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
                v8d one_plus_u = zig_one_plus_u(bits), edge, one_plus_k;
                zig_lookup(bits, &edge, &one_plus_k);
                layer = (v8u)blend8(fresh, (v8d)zig_layer(bits), (v8d)layer);
                sign = (v8u)blend8(fresh, (v8d)zig_sign(bits), (v8d)sign);
                x = blend8(fresh, zig_abscissa(one_plus_u, edge), x);
                done |= fresh & (v8i)(one_plus_u < one_plus_k);
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
    /* The fast path never waits for the slow one: a rejected lane keeps its raw draw in its slot and its
     * vector's mask of rejected lanes is stored (branch-free, so the main stream's recurrence runs ahead
     * undisturbed); the lane is finished afterwards from the second stream. */
    uint8_t rejected_lanes[WB_NORMAL_VECTORS] __attribute__((aligned(8)));
    rng_regs r = rng_load(&stream->rng);
    for (int k = 0; k < WB_NORMAL_VECTORS; k++) {
        v8u bits = rng_next(&r);
        v8d one_plus_u = zig_one_plus_u(bits), edge, one_plus_k;
        zig_lookup(bits, &edge, &one_plus_k);
        v8i outside = (v8i)(one_plus_u >= one_plus_k);
        v8d z = (v8d)((v8u)zig_abscissa(one_plus_u, edge) | zig_sign(bits));
        store8(stream->buffer[k], blend8(outside, (v8d)bits, z));
        rejected_lanes[k] = (uint8_t)mask_bits(outside);
    }
    rng_store(&stream->rng, r);
    /* About 9 rejected lanes per refill, finished eight at a time. */
    rng_regs q = rng_load(&stream->rare_rng);
    char *flat = (char *)stream->buffer;
    int32_t slot[WB_LANES], m = 0;
    v8d x = {0};
    v8u layer = {0}, sign = {0};
    for (int k8 = 0; k8 < WB_NORMAL_VECTORS; k8 += 8) {
        uint64_t eight;
        memcpy(&eight, &rejected_lanes[k8], 8);
        for (; eight; eight &= eight - 1) {                   /* bit 8j + l: lane l of vector k8 + j */
            int bit = __builtin_ctzll(eight);
            slot[m] = k8 * WB_LANES + bit;
            uint64_t bits;
            memcpy(&bits, flat + 8 * slot[m], 8);
            layer[m] = bits & ZIG_LAYER_MASK; sign[m] = bits & SIGN_BIT;
            double one_plus_u;
            uint64_t u_bits = (bits >> 11) | ONE_BITS;
            memcpy(&one_plus_u, &u_bits, 8);
            x[m] = __builtin_fma(one_plus_u, wb_zig_x[layer[m]], -wb_zig_x[layer[m]]);
            if (++m == WB_LANES) {
                v8d z = normal_rare(&q, layer, x, sign, (v8i){0});
                for (int l = 0; l < m; l++) { double zl = z[l]; memcpy(flat + 8 * slot[l], &zl, 8); }
                m = 0;
            }
        }
    }
    if (m) {
        v8i done = {0};
        for (int l = m; l < WB_LANES; l++) done[l] = -1;      /* padding */
        v8d z = normal_rare(&q, layer, x, sign, done);
        for (int l = 0; l < m; l++) { double zl = z[l]; memcpy(flat + 8 * slot[l], &zl, 8); }
    }
    rng_store(&stream->rare_rng, q);
    stream->next = 0;
}

/* Not inlined into the simulation loop: its constants would take the loop's registers. */
__attribute__((noinline)) void wb_bridge_uniforms_refill(wb_bridge_uniform_stream *stream) {
    rng_regs r = rng_load(&stream->rng);
    for (int k = 0; k < WB_BRIDGE_VECTORS; k++) {
        v8d u = unit8(rng_next(&r)) + 0x1p-53;
        /* E from the exponent bits, exactly (2^52 + biased E, minus 2^52 + 1023); the margin covers log8's
         * rounding at U = 2^E, so the bound never exceeds log8(U). */
        v8d e = (v8d)(((v8u)u >> 52) | (v8u)(v8i){0} + 0x4330000000000000ULL) - (0x1p52 + 1023);
        store8(stream->log_lower[k], e * 0.6931471805599453 - 1e-12);
        store8(stream->uniform[k], u);
    }
    rng_store(&stream->rng, r);
    stream->next = 0;
}

/* ---- white-noise LIF --------------------------------------------------------------------------------- */

/* The loop works with the distance to threshold w = theta - V: the crossing test is w' <= 0 and the bridge
 * exponent is a product of the two distances, with no subtractions on the loop-carried chain. */

/* One group of eight neurons inside the loop; a local, so that its fields live in registers. */
typedef struct {
    v8d w, refractory, w_sum, free_steps;
    const double *normal;          /* next vector of normals */
    const double *log_lower;       /* next vector of the bridge uniforms' bounds; the uniforms follow it */
    wb_normal_stream *normals;
    wb_bridge_uniform_stream *uniforms;
    double *histogram;
} lif_group;

typedef struct { v8d decay, w_drift, noise, exponent_scale, w_reset, refractory_steps; } lif_constants;

#define UNIFORM_OFFSET (WB_BRIDGE_VECTORS * WB_LANES)   /* uniform[k] - log_lower[k], in doubles */

/* One step of one group; returns its spiking lanes as bits. The loop-carried chain is w -> w' (one FMA)
 * -> crossing test -> reset blend; everything else hangs off it. The caller guarantees that the buffers
 * last: no calls here on the common path, since a call would force every vector register of the loop
 * onto the stack. */
static inline __attribute__((always_inline))
uint32_t lif_white_step(const wb_lif_white_params *p, const lif_constants *c, lif_group *g, const int bridge,
                        const int accumulate, const int histogram) {
    /* w' = e^{-dt/tau} w + (theta - mu)(1 - e^{-dt/tau}) + noise Z: the exact OU step of V (with -Z). */
    v8d kick = __builtin_elementwise_fma(load8(g->normal), c->noise, c->w_drift);
    g->normal += WB_LANES;
    v8d wn = __builtin_elementwise_fma(g->w, c->decay, kick);
    v8i crossed = (v8i)(wn <= 0.0);
    if (bridge) {
        /* ln P(max over the step >= theta | both ends below) = -2 w w' tau/(sigma^2 dt); a crossing when
         * ln U is below it. Below -37 < ln 2^-53 (the smallest U) nothing can cross: then this step's U
         * is left for the next step that needs one. */
        v8d e = (g->w * c->exponent_scale) * wn;
        if (__builtin_expect(any8((v8i)(e > load8(g->log_lower))), 0))
            crossed |= (v8i)(e > log8(load8(g->log_lower + UNIFORM_OFFSET)));   /* exact, rare */
        g->log_lower += WB_LANES * any8((v8i)(e > -37.0));
    }
    v8i in_refractory = (v8i)(g->refractory > 0.0);
    v8i spike = crossed & ~in_refractory;
    wn = blend8(in_refractory | spike, c->w_reset, wn);
    g->refractory = blend8(in_refractory, g->refractory - 1.0, blend8(spike, c->refractory_steps, g->refractory));
    if (accumulate) {
        v8i free = (v8i)(g->refractory <= 0.0);
        g->w_sum = blend8(free, g->w_sum + wn, g->w_sum);
        g->free_steps = blend8(free, g->free_steps + 1.0, g->free_steps);
        if (histogram) {
            for (int l = 0; l < WB_LANES; l++) {
                if (!free[l]) continue;
                double k = floor((p->theta - wn[l] - p->v_min) / p->bin_width);
                if (k >= 0 && k < p->bins) g->histogram[(int64_t)k] += 1;
            }
        }
    }
    g->w = wn;
    return mask_bits(spike);
}

static inline __attribute__((always_inline))
lif_group lif_group_load(const wb_lif_white_params *p, wb_lif_lanes *lanes, wb_normal_stream *normals,
                         wb_bridge_uniform_stream *uniforms, int g) {
    return (lif_group){
        .w = load8(lanes->w), .refractory = load8(lanes->refractory),
        .w_sum = load8(lanes->w_sum), .free_steps = load8(lanes->free_steps),
        .normal = normals->buffer[0] + WB_LANES * normals->next,
        .log_lower = uniforms->log_lower[0] + WB_LANES * uniforms->next, .normals = normals, .uniforms = uniforms,
        .histogram = p->histogram ? p->histogram + (int64_t)g * p->bins : 0};
}

static inline int32_t normals_used(const lif_group *g) { return (int32_t)((g->normal - g->normals->buffer[0]) / WB_LANES); }
static inline int32_t uniforms_used(const lif_group *g) { return (int32_t)((g->log_lower - g->uniforms->log_lower[0]) / WB_LANES); }

static inline __attribute__((always_inline)) void lif_group_store(const lif_group *g, wb_lif_lanes *lanes) {
    store8(lanes->w, g->w); store8(lanes->refractory, g->refractory);
    store8(lanes->w_sum, g->w_sum); store8(lanes->free_steps, g->free_steps);
    g->normals->next = normals_used(g); g->uniforms->next = uniforms_used(g);
}

/* Refills whichever buffer of the group the next step would read past; they are drawn exactly when the
 * step-by-step order would draw them, so the chunking below leaves the random sequence unchanged. */
static inline __attribute__((always_inline)) void lif_group_refill(lif_group *g, const int bridge) {
    if (normals_used(g) == WB_NORMAL_VECTORS) { wb_normals_refill(g->normals); g->normal = g->normals->buffer[0]; }
    if (bridge && uniforms_used(g) == WB_BRIDGE_VECTORS) {
        wb_bridge_uniforms_refill(g->uniforms);
        g->log_lower = g->uniforms->log_lower[0];
    }
}

/* One loop per (groups, bridge, accumulate, histogram) choice: the constant flags fold away, and the
 * groups' fields live in registers. Each step takes one vector of normals and at most one of uniforms
 * per group, so the inner loop runs for as many steps as every group's buffers surely last, with no
 * calls and no checks. */
static inline __attribute__((always_inline))
int64_t lif_white(const wb_lif_white_params *p, wb_lif_lanes *lanes, wb_normal_stream *const *normals,
                  wb_bridge_uniform_stream *const *uniforms, const int groups, int64_t steps, const int bridge,
                  const int accumulate, const int histogram, const int modulated, uint32_t until_spiked,
                  wb_spike_event *events, int32_t capacity, int32_t *count) {
    const v8d zero = {0};
    *count = 0;
    if (capacity < 1) return 0;
    const lif_constants c = {zero + p->decay, zero + p->w_drift, zero + p->noise, zero + p->bridge_exponent,
                             zero + (p->theta - p->v_reset), zero + p->refractory_steps};
    lif_group g[WB_MAX_GROUPS];
#pragma clang loop unroll(full)
    for (int j = 0; j < groups; j++) g[j] = lif_group_load(p, &lanes[j], normals[j], uniforms[j], j);
    int32_t written = 0;
    int64_t n = 0;
    int stop = 0;
    while (n < steps && !stop) {
        int64_t chunk = steps - n;
#pragma clang loop unroll(full)
        for (int j = 0; j < groups; j++) {
            lif_group_refill(&g[j], bridge);
            if (WB_NORMAL_VECTORS - normals_used(&g[j]) < chunk) chunk = WB_NORMAL_VECTORS - normals_used(&g[j]);
            if (bridge && WB_BRIDGE_VECTORS - uniforms_used(&g[j]) < chunk) chunk = WB_BRIDGE_VECTORS - uniforms_used(&g[j]);
        }
        for (int64_t end = n + chunk; n < end;) {
            uint32_t spiked = 0;
            lif_constants step_constants = c;
            if (modulated) {
                step_constants.w_drift = zero + p->w_drift_steps[n];
                step_constants.noise = zero + p->noise_steps[n];
                step_constants.exponent_scale = zero + p->exponent_steps[n];
            }
#pragma clang loop unroll(full)
            for (int j = 0; j < groups; j++)
                spiked |= lif_white_step(p, &step_constants, &g[j], bridge, accumulate, histogram) << (WB_LANES * j);
            n++;
            if (__builtin_expect(spiked != 0, 0)) {
                events[written++] = (wb_spike_event){n, spiked};
                if (until_spiked) {
                    until_spiked &= ~spiked;
                    stop = until_spiked == 0;
                }
                stop |= written == capacity;
                if (stop) break;
            }
        }
    }
#pragma clang loop unroll(full)
    for (int j = 0; j < groups; j++) lif_group_store(&g[j], &lanes[j]);
    *count = written;
    return n;
}

#define LIF_WHITE_FLAGS(groups, bridge, mod) \
    if (!accumulate) return lif_white(p, lanes, normals, uniforms, groups, steps, bridge, 0, 0, mod, until_spiked, events, capacity, count); \
    if (p->histogram) return lif_white(p, lanes, normals, uniforms, groups, steps, bridge, 1, 1, mod, until_spiked, events, capacity, count); \
    return lif_white(p, lanes, normals, uniforms, groups, steps, bridge, 1, 0, mod, until_spiked, events, capacity, count);
#define LIF_WHITE_GROUPS(groups, mod) \
    if (p->bridge) { LIF_WHITE_FLAGS(groups, 1, mod) } \
    LIF_WHITE_FLAGS(groups, 0, mod)

int64_t wb_lif_white_run(const wb_lif_white_params *p, wb_lif_lanes *lanes, wb_normal_stream *const *normals,
                         wb_bridge_uniform_stream *const *uniforms, int32_t groups, int64_t steps,
                         int32_t accumulate, uint32_t until_spiked, wb_spike_event *events, int32_t capacity,
                         int32_t *count) {
    if (p->w_drift_steps) {
        if (groups == 2) { LIF_WHITE_GROUPS(2, 1) }
        LIF_WHITE_GROUPS(1, 1)
    }
    if (groups == 2) { LIF_WHITE_GROUPS(2, 0) }
    LIF_WHITE_GROUPS(1, 0)
}
