#ifndef WORKBENCH_CGSL_SHIM_H
#define WORKBENCH_CGSL_SHIM_H
/* Only the GSL families workbench uses (DESIGN.md §4). */
#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_sf_erf.h>
#include <gsl/gsl_sf_dawson.h>
#include <gsl/gsl_sf_exp.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_hyperg.h>
#include <gsl/gsl_sf_zeta.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_roots.h>
#include <gsl/gsl_linalg.h>

/* GSL's solver types are exported as mutable globals; Swift 6 refuses to read a mutable global from
 * concurrent code. They are never written after load: read them through a function. */
static inline const gsl_root_fsolver_type *workbench_gsl_root_fsolver_brent(void) { return gsl_root_fsolver_brent; }
#endif
