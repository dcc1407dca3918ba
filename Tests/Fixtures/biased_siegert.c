/*
 * Test fixture (never a product of the package): a Siegert rate that is deliberately 3 % too high,
 * declaring model lif-white. `workbench validate` must reject it (exit 4). Built by the tests:
 *   cc -shared -fPIC -I Sources/CWorkbenchPlugin/include biased_siegert.c -o libBiasedSiegertPlugin.so -lgsl -lgslcblas -lm
 */
#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_sf_erf.h>
#include <math.h>
#include <stdio.h>
#include "workbench_plugin.h"

enum { P_MU, P_SIGMA, P_THETA, P_VRESET, P_TAUM, P_TAUREF, N_PARAMS };

static const wb_param params[N_PARAMS] = {
    {"mu", "mV", "mean input", NAN, -INFINITY, INFINITY, WB_PARAM_REQUIRED, 0, NULL},
    {"sigma", "mV", "noise amplitude", NAN, 0, INFINITY, WB_PARAM_REQUIRED | WB_PARAM_MIN_EXCLUSIVE, 0, NULL},
    {"theta", "mV", "threshold", 20, -INFINITY, INFINITY, WB_PARAM_POTENTIAL, 0, NULL},
    {"v_reset", "mV", "reset", 10, -INFINITY, INFINITY, WB_PARAM_POTENTIAL, 0, NULL},
    {"tau_m", "ms", "membrane time constant", 20, 0, INFINITY, WB_PARAM_MIN_EXCLUSIVE, 0, NULL},
    {"tau_ref", "ms", "refractory period", 2, 0, INFINITY, 0, 0, NULL},
};
static const wb_output outputs[] = {{"rate_hz", "Hz", "Siegert rate x 1.03", "rate_hz", 0, -1, 0}};

static double integrand(double u, void *p) { (void)p; return exp(u * u) * (1 + gsl_sf_erf(u)); }

static int32_t evaluate(const wb_estimator *self, size_t n, const double *in, const uint8_t *want, double *out,
                        uint64_t *na, int32_t *status, char *msg, size_t len) {
    (void)want;
    gsl_set_error_handler_off();
    gsl_integration_workspace *ws = gsl_integration_workspace_alloc(200);
    for (size_t r = 0; r < n; r++) {
        const double *p = in + r * N_PARAMS;
        na[r] = 0; out[r] = NAN; status[r] = 0;
        for (int i = 0; i < N_PARAMS; i++)
            if (wb_check_param(&self->params[i], p[i], msg, len)) { status[r] = WB_STATUS_BAD_PARAM_BASE - i; break; }
        if (status[r]) continue;
        double a = (p[P_VRESET] - p[P_MU]) / p[P_SIGMA], b = (p[P_THETA] - p[P_MU]) / p[P_SIGMA], I, err;
        gsl_function f = {integrand, NULL};
        if (!(a < b) || fabs(a) > 20 || fabs(b) > 20 ||
            gsl_integration_qag(&f, a, b, 0, 1e-12, 200, GSL_INTEG_GAUSS41, ws, &I, &err)) {
            status[r] = WB_STATUS_NUMERICAL_ERROR;
            if (msg) snprintf(msg, len, "fixture handles only moderate (y_r, y_theta)");
            continue;
        }
        out[r] = 1.03 * 1000.0 / (p[P_TAUREF] + p[P_TAUM] * sqrt(M_PI) * I);
    }
    gsl_integration_workspace_free(ws);
    return 0;
}

static const wb_estimator biased = {WB_ABI_VERSION, sizeof(wb_estimator), "biased-siegert", "Siegert rate, 3 % too high (test fixture)",
                                    "test fixture", "lif-white", "c", NULL, N_PARAMS, params, 1, outputs, 0, NULL, NULL, evaluate};
static const wb_estimator *const table[] = {&biased};
uint32_t workbench_plugin_abi_version(void) { return WB_ABI_VERSION; }
const wb_estimator *const *workbench_plugin_estimators(size_t *count) { *count = 1; return table; }
