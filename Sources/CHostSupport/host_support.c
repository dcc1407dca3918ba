/* Everything is in include/host_support.h; SwiftPM needs one source file per C target. */
#include "host_support.h"
