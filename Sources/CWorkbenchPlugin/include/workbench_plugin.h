/*
 * workbench_plugin.h — THE plugin ABI of workbench (DESIGN.md §3). Nothing else crosses dlopen.
 *
 * A plugin is a shared library named lib<Name>Plugin.so that exports the two entry symbols below
 * (and optionally a third, workbench_plugin_problems).
 * All strings and arrays it hands out must stay valid for the life of the process (the host never
 * dlcloses a plugin). Units inside the ABI are the parameter's/output's own `unit` (mV, ms, Hz, ...).
 *
 * Versioning: WB_ABI_VERSION changes on any incompatible change. Structs carry `struct_size`, so a
 * later minor revision may append fields; the host reads only the fields it knows.
 */
#ifndef WORKBENCH_PLUGIN_H
#define WORKBENCH_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WB_ABI_VERSION 1u

/* Parameter flags. Ranges are [min, max] unless an *_EXCLUSIVE flag opens that end. */
enum {
    WB_PARAM_REQUIRED      = 1,   /* filled by positional values on the CLI, in declaration order   */
    WB_PARAM_OPTIONAL      = 2,   /* may be absent: travels as NaN, default_value is then ignored   */
    WB_PARAM_INTEGER       = 4,   /* value must be an integer                                        */
    WB_PARAM_CHOICE        = 8,   /* value is an index into `choices` (the host maps labels)        */
    WB_PARAM_MIN_EXCLUSIVE = 16,  /* value > min                                                     */
    WB_PARAM_MAX_EXCLUSIVE = 32,  /* value < max                                                     */
    WB_PARAM_POTENTIAL     = 64   /* a membrane potential relative to rest: shifted by --v-rest     */
};

/* Output flags. */
enum {
    WB_OUTPUT_POTENTIAL = 1       /* a membrane potential relative to rest: reported absolute with --v-rest */
};

/* Row status values (status[row]): 0 ok; > 0 warning bits (see wb_estimator.warnings);
 * < 0 error. A bad input is WB_STATUS_BAD_PARAM_BASE - parameter index. */
#define WB_STATUS_OK               0
#define WB_STATUS_NUMERICAL_ERROR (-1)
#define WB_STATUS_BAD_INPUT       (-2)      /* a relation between parameters is violated           */
#define WB_STATUS_BAD_PARAM_BASE  (-1000)   /* -1000 - i: parameter i is out of range              */

typedef struct wb_param {
    const char *name;             /* canonical snake_case name (mu, sigma, tau_m, ...)              */
    const char *unit;             /* "mV", "ms", "Hz", "mV/ms", "1" (dimensionless), ...              */
    const char *summary;
    double default_value;         /* NaN: no default (required, or optional and absent)             */
    double min, max;              /* -inf / +inf for an open range                                   */
    uint32_t flags;               /* WB_PARAM_*                                                      */
    size_t n_choices;             /* WB_PARAM_CHOICE: the labels; the value travels as the index    */
    const char *const *choices;
} wb_param;

typedef struct wb_output {
    const char *name;             /* canonical snake_case with unit suffix (rate_hz, cv, mean_v_mv)  */
    const char *unit;
    const char *summary;
    const char *observable;       /* canonical Monte-Carlo observable it predicts, or NULL           */
    double model_error;           /* documented relative error vs the exact model; 0 if exact        */
    int32_t model_error_output;   /* index of an output carrying the model error per row, or -1     */
    uint32_t flags;               /* WB_OUTPUT_*                                                     */
} wb_output;

typedef struct wb_estimator wb_estimator;

/* Thread-safe. in: n_rows x n_params, row-major (an absent optional parameter is NaN).
 * want: n_outputs bytes, non-zero = compute this output (NULL = all), so a rate-only batch skips
 * the CV. out: n_rows x n_outputs; an output not wanted, or not applicable to the row, is NaN and
 * (if not applicable) its bit is set in na[row]; hence at most 64 outputs per estimator.
 * status[row]: see WB_STATUS_*. msg: the message of the first failed row (may be NULL).
 * Returns 0 when the call itself worked (rows may still have failed), non-zero otherwise. */
typedef int32_t (*wb_evaluate_fn)(const wb_estimator *self, size_t n_rows, const double *in,
                                  const uint8_t *want, double *out, uint64_t *na, int32_t *status,
                                  char *msg, size_t msg_len);

struct wb_estimator {
    uint32_t abi_version;         /* WB_ABI_VERSION the plugin was built against                    */
    uint32_t struct_size;         /* sizeof(wb_estimator) of that build                             */
    const char *name;             /* unique across all plugins (siegert, shot-noise, ...)            */
    const char *summary;
    const char *reference;        /* literature reference                                           */
    const char *model;            /* the stochastic model it approximates (lif-white, ...)          */
    const char *toolchain;        /* "c", or "swift-6.3.1" etc. (Swift runtime ABI is not stable)   */
    const char *notes;            /* validity notes, free text (may be NULL)                         */
    size_t n_params;
    const wb_param *params;
    size_t n_outputs;
    const wb_output *outputs;
    size_t n_warnings;            /* warning bit i of a row status means warnings[i]                */
    const char *const *warnings;
    void *context;                /* handed back through `self`: generic glue needs it               */
    wb_evaluate_fn evaluate;
};

