/* Hot loops of the Monte-Carlo core (Sources/MonteCarlo): the ziggurat normal generator and the white-noise
 * LIF step. They are C with clang vector extensions rather than Swift SIMD8<Double> because Swift lowers
 * SIMD masks, reductions and table lookups lane by lane (measured: the Swift kernel spent most of its time
 * moving masks between vector and scalar registers); here every lane stays in vector registers. The Swift side (LIFSimulation.swift, RNG.swift) owns seeding, windows,
 * ISI bookkeeping and results. Eight lanes throughout; a run is a pure function of the state passed in. */
#ifndef WB_MC_KERNELS_H
#define WB_MC_KERNELS_H
#include <stdint.h>

#define WB_LANES 8
#define WB_NORMAL_VECTORS 64   /* vectors of eight normals generated per refill */

/* xoshiro256++ (Blackman & Vigna 2019) in eight lanes: word j of lane l is s[j][l] — the memory layout
 * of Swift's LaneRNG (s0...s3: SIMD8<UInt64>). */
typedef struct { uint64_t s[4][WB_LANES]; } wb_rng8;

/* Standard normals in eight lanes. `buffer` must stay the first member: Swift reads vector `next` at byte offset 64 * next. */
typedef struct {
    double buffer[WB_NORMAL_VECTORS][WB_LANES];
    wb_rng8 rng;                /* one draw per normal */
    wb_rng8 rare_rng;           /* the extra draws of wedges and tails: rng jumped by 2^128 */
    int32_t next;               /* next unread vector; WB_NORMAL_VECTORS = empty */
} wb_normal_stream;

/* An empty stream starting from rng. */
void wb_normal_stream_init(wb_normal_stream *stream, const wb_rng8 *rng);

/* Fills stream->buffer by the 256-layer ziggurat (Marsaglia & Tsang 2000) and sets next = 0. Each normal
 * uses one 64-bit draw: bits 0-7 pick the layer, bit 8 the sign, bits 12-63 the abscissa, so the
 * layer and the value are independent (the flaw of the 2000 paper's 32-bit version). Wedge and tail
 * draws (1.5% of normals) are finished afterwards, in vector rounds that draw whole vectors from
 * rare_rng: the normals of a stream are a function of its two states (not lane by lane). Exact up to rounding. */
void wb_normals_refill(wb_normal_stream *stream);

/* ln U for uniforms U on (0, 1) (52 random bits + 2^-53): the Brownian-bridge crossing test compares them
 * with the log of the crossing probability, so the test needs no exp on the simulation's critical path. */
typedef struct {
    double buffer[WB_NORMAL_VECTORS][WB_LANES];
    wb_rng8 rng;
    int32_t next;
} wb_log_uniform_stream;
void wb_log_uniforms_refill(wb_log_uniform_stream *stream);

/* e^x and ln x in eight lanes (the polynomials of the kernels, exposed for tests).
 * exp: |relative error| <= 3e-16 on [-708, 709], 0 below -708, +inf above 709.7.
 * log: normal x > 0, |error| <= 2e-16 max(1, |ln x|). */
void wb_exp8(const double x[WB_LANES], double out[WB_LANES]);
void wb_log8(const double x[WB_LANES], double out[WB_LANES]);

typedef struct {
    double mu, theta, v_reset;
    double decay;               /* e^{-dt/tau_m} */
    double drift;               /* mu (1 - e^{-dt/tau_m}): V' = decay V + drift + noise Z */
    double noise;               /* sigma sqrt((1 - e^{-2 dt/tau_m}) / 2) */
    double bridge_exponent;     /* -2 tau_m / (sigma^2 dt): ln P(crossing inside a step) per (theta-V0)(theta-V1) */
    double refractory_steps;
    int32_t bridge;             /* 1: Brownian-bridge crossing test; 0: grid check only */
    /* Density histogram of non-refractory V while accumulating; histogram == NULL switches it off. */
    double *histogram;
    int32_t bins;
    double v_min, bin_width;
} wb_lif_white_params;

/* Eight neurons. `active` is 1 in lanes that hold a neuron and 0 in padding lanes, which are simulated but
 * never spike and are never counted. The sums grow only while accumulating. */
typedef struct {
    double v[WB_LANES];
    double refractory[WB_LANES];   /* refractory steps left */
    double active[WB_LANES];
    double v_sum[WB_LANES];        /* sum of V over non-refractory steps */
    double free_steps[WB_LANES];   /* number of non-refractory steps */
    double v_sum_all[WB_LANES];    /* sum of V over all steps */
} wb_lif_lanes;

/* Advances `groups` (1 or 2) independent groups of eight neurons by at most `steps` exact OU steps
 * (THEORY §9.1) and returns the number taken; group g uses lanes[g], normals[g] and log_uniforms[g] only,
 * so its result does not depend on the other group. Two groups in one loop overlap their dependency chains.
 * It returns early after a step in which an active lane spiked: *spiked then holds those lanes as bits
 * (lane l of group g = bit 8g + l), and they have been reset; otherwise *spiked = 0. The bridge test
 * takes a vector of ln U only in steps where some lane's crossing probability can exceed 2^-53.
 * With a histogram, group g counts into histogram[g * bins ...]. */
int64_t wb_lif_white_run(const wb_lif_white_params *params, wb_lif_lanes *lanes, wb_normal_stream *const *normals,
                         wb_log_uniform_stream *const *log_uniforms, int32_t groups, int64_t steps,
                         int32_t accumulate, uint32_t *spiked);

/* The ziggurat (ziggurat_tables.c, generated by ziggurat_tables.py): right edge R of the base layer, layer
 * area V, layer edges X[0..256] (X[0] = V/f(R), X[1] = R, X[256] = 0), K[i] = X[i+1]/X[i], F[i] = f(X[i]);
 * f(x) = e^{-x^2/2}. */
extern const double wb_zig_r, wb_zig_v, wb_zig_x[257], wb_zig_k[256], wb_zig_f[257];

#endif
