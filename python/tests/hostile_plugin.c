/* One C plugin, bent by -D flags into each class of broken plugin the loader must survive
 * (python/tests/test_plugins.py builds each variant). Without flags it is a well-formed plugin. */
#include <math.h>
#include <signal.h>
#include <string.h>
#ifdef ESTIMATORS_IS_DATA
#define workbench_plugin_estimators renamed_away    /* the header's declaration must not clash */
#endif
#include "workbench_plugin.h"

#ifndef NAME
#define NAME "hostile"
#endif

static const wb_param params[] = {
    {"x", "mV", "input", NAN, -INFINITY, INFINITY, WB_PARAM_REQUIRED, 0, NULL},
};
static wb_output outputs[] = {
    {"y_mv", "mV", "twice x", NULL, 0.0, -1, 0},
};

static int32_t evaluate(const wb_estimator *self, size_t n, const double *in, const uint8_t *want, double *out,
                        uint64_t *na, int32_t *status, char *msg, size_t msg_len) {
    (void)self; (void)want;
#ifdef EVALUATE_CRASHES
    raise(SIGSEGV);
#endif
#ifdef EVALUATE_FAILS
    return -1;
#endif
    for (size_t r = 0; r < n; r++) {
        na[r] = 0;
        status[r] = 0;
        out[r] = 2 * in[r];
#ifdef NAN_IN_OK_ROW
        if (in[r] > 1) out[r] = NAN;
#endif
#ifdef MESSAGE_WITHOUT_NUL
        if (in[r] > 1) {
            status[r] = WB_STATUS_BAD_INPUT;
            if (msg && msg_len) memset(msg, 'x', msg_len);     /* fills the buffer, no NUL */
        }
#else
        (void)msg; (void)msg_len;
#endif
    }
    return 0;
}

static const wb_estimator estimator = {
    WB_ABI_VERSION, sizeof(wb_estimator), NAME, "a test plugin", "none", "lif-white", "c", NULL,
    1, params, 1, outputs, 0, NULL, NULL, evaluate,
};
static const wb_estimator *const table[] = {&estimator};

#ifdef CONSTRUCTOR_CRASHES
__attribute__((constructor)) static void boom(void) { raise(SIGSEGV); }
#endif
#ifdef CONSTRUCTOR_HANGS
#include <unistd.h>
__attribute__((constructor)) static void hang(void) { for (;;) pause(); }
#endif

#ifdef ESTIMATORS_IS_DATA
#undef workbench_plugin_estimators
const int estimators_data __asm__("workbench_plugin_estimators") = 3;   /* an entry symbol that is data */
#else
const wb_estimator *const *workbench_plugin_estimators(size_t *count) {
#ifdef HUGE_COUNT
    *count = 9999;              /* with a one-entry table */
#else
    *count = 1;
#endif
#ifdef BAD_MODEL_ERROR_OUTPUT
    outputs[0].model_error_output = 99;
#endif
    return table;
}
#endif

uint32_t workbench_plugin_abi_version(void) {
#ifdef ABI_SEVEN
    return 7;
#else
    return WB_ABI_VERSION;
#endif
}
