/* The recurrent-network simulator's hot loops (Sources/MonteCarlo/NetworkSimulation.swift owns the plan, the
 * threads and the statistics). LIF neurons with delta or exponential synapses, fixed in-degree connectivity,
 * one delay per projection, external Poisson drive; exact integration between the time steps.
 *
 * Determinism: neuron i draws from its own xoshiro256++ stream (seeded from (seed, i)), and a target's input slot
 * receives its spikes in the order (step, source index) whatever the threads: the run is a pure function of the
 * plan and the seed. Threads own contiguous neuron ranges; they advance their neurons for one min-delay interval
 * (no spike can arrive within it), wait at a barrier, deliver every thread's spikes of the interval to their own
 * targets, and wait again (the scheme of NEST's min-delay communication). */
#ifndef WB_NETWORK_H
#define WB_NETWORK_H
#include <stdint.h>

typedef struct {
    int64_t first, count;            /* neuron index range */
    double decay;                    /* e^{-dt/tau_m} */
    double v_inf;                    /* the DC fixed point (dc input, mV) */
    double theta, v_reset;
    int32_t refractory_steps;
    int32_t exponential;             /* 1: exponential synapses (tau_s > 0) */
    double decay_s;                  /* e^{-dt/tau_s} */
    double p_vi;                     /* V gained per unit current over a step:
                                        tau_s/(tau_s-tau_m)(e^{-h/tau_s}-e^{-h/tau_m}) */
    double jump_scale;               /* current jump per mV of weight: tau_m/tau_s (1 for delta synapses) */
    double external_weight;          /* mV */
    /* Poisson count of the external input per step: cdf[0..size-1] (cdf[size-1] = 1), and a guide table
     * guide[g] = the first k with cdf[k] > g / guide_size (Chen & Asau 1974). */
    const double *poisson_cdf;
    int32_t poisson_size;
    const int32_t *poisson_guide;
    int32_t guide_size;
} wb_net_population;

typedef struct {
    int32_t populations;
    const wb_net_population *pop;
    int64_t neurons;
    const int32_t *population_of;    /* [neurons] */
    int32_t threads;
    const int64_t *range;            /* thread t owns neurons [range[t], range[t+1]) */

    /* Connectivity: the synapses of source j onto population a are out_target[out_offset[j*P + a] ...
     * out_offset[j*P + a + 1]) sorted by target; thread t delivers those in [split[(j*P+a)*(T+1) + t],
     * split[(j*P+a)*(T+1) + t + 1]). weight[a*P + b] (mV) and delay_steps[a*P + b] (>= min_delay) per projection. */
    const int64_t *out_offset;
    int32_t *out_target;
    const int64_t *split;
    const double *weight;
    const int32_t *delay_steps;
    int32_t min_delay;               /* steps per communication interval */

    /* State */
    double *v, *current;             /* current: exponential synapses only (may be NULL otherwise) */
    int32_t *refractory;
    uint64_t *rng;                   /* 4 words per neuron */
    double *ring;                    /* ring[slot * neurons + i]: input arriving at step = slot (mod ring_slots) */
    int32_t ring_slots;

    /* Spikes of the current interval: thread t's at spike_buffer[t][...], step s's from spike_offset[t][s] to
     * spike_offset[t][s+1] (min_delay + 1 offsets). */
    int32_t **spike_buffer;
    int64_t **spike_offset;

    /* The run: steps in all; statistics from step window_start on. */
    int64_t steps, window_start;
    /* Per neuron, in the window: spikes, completed ISIs (count; weights, weighted sum and sum of squares in steps,
     * see network.c), sum of V over non-refractory steps and their number; last_spike: the step of the last spike
     * (-1: none yet). */
    int64_t *spike_count, *isi_count, *last_spike, *free_steps;
    double *isi_weight, *isi_sum, *isi_sum_squares, *v_sum;
    /* Spikes per window step and population: counts[(step - window_start) * P + a]. */
    int32_t *counts;
    /* Per thread: synaptic events delivered (whole run). */
    int64_t *events;

    /* Barrier (opaque to Swift; wb_net_prepare initialises it). */
    int64_t barrier_count, barrier_generation;
} wb_net;

/* Seeds neuron i's stream and its initial V (uniform in [v_reset, theta)) from (seed, i); state zero otherwise. */
void wb_net_initialise(wb_net *net, uint64_t seed);

/* Fixed in-degree connectivity. Target i of population a draws, for each source population b,
 * floor(K[a*P+b]) + Bernoulli(frac K) sources uniformly from b (autapses and multapses allowed, as NEST's
 * fixed_indegree by default), from its own stream seeded by (seed, i). count_only = 1: counts the synapses of
 * each (source, target population) into out_offset[j*P + a + 1] (zeroed by the caller); count_only = 0: fills
 * out_target at fill[j*P + a]++ (the caller sets fill = the offsets), so each list comes out sorted by target. */
void wb_net_connect(wb_net *net, const double *indegree, uint64_t seed, int32_t count_only, int64_t *fill);

/* Thread t's whole run (every thread must call it, each with its own t). */
void wb_net_thread_run(wb_net *net, int32_t t);

#endif
