/* Hot loops of the Monte-Carlo core (Sources/MonteCarlo): the ziggurat normal generator and the white-noise
 * LIF step. They are C with clang vector extensions rather than Swift SIMD8<Double> because Swift lowers
 * SIMD masks, reductions and table lookups lane by lane (measured: the Swift kernel spent most of its time
 * moving masks between vector and scalar registers); here every lane stays in vector registers. The Swift side (LIFSimulation.swift, RNG.swift) owns seeding, windows,
 * ISI bookkeeping and results. Eight lanes throughout; a run is a pure function of the state passed in. */
#ifndef WB_MC_KERNELS_H
#define WB_MC_KERNELS_H
#include <stdint.h>

#define WB_LANES 8
#define WB_NORMAL_VECTORS 256  /* vectors of eight normals generated per refill */
#define WB_BRIDGE_VECTORS 128  /* vectors of eight bridge uniforms per refill */

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

/* Fills stream->buffer by a 1024-layer ziggurat (Marsaglia & Tsang 2000) and sets next = 0. Each normal
 * uses one 64-bit draw: bits 0-9 pick the layer, bits 11-62 the abscissa, bit 63 the sign, so the
 * layer and the value are independent (the flaw of the 2000 paper's 32-bit version). Wedge and tail
 * draws (0.43% of normals) are finished afterwards, in vector rounds that draw whole vectors from
 * rare_rng: the normals of a stream are a function of its two states (not lane by lane). Exact up to rounding. */
void wb_normals_refill(wb_normal_stream *stream);

/* Uniforms U on (0, 1) (52 random bits + 2^-53) for the Brownian-bridge crossing test, which compares ln U
 * with the log of the crossing probability (no exp on the simulation's critical path). Next to each U the
 * refill stores a lower bound of ln U from its binary exponent (a few integer operations); the exact ln U
 * is computed only when the log-probability exceeds the bound (0.85 % of 8-lane steps at mu = 15, sigma = 5 mV). */
typedef struct {
    double log_lower[WB_BRIDGE_VECTORS][WB_LANES];   /* <= ln U: E ln 2 - 1e-12 for U in [2^E, 2^(E+1)) */
    double uniform[WB_BRIDGE_VECTORS][WB_LANES];
    wb_rng8 rng;
    int32_t next;
} wb_bridge_uniform_stream;
void wb_bridge_uniforms_refill(wb_bridge_uniform_stream *stream);

/* e^x and ln x in eight lanes (the polynomials of the kernels, exposed for tests).
 * exp: |relative error| <= 3e-16 on [-708, 709], 0 below -708, +inf above 709.7.
 * log: normal x > 0, |error| <= 2e-16 max(1, |ln x|). */
void wb_exp8(const double x[WB_LANES], double out[WB_LANES]);
void wb_log8(const double x[WB_LANES], double out[WB_LANES]);

typedef struct {
    double theta, v_reset;
    double decay;               /* e^{-dt/tau_m} */
    double w_drift;             /* (theta - mu)(1 - e^{-dt/tau_m}): w' = decay w + w_drift + noise Z, w = theta - V */
    double noise;               /* sigma sqrt((1 - e^{-2 dt/tau_m}) / 2) */
    double bridge_exponent;     /* -2 tau_m / (sigma^2 dt): ln P(crossing inside a step) per (theta-V0)(theta-V1) */
    double refractory_steps;
    int32_t bridge;             /* 1: Brownian-bridge crossing test; 0: grid check only */
    /* Density histogram of non-refractory V while accumulating; histogram == NULL switches it off. */
    double *histogram;
    int32_t bins;
    double v_min, bin_width;
    /* A modulated input (issue 22): when w_drift_steps is not NULL, step k of a call (k = 0 .. steps - 1) takes
     * w_drift_steps[k], noise_steps[k] and exponent_steps[k] instead of w_drift, noise and bridge_exponent. */
    const double *w_drift_steps, *noise_steps, *exponent_steps;
} wb_lif_white_params;

/* Eight neurons, by their distance to threshold w = theta - V. Lanes without a neuron (padding) have
 * refractory = +inf: they stay refractory, never spike and are never counted. The sums grow only while
 * accumulating. (The sum of V over all steps needs no counter: refractory steps hold V at v_reset.) */
typedef struct {
    double w[WB_LANES];            /* theta - V */
    double refractory[WB_LANES];   /* refractory steps left; +inf in padding lanes */
    double w_sum[WB_LANES];        /* sum of theta - V over non-refractory steps */
    double free_steps[WB_LANES];   /* number of non-refractory steps */
} wb_lif_lanes;

/* A step with spikes: `step` steps of the run had been completed (counting this one); lane l of group g
 * spiked when bit 8g + l of `lanes` is set. */
typedef struct { int64_t step; uint32_t lanes; } wb_spike_event;

#define WB_MAX_GROUPS 2

/* Advances `groups` (1 to WB_MAX_GROUPS) independent groups of eight neurons by at most `steps` exact OU
 * steps (THEORY §9.1) and returns the number taken; group g uses lanes[g], normals[g] and uniforms[g] only,
 * so its result does not depend on the other groups. Several groups in one loop overlap their dependency
 * chains. Steps with spikes are appended to events (*count of them, spiking lanes already reset); the run
 * stops early when `capacity` events have been written, or, if until_spiked != 0, once every lane in
 * until_spiked (bits as in the events) has spiked (padding lanes never do: leave them out). capacity must be
 * at least 1 (otherwise nothing is run). The bridge test takes a vector of uniforms only in steps where some
 * lane's log crossing probability exceeds -37 (below ln 2^-53, that of the smallest U). With a histogram,
 * group g counts into histogram[g * bins ...]. */
int64_t wb_lif_white_run(const wb_lif_white_params *params, wb_lif_lanes *lanes, wb_normal_stream *const *normals,
                         wb_bridge_uniform_stream *const *uniforms, int32_t groups, int64_t steps,
                         int32_t accumulate, uint32_t until_spiked, wb_spike_event *events, int32_t capacity,
                         int32_t *count);

/* The ziggurat (ziggurat_tables.c, generated by ziggurat_tables.py): right edge R of the base layer, layer
 * area V, layer edges X[0..1024] (X[0] = V/f(R), X[1] = R, X[1024] = 0), K[i] = X[i+1]/X[i], F[i] = f(X[i])
 * for i >= 1 and F[0] = f(R), XK[i] = {X[i], 1 + K[i] rounded up to a multiple of 2^-52} (the fast path's
 * table, from the exact K); f(x) = e^{-x^2/2}. */
#define WB_ZIG_LAYERS 1024
extern const double wb_zig_r, wb_zig_v, wb_zig_x[WB_ZIG_LAYERS + 1], wb_zig_k[WB_ZIG_LAYERS], wb_zig_f[WB_ZIG_LAYERS + 1];
extern const double wb_zig_xk[WB_ZIG_LAYERS][2];

#include "wb_network.h"

#endif