/* Exported by every plugin. */
uint32_t workbench_plugin_abi_version(void);
const wb_estimator *const *workbench_plugin_estimators(size_t *count);

/* Optional (the host looks it up and does without it): estimators the plugin refused to put in its table,
 * e.g. EstimatorKit's check that an estimator's parameter/output enums match its spec. NULL when there are
 * none, otherwise one problem per line ('\n'-separated), each naming the estimator; valid for the life of
 * the process. The host reports every line as a load failure of the file and still registers the
 * estimators the table holds. */
const char *workbench_plugin_problems(void);

typedef uint32_t (*wb_abi_version_entry)(void);
typedef const wb_estimator *const *(*wb_estimators_entry)(size_t *count);
typedef const char *(*wb_problems_entry)(void);

#define WB_ENTRY_ABI_VERSION "workbench_plugin_abi_version"
#define WB_ENTRY_ESTIMATORS  "workbench_plugin_estimators"
#define WB_ENTRY_PROBLEMS    "workbench_plugin_problems"     /* optional */


/* ---- Helpers shared by plugins (C or Swift) and the host: one definition of "in range". ---- */
#include <math.h>
#include <stdio.h>
#include <string.h>

/* Writes the valid range of p, e.g. "> 0 mV", "in [0, 1)", "any real number", "one of: shift, taylor". */
static inline void wb_describe_range(const wb_param *p, char *buf, size_t len) {
    const char *unit = (p->unit && strcmp(p->unit, "1") != 0 && p->unit[0]) ? p->unit : "";
    const char *sp = unit[0] ? " " : "";
    if (p->flags & WB_PARAM_CHOICE) {
        size_t used = (size_t)snprintf(buf, len, "one of:");
        for (size_t i = 0; i < p->n_choices && used < len; i++)
            used += (size_t)snprintf(buf + used, len - used, "%s %s", i ? "," : "", p->choices[i]);
        return;
    }
    const char *integer = (p->flags & WB_PARAM_INTEGER) ? "an integer " : "";
    int has_lo = !isinf(p->min) || p->min > 0, has_hi = !isinf(p->max) || p->max < 0;
    int lo_x = (p->flags & WB_PARAM_MIN_EXCLUSIVE) != 0, hi_x = (p->flags & WB_PARAM_MAX_EXCLUSIVE) != 0;
    if (has_lo && has_hi)
        snprintf(buf, len, "%sin %c%.15g, %.15g%c%s%s", integer, lo_x ? '(' : '[', p->min, p->max,
                 hi_x ? ')' : ']', sp, unit);
    else if (has_lo)
        snprintf(buf, len, "%s%s %.15g%s%s", integer, lo_x ? ">" : ">=", p->min, sp, unit);
    else if (has_hi)
        snprintf(buf, len, "%s%s %.15g%s%s", integer, hi_x ? "<" : "<=", p->max, sp, unit);
    else
        snprintf(buf, len, "%s", (p->flags & WB_PARAM_INTEGER) ? "any integer" : "any finite number");
}

/* 0 if v is a valid value of p (NaN = absent, valid only for an optional parameter); otherwise 1
 * and a one-line message naming the parameter, the value and the valid range. */
static inline int wb_check_param(const wb_param *p, double v, char *msg, size_t len) {
    if (isnan(v)) {
        if (p->flags & WB_PARAM_OPTIONAL) return 0;
        if (msg) snprintf(msg, len, "parameter '%s' is missing or NaN; it is required", p->name);
        return 1;
    }
    int bad = isinf(v);
    if (p->flags & WB_PARAM_CHOICE) bad = bad || v != floor(v) || v < 0 || v >= (double)p->n_choices;
    else {
        bad = bad || ((p->flags & WB_PARAM_INTEGER) && v != floor(v));
        bad = bad || ((p->flags & WB_PARAM_MIN_EXCLUSIVE) ? !(v > p->min) : !(v >= p->min));
        bad = bad || ((p->flags & WB_PARAM_MAX_EXCLUSIVE) ? !(v < p->max) : !(v <= p->max));
    }
    if (!bad) return 0;
    if (!msg) return 1;
    /* Only on failure: this check runs for every parameter of every row of a batch. */
    char range[256];
    const char *unit = (p->unit && strcmp(p->unit, "1") != 0 && p->unit[0]) ? p->unit : "";
    const char *sp = unit[0] ? " " : "";
    wb_describe_range(p, range, sizeof range);
    snprintf(msg, len, "parameter '%s' = %.15g%s%s is out of range (valid: %s)", p->name, v, sp,
                      (p->flags & WB_PARAM_CHOICE) ? "" : unit, range);
    return 1;
}

#ifdef __cplusplus
}
#endif
#endif /* WORKBENCH_PLUGIN_H */
