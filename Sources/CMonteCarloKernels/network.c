/* The network simulator's loops: see wb_network.h. Scalar C: the per-neuron work is a Poisson table lookup and a
 * few flops, and the spike delivery is a scattered add, neither of which vectorises; C keeps the loops free of
 * Swift's bounds and overflow checks, which here would sit on every synapse. */
#include "wb_network.h"

#include <sched.h>
#include <string.h>

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

/* xoshiro256++ (Blackman & Vigna 2019), one stream per neuron. */
static inline uint64_t next_bits(uint64_t *s) {
    uint64_t result = rotl(s[0] + s[3], 23) + s[0], t = s[1] << 17;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Uniform on [0, 1) with 53 random bits. */
static inline double uniform(uint64_t *s) { return (double)(next_bits(s) >> 11) * 0x1p-53; }

static inline uint64_t split_mix(uint64_t *x) {
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* The stream of (seed, key, index): distinct SplitMix64 sequences, never all zero. */
static void seed_stream(uint64_t *s, uint64_t seed, uint64_t key, uint64_t index) {
    uint64_t x = seed ^ (key * 0x8CB92BA72F3D8DD7ull) ^ (index * 0xD1B54A32D192ED03ull);
    (void)split_mix(&x);
    for (int j = 0; j < 4; j++) s[j] = split_mix(&x);
}

enum { KEY_NEURON = 1, KEY_CONNECT = 2 };

void wb_net_initialise(wb_net *net, uint64_t seed) {
    for (int32_t a = 0; a < net->populations; a++) {
        const wb_net_population *p = &net->pop[a];
        for (int64_t i = p->first; i < p->first + p->count; i++) {
            uint64_t *s = net->rng + 4 * i;
            seed_stream(s, seed, KEY_NEURON, (uint64_t)i);
            net->v[i] = p->v_reset + (p->theta - p->v_reset) * uniform(s);
            if (net->current) net->current[i] = 0;
            net->refractory[i] = 0;
            net->last_spike[i] = -1;
        }
    }
    net->barrier_count = 0;
    net->barrier_generation = 0;
}

/* Uniform integer in [0, n): the high word of a 64 x 64-bit product (Lemire 2019 without the rejection step; the
 * bias is below n / 2^64 < 1e-10 for any population size here). */
static inline int64_t below(uint64_t *s, int64_t n) {
    return (int64_t)(((unsigned __int128)next_bits(s) * (uint64_t)n) >> 64);
}

void wb_net_connect(wb_net *net, const double *indegree, uint64_t seed, int32_t count_only, int64_t *fill) {
    const int32_t P = net->populations;
    for (int64_t i = 0; i < net->neurons; i++) {
        const int32_t a = net->population_of[i];
        uint64_t s[4];
        seed_stream(s, seed, KEY_CONNECT, (uint64_t)i);
        for (int32_t b = 0; b < P; b++) {
            const double k = indegree[a * P + b];
            if (k <= 0) continue;
            const double whole = __builtin_floor(k);
            const int64_t n = (int64_t)whole + (uniform(s) < k - whole ? 1 : 0);
            const int64_t first = net->pop[b].first, size = net->pop[b].count;
            for (int64_t m = 0; m < n; m++) {
                const int64_t j = first + below(s, size);
                if (count_only) fill[j * P + a + 1]++;
                else net->out_target[fill[j * P + a]++] = (int32_t)i;
            }
        }
    }
}

/* A sense-reversing barrier on two counters (the generation flips when the last thread arrives); spins, then
 * yields, so that more threads than cores still progress. */
static void barrier_wait(wb_net *net) {
    const int64_t generation = __atomic_load_n(&net->barrier_generation, __ATOMIC_ACQUIRE);
    if (__atomic_add_fetch(&net->barrier_count, 1, __ATOMIC_ACQ_REL) == net->threads) {
        __atomic_store_n(&net->barrier_count, 0, __ATOMIC_RELAXED);
        __atomic_store_n(&net->barrier_generation, generation + 1, __ATOMIC_RELEASE);
        return;
    }
    for (int spins = 0; __atomic_load_n(&net->barrier_generation, __ATOMIC_ACQUIRE) == generation; spins++) {
        if (spins > 2000) sched_yield();
#if defined(__x86_64__)
        else __builtin_ia32_pause();
#endif
    }
}

static inline int32_t poisson(const wb_net_population *p, uint64_t *s) {
    const double u = uniform(s);
    int32_t k = p->poisson_guide[(int32_t)(u * p->guide_size)];
    while (p->poisson_cdf[k] <= u) k++;     /* cdf[size - 1] = 1 > u ends it */
    return k;
}

/* Thread t's neurons for `steps` steps from step g0: their spikes go to the thread's spike lists. */
static void advance(wb_net *net, int32_t t, int64_t g0, int32_t steps) {
    int32_t *spikes = net->spike_buffer[t];
    int64_t *offset = net->spike_offset[t];
    int64_t n = 0;
    const int64_t lo = net->range[t], hi = net->range[t + 1];
    for (int32_t s = 0; s < steps; s++) {
        const int64_t g = g0 + s;
        const int in_window = g >= net->window_start;
        const double window = (double)(net->steps - net->window_start);
        double *input = net->ring + (g % net->ring_slots) * net->neurons;
        offset[s] = n;
        int64_t i = lo;
        while (i < hi) {
            const int32_t a = net->population_of[i];
            const wb_net_population *p = &net->pop[a];
            const int64_t end = p->first + p->count < hi ? p->first + p->count : hi;
            for (; i < end; i++) {
                uint64_t *rng = net->rng + 4 * i;
                const double arriving = input[i] + p->external_weight * poisson(p, rng);
                input[i] = 0;
                double v = net->v[i];
                int spiked = 0, integrated = 0;
                if (p->exponential) {
                    /* NEST's iaf_psc_exp order: V over the step with the current at its start, then the current
                     * decays and takes the spikes that arrived in the step. */
                    double c = net->current[i];
                    if (net->refractory[i] > 0) { net->refractory[i]--; v = p->v_reset; }
                    else {
                        v = p->v_inf + (v - p->v_inf) * p->decay + p->p_vi * c;
                        spiked = v >= p->theta;
                        integrated = 1;
                    }
                    net->current[i] = c * p->decay_s + p->jump_scale * arriving;
                } else if (net->refractory[i] > 0) {
                    net->refractory[i]--;          /* clamped: the input is lost (NEST's iaf_psc_delta) */
                    v = p->v_reset;
                } else {
                    v = p->v_inf + (v - p->v_inf) * p->decay + arriving;
                    spiked = v >= p->theta;
                    integrated = 1;
                }
                if (spiked) {
                    v = p->v_reset;
                    net->refractory[i] = p->refractory_steps;
                    spikes[n++] = (int32_t)i;
                    if (in_window) {
                        net->spike_count[i]++;
                        const int64_t last = net->last_spike[i];
                        if (last >= net->window_start) {
                            /* An ISI of L steps that starts at a uniform point of a window of W steps ends inside it
                             * with probability (W - L)/W: weighting it by W/(W - L) makes the moments those of every
                             * ISI that starts in the window (Horvitz-Thompson), so long ISIs are not under-counted. */
                            const double isi = (double)(g - last);
                            const double w = window / (window - isi);
                            net->isi_count[i]++;
                            net->isi_weight[i] += w;
                            net->isi_sum[i] += w * isi;
                            net->isi_sum_squares[i] += w * isi * isi;
                        }
                    }
                    net->last_spike[i] = g;
                } else if (in_window && integrated) {
                    net->v_sum[i] += v; net->free_steps[i]++;
                }
                net->v[i] = v;
            }
        }
    }
    offset[steps] = n;
}

/* Every thread's spikes of the interval to thread t's targets, in the order (step, source). */
static void deliver(wb_net *net, int32_t t, int64_t g0, int32_t steps) {
    const int32_t P = net->populations, T = net->threads;
    int64_t events = 0;
    for (int32_t s = 0; s < steps; s++) {
        const int64_t g = g0 + s;
        for (int32_t c = 0; c < T; c++) {
            const int32_t *spikes = net->spike_buffer[c];
            for (int64_t k = net->spike_offset[c][s]; k < net->spike_offset[c][s + 1]; k++) {
                const int64_t j = spikes[k];
                const int32_t b = net->population_of[j];
                for (int32_t a = 0; a < P; a++) {
                    const int64_t *split = net->split + (j * P + a) * (T + 1);
                    const int64_t first = split[t], last = split[t + 1];
                    if (first == last) continue;
                    const double w = net->weight[a * P + b];
                    double *row = net->ring + ((g + net->delay_steps[a * P + b]) % net->ring_slots) * net->neurons;
                    for (int64_t q = first; q < last; q++) row[net->out_target[q]] += w;
                    events += last - first;
                }
            }
        }
    }
    net->events[t] += events;
}

/* Spikes per window step and population, from every thread's lists (thread 0 only). */
static void tally(wb_net *net, int64_t g0, int32_t steps) {
    const int32_t P = net->populations;
    for (int32_t s = 0; s < steps; s++) {
        const int64_t g = g0 + s;
        if (g < net->window_start) continue;
        int32_t *row = net->counts + (g - net->window_start) * P;
        for (int32_t c = 0; c < net->threads; c++)
            for (int64_t k = net->spike_offset[c][s]; k < net->spike_offset[c][s + 1]; k++)
                row[net->population_of[net->spike_buffer[c][k]]]++;
    }
}

void wb_net_thread_run(wb_net *net, int32_t t) {
    for (int64_t g0 = 0; g0 < net->steps; g0 += net->min_delay) {
        const int32_t steps = (int32_t)(net->steps - g0 < net->min_delay ? net->steps - g0 : net->min_delay);
        advance(net, t, g0, steps);
        barrier_wait(net);
        deliver(net, t, g0, steps);
        if (t == 0) tally(net, g0, steps);
        barrier_wait(net);
    }
}
