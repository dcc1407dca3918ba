#ifndef WB_SHORTEST_H
#define WB_SHORTEST_H
#ifdef __cplusplus
extern "C" {
#endif

/// Writes `value` (finite) into `out` exactly as Swift's `Double.description` does and returns the byte
/// count (at most 24; `out` needs room for 32): the shortest digits that round-trip, and of those the closest (Ryu), laid out in
/// decimal for 1e-4 <= |v| <= 2^53 ("0.0001", "123.25", "9007199254740992.0") and else exponential with a
/// signed, at least two-digit exponent ("1e-05", "1.5e+16"). Non-finite input writes nothing, returns 0.
int wb_shortest_double(double value, char *out);

#ifdef __cplusplus
}
#endif
#endif
