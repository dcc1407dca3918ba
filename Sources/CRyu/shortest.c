// Swift's `Double.description` layout over Ryu's shortest digits (ryu/, vendored unchanged from
// github.com/ulfjack/ryu at e3e090c, Boost licence). Why not Swift's own: `Double.write(to:)` costs
// 28–33 ns per number and was a quarter of a batch CSV row (issue 20); this writer takes 23 ns. The test
// suite checks every layout branch and 1.2·10^6 doubles against `description`, byte for byte.
#include "ryu/d2s.c"  // d2s.c is excluded from the target's own sources; this file is its only user.

#include "wb_shortest.h"

static inline void put_digits(char *const p, uint64_t v, uint32_t n) {
  // Writes v as exactly n decimal digits (zero-padded) at p[0..<n], from the right: eight at a time in 32-bit
  // arithmetic, then pairs (as Ryu's to_chars does).
  char *end = p + n;
  while (n >= 8) {
    const uint64_t q = v / 100000000u;
    const uint32_t low = (uint32_t) (v - 100000000u * q), c0 = low % 10000, c1 = low / 10000;
    v = q;
    memcpy(end - 2, DIGIT_TABLE + 2 * (c0 % 100), 2);
    memcpy(end - 4, DIGIT_TABLE + 2 * (c0 / 100), 2);
    memcpy(end - 6, DIGIT_TABLE + 2 * (c1 % 100), 2);
    memcpy(end - 8, DIGIT_TABLE + 2 * (c1 / 100), 2);
    end -= 8;
    n -= 8;
  }
  uint32_t w = (uint32_t) v;
  for (; n >= 2; n -= 2, end -= 2) {
    memcpy(end - 2, DIGIT_TABLE + 2 * (w % 100), 2);
    w /= 100;
  }
  if (n == 1) end[-1] = (char) ('0' + w);
}

static const uint64_t POWERS_OF_10[17] = {
  1u, 10u, 100u, 1000u, 10000u, 100000u, 1000000u, 10000000u, 100000000u, 1000000000u, 10000000000u,
  100000000000u, 1000000000000u, 10000000000000u, 100000000000000u, 1000000000000000u, 10000000000000000u};

int wb_shortest_double(double value, char *out) {
  const uint64_t bits = double_to_bits(value);
  const bool sign = (bits >> 63) != 0;
  const uint64_t ieeeMantissa = bits & ((1ull << DOUBLE_MANTISSA_BITS) - 1);
  const uint32_t ieeeExponent = (uint32_t) ((bits >> DOUBLE_MANTISSA_BITS) & 0x7ffu);
  if (ieeeExponent == 0x7ffu) return 0;
  char *p = out;
  if (sign) *p++ = '-';
  if (ieeeExponent == 0 && ieeeMantissa == 0) {
    memcpy(p, "0.0", 3);
    return (int) (p + 3 - out);
  }
  floating_decimal_64 v;
  if (d2d_small_int(ieeeMantissa, ieeeExponent, &v)) {
    for (;;) {  // an integer below 2^53 may end in decimal zeros: move them to the exponent
      const uint64_t q = div10(v.mantissa);
      if (v.mantissa - 10 * q != 0) break;
      v.mantissa = q;
      ++v.exponent;
    }
  } else {
    v = d2d(ieeeMantissa, ieeeExponent);
  }
  const int32_t n = (int32_t) decimalLength17(v.mantissa);
  // value = 0.d1 d2 ... dn × 10^point
  const int32_t point = v.exponent + n;
  const double magnitude = sign ? -value : value;
  if (point < -3 || magnitude > 0x1.0p53) {
    put_digits(p + 1, v.mantissa, (uint32_t) n);  // d.ddd: the first digit moves left over the point
    p[0] = p[1];
    if (n > 1) {
      p[1] = '.';
      p += n + 1;
    } else {
      p += 1;
    }
    int32_t e = point - 1;
    *p++ = 'e';
    *p++ = e < 0 ? '-' : '+';
    if (e < 0) e = -e;
    if (e >= 100) {
      *p++ = (char) ('0' + e / 100);
      e %= 100;
    }
    memcpy(p, DIGIT_TABLE + 2 * e, 2);
    p += 2;
  } else if (point <= 0) {
    memcpy(p, "0.000", 5);  // "0." and up to three zeros
    p += 2 - point;
    put_digits(p, v.mantissa, (uint32_t) n);
    p += n;
  } else if (point < n) {
    // Integer and fraction digits written where they go: one division splits them (moving digits written a
    // pair at a time stalls on store forwarding; this was a quarter of the writer's time).
    const uint32_t fraction = (uint32_t) (n - point);
    const uint64_t integer = v.mantissa / POWERS_OF_10[fraction];
    put_digits(p, integer, (uint32_t) point);
    p[point] = '.';
    put_digits(p + point + 1, v.mantissa - integer * POWERS_OF_10[fraction], fraction);
    p += n + 1;
  } else {
    put_digits(p, v.mantissa, (uint32_t) n);
    p += n;
    for (int32_t k = n; k < point; ++k) *p++ = '0';
    memcpy(p, ".0", 2);
    p += 2;
  }
  return (int) (p - out);
}
