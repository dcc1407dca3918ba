/*
 * A workbench plugin in plain C: the noiseless LIF (THEORY §1.4, sigma -> 0).
 *
 *   cc -shared -fPIC -O2 -I ../../Sources/CWorkbenchPlugin/include deterministic_lif.c \
 *      -o libDeterministicLIFPlugin.so -lm
 *   WORKBENCH_PLUGIN_PATH=$PWD workbench eval lif-deterministic 25
 *
 * For mu > theta the neuron fires periodically with T = tau_ref + tau_m ln((mu - v_reset)/(mu - theta));
 * for mu <= theta it never fires (rate 0; ln rate and ISI not applicable).
 */
#include <math.h>
#include <stdio.h>
#include "workbench_plugin.h"

enum { P_MU, P_THETA, P_VRESET, P_TAUM, P_TAUREF, N_PARAMS };
enum { O_RATE, O_LNRATE, O_ISI, N_OUTPUTS };

static const wb_param params[N_PARAMS] = {
    {"mu", "mV", "mean input", NAN, -INFINITY, INFINITY, WB_PARAM_REQUIRED, 0, NULL},
    {"theta", "mV", "threshold", 20, -INFINITY, INFINITY, WB_PARAM_POTENTIAL, 0, NULL},
    {"v_reset", "mV", "reset potential (< theta)", 10, -INFINITY, INFINITY, WB_PARAM_POTENTIAL, 0, NULL},
    {"tau_m", "ms", "membrane time constant", 20, 0, INFINITY, WB_PARAM_MIN_EXCLUSIVE, 0, NULL},
    {"tau_ref", "ms", "absolute refractory period", 2, 0, INFINITY, 0, 0, NULL},
};

static const wb_output outputs[N_OUTPUTS] = {
    {"rate_hz", "Hz", "firing rate", NULL, 0, -1, 0},
    {"ln_rate_hz", "ln Hz", "natural log of the rate (not applicable when silent)", NULL, 0, -1, 0},
    {"mean_isi_ms", "ms", "interspike interval (not applicable when silent)", NULL, 0, -1, 0},
};

static int32_t evaluate(const wb_estimator *self, size_t n_rows, const double *in, const uint8_t *want,
                        double *out, uint64_t *na, int32_t *status, char *msg, size_t msg_len) {
    int reported = 0;
    (void)want; /* three closed forms: computing all costs less than checking the mask */
    for (size_t r = 0; r < n_rows; r++) {
        const double *p = in + r * N_PARAMS;
        double *o = out + r * N_OUTPUTS;
        o[O_RATE] = o[O_LNRATE] = o[O_ISI] = NAN;
        na[r] = 0;
        status[r] = WB_STATUS_OK;
        for (int i = 0; i < N_PARAMS; i++) {
            if (wb_check_param(&self->params[i], p[i], reported ? NULL : msg, msg_len)) {
                status[r] = WB_STATUS_BAD_PARAM_BASE - i;
                break;
            }
        }
        if (status[r] == WB_STATUS_OK && !(p[P_VRESET] < p[P_THETA])) {
            status[r] = WB_STATUS_BAD_INPUT;
            if (!reported && msg)
                snprintf(msg, msg_len, "parameter 'v_reset' = %.15g mV is out of range (valid: < theta = %.15g mV)",
                         p[P_VRESET], p[P_THETA]);
        }
        if (status[r] != WB_STATUS_OK) { reported = 1; continue; }
        double mu = p[P_MU];
        if (mu <= p[P_THETA]) {
            o[O_RATE] = 0;
            na[r] = (1u << O_LNRATE) | (1u << O_ISI);
            continue;
        }
        /* log1p keeps the digits when mu is far above threshold and the log argument is close to 1. */
        double T = p[P_TAUREF] + p[P_TAUM] * log1p((p[P_THETA] - p[P_VRESET]) / (mu - p[P_THETA]));
        o[O_ISI] = T;
        o[O_RATE] = 1000.0 / T;
        o[O_LNRATE] = log(1000.0) - log(T);
    }
    return 0;
}

static const wb_estimator deterministic = {
    WB_ABI_VERSION, sizeof(wb_estimator),
    "lif-deterministic", "Noiseless LIF: periodic firing above threshold (sigma -> 0 limit of siegert)",
    "THEORY.md §1.4 (mean-driven limit)", "lif-deterministic", "c",
    "Exact for sigma = 0; the sigma -> 0 limit of siegert for mu > theta.",
    N_PARAMS, params, N_OUTPUTS, outputs, 0, NULL, NULL, evaluate,
};

static const wb_estimator *const table[] = {&deterministic};

uint32_t workbench_plugin_abi_version(void) { return WB_ABI_VERSION; }

const wb_estimator *const *workbench_plugin_estimators(size_t *count) {
    *count = 1;
    return table;
}
